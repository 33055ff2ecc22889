import { z } from "zod";
import * as df from "durable-functions";
import { adoptionRequestSchema } from "../domain/adoption";
import { withLogFields } from "../domain/log-fields";
import { DomainError, ErrorCodes } from "../domain/errors";
import { latestAdoption, requestAdoption } from "../requests/adopt";
import { callerFromHeaders } from "./caller";
import type { TriggerDeps } from "./deps";
import type { ApiRoute } from "./http/api";
import { durableCheckStatus } from "./http/durable-accepted";
import { guarded } from "./http/handler";
import { readJsonBody } from "./http/json-body";
import { nameParam } from "./http/params";
import * as schemas from "./http/schemas";
import { recordLinks } from "./http/views";

const adoptionAccepted = schemas.acceptedSchema
  .omit({ outcome: true, stoppedProvisioning: true })
  .extend({
    outcome: z
      .enum(["started", "existing"])
      .meta({ description: "started: this request started the adoption; existing: an adoption of this name runs already." }),
  })
  .meta({ id: "AdoptionAccepted" });

/** POST /api/interconnects/adoptions: take over an interconnect built by hand (src/requests/adopt.ts). */
export function adoptRoute(getDeps: () => TriggerDeps): ApiRoute {
  return {
    handler: guarded(getDeps, async (req, context, deps) => {
      const body = await readJsonBody(req);
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      const client = df.getClient(context);
      const result = await requestAdoption(deps, client, body, caller);
      context.log(
        withLogFields(`POST interconnects/adoptions: ${result.outcome} ${result.instanceId} (actor ${caller.actor})`, {
          interconnect: result.name,
          operation: "adopt",
          instanceId: result.instanceId,
        }),
      );
      const { headers, management } = await durableCheckStatus(client, req, result.instanceId);
      return {
        status: 202,
        headers,
        jsonBody: { ...management, name: result.name, outcome: result.outcome, links: recordLinks(new URL(req.url).origin, result.name) },
      };
    }),
    operation: {
      name: "interconnectsAdopt",
      method: "POST",
      route: "interconnects/adoptions",
      tag: "interconnects",
      summary: "Adopt an interconnect built by hand",
      description:
        "Finds the other side of the Azure circuit (or of the OCI virtual circuit) by its service key, verifies the whole chain as provisioning does (peering, ARP, routes, connection, DRG, attachment, route rules) and, only when it is whole, adds the service's tags, writes the record (active; the service may tear down only what grant lists) and starts the health watch. An inconsistent chain fails the adoption (its Durable status lists every problem and what to fix); nothing is written then.",
      durableClient: true,
      request: {
        headers: schemas.callerHeaders,
        body: {
          schema: adoptionRequestSchema.meta({ id: "AdoptionRequest" }),
          description: "What to adopt and what the service may remove.",
        },
      },
      responses: {
        202: {
          description: "The adoption runs (Durable async pattern); the record appears once the chain is verified.",
          schema: adoptionAccepted,
          headers: { Location: "The Durable status query URL of the instance.", "Retry-After": "Seconds to wait before polling." },
        },
      },
      problems: {
        400: "The request is not valid (errors names every field; a grant without what it needs first).",
        409: "An interconnect of that name exists.",
        413: "The body is larger than 32 KiB.",
        415: "The body is not JSON.",
      },
    },
  };
}

const adoptionStatus = z
  .strictObject({
    name: z.string().meta({ description: "The interconnect's name (the adoption's, not the orchestrator's)." }),
    instanceId: z.string().meta({ description: "The adoption's Durable instance, adopt-<name>-<n>." }),
    runtimeStatus: z.string().meta({ description: "The Durable runtimeStatus: Pending, Running, Completed, Failed, Terminated…" }),
    customStatus: z.unknown().meta({
      description: "The workflow's status: step, stepNumber of totalSteps (7), waitingFor, since, lastObserved, deadline, message.",
    }),
    output: z.unknown().meta({
      description:
        "Completed: { state, problems }; Failed: the failure (its step, code, and every problem with its fix); null while it runs.",
    }),
    createdTime: z.string(),
    lastUpdatedTime: z.string(),
    links: schemas.recordLinksSchema,
  })
  .meta({ id: "AdoptionStatus" });

/**
 * GET /api/interconnects/{name}/adoption: the adoption under way under this name, or the last one, by
 * name alone. Its record exists only once the chain is verified, so before that the record's GET is a
 * 404 and a client that let go of the 202's status URL (the CLI detached with Ctrl-C) finds it here.
 */
export function adoptionStatusRoute(getDeps: () => TriggerDeps): ApiRoute {
  return {
    handler: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const found = await latestAdoption(deps, df.getClient(context), name);
      if (!found)
        throw new DomainError(
          ErrorCodes.NOT_FOUND,
          `No adoption of "${name}": none was started under this name since it was last used, or its interconnect's current operation is not one.`,
          { details: { name } },
        );
      const { status } = found;
      return {
        status: 200,
        jsonBody: {
          name,
          instanceId: found.instanceId,
          runtimeStatus: String(status.runtimeStatus),
          customStatus: status.customStatus ?? null,
          output: status.output ?? null,
          createdTime: new Date(status.createdTime).toISOString(),
          lastUpdatedTime: new Date(status.lastUpdatedTime).toISOString(),
          links: recordLinks(new URL(req.url).origin, name),
        },
      };
    }),
    operation: {
      name: "interconnectsAdoption",
      method: "GET",
      route: "interconnects/{name}/adoption",
      tag: "interconnects",
      summary: "Read the adoption of a name",
      description:
        "The adoption under way under this name, or the last one, with its live Durable status (step n of 7, what it waits for, the output once it ended): the record appears only once the chain is verified, so this is how a client that no longer has the 202's statusQueryGetUri follows an adoption. An interconnect that is live names its adoption in currentOperation; one whose current operation is no adoption has none here.",
      durableClient: true,
      request: { params: z.object({ name: schemas.nameParam }) },
      responses: { 200: { description: "The adoption and its Durable status.", schema: adoptionStatus } },
      problems: {
        400: "The name is not an interconnect name.",
        404: "No adoption of this name since it was last used (or it was purged from the task hub), or the interconnect's current operation is not an adoption.",
      },
    },
  };
}
