import { z } from "zod";
import * as df from "durable-functions";
import { adoptionRequestSchema } from "../domain/adoption";
import { withLogFields } from "../domain/log-fields";
import { requestAdoption } from "../requests/adopt";
import { callerFromHeaders } from "./caller";
import type { TriggerDeps } from "./deps";
import type { ApiRoute } from "./http/api";
import { durableCheckStatus } from "./http/durable-accepted";
import { guarded } from "./http/handler";
import { readJsonBody } from "./http/json-body";
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
