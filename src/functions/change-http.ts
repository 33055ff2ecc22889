import { z } from "zod";
import * as df from "durable-functions";
import { CONFIRM_FIELD } from "../domain/change";
import { DomainError } from "../domain/errors";
import { withLogFields } from "../domain/log-fields";
import { requestChange } from "../requests/change";
import { callerFromHeaders } from "./caller";
import type { TriggerDeps } from "./deps";
import type { ApiRoute } from "./http/api";
import { durableCheckStatus } from "./http/durable-accepted";
import { guarded } from "./http/handler";
import { readJsonBody } from "./http/json-body";
import { nameParam } from "./http/params";
import { HttpErrorCodes } from "./http/problem";
import * as schemas from "./http/schemas";
import { recordLinks } from "./http/views";

/** RFC 7396's media type: a PATCH body in any other type is not a merge patch (415). */
export const MERGE_PATCH = "application/merge-patch+json";

const changeItem = z.strictObject({
  kind: z.enum(["bandwidth", "circuitSku", "tags", "fastPath", "record"]),
  path: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  irreversible: z.string().optional(),
});

const changeAccepted = schemas.acceptedSchema
  .omit({ outcome: true, stoppedProvisioning: true })
  .extend({
    outcome: z
      .enum(["started", "existing"])
      .meta({ description: "started: this request started the change; existing: the same change runs already." }),
    changes: z.array(changeItem).meta({ description: "What the change does, field by field (irreversible: why it cannot be undone)." }),
  })
  .meta({ id: "ChangeAccepted" });

const changeNone = z
  .strictObject({
    name: z.string(),
    outcome: z.literal("unchanged"),
    changes: z.array(changeItem).max(0),
    links: schemas.recordLinksSchema,
  })
  .meta({ id: "ChangeNone" });

const patchBody = z
  .looseObject({
    [CONFIRM_FIELD]: z.boolean().optional().meta({
      description: "Must be true for a change that cannot be undone (any bandwidth increase, MeteredData → UnlimitedData); 409 otherwise.",
    }),
  })
  .meta({
    id: "InterconnectMergePatch",
    description:
      "A JSON merge patch (RFC 7396) of the spec: bandwidthGbps (increase only), azure.circuitSku, tags, azure.gateway.fastPath, keepResourcesOnFailure.",
  });

/** PATCH /api/interconnects/{name}: a change in place (src/requests/change.ts). */
export function changeRoute(getDeps: () => TriggerDeps): ApiRoute {
  return {
    handler: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (mediaType !== MERGE_PATCH) {
        throw new DomainError(
          HttpErrorCodes.UNSUPPORTED_MEDIA_TYPE,
          `A PATCH body must be a JSON merge patch (Content-Type: ${MERGE_PATCH}); got ${mediaType ? `"${mediaType}"` : "no Content-Type"}.`,
          { status: 415 },
        );
      }
      const patch = await readJsonBody(req);
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      const client = df.getClient(context);
      const result = await requestChange(deps, client, { name, patch, caller });
      const links = recordLinks(new URL(req.url).origin, name);
      if (result.outcome === "unchanged" || result.instanceId === undefined) {
        return { status: 200, jsonBody: { name, outcome: "unchanged", changes: [], links } };
      }
      context.log(
        withLogFields(`PATCH interconnects/${name}: ${result.outcome} ${result.instanceId} (actor ${caller.actor})`, {
          interconnect: name,
          operation: "change",
          instanceId: result.instanceId,
        }),
      );
      const { headers, management } = await durableCheckStatus(client, req, result.instanceId);
      return { status: 202, headers, jsonBody: { ...management, name, outcome: result.outcome, changes: result.items, links } };
    }),
    operation: {
      name: "interconnectsChange",
      method: "PATCH",
      route: "interconnects/{name}",
      tag: "interconnects",
      summary: "Change an interconnect in place",
      description:
        "A JSON merge patch of the spec. Possible in place: a bandwidth increase (never a decrease), the circuit SKU (Standard ⇄ Premium, Local → Standard/Premium, MeteredData → UnlimitedData, never back), the tags on both sides, FastPath on the connection where the gateway SKU has it, keepResourcesOnFailure. Everything else needs a new interconnect: 409 naming the field and what to do instead. A change that cannot be undone needs confirmIrreversible: true. Runs as the change orchestration: circuit, provider key, virtual circuit, verification; the record's spec changes once the change is verified.",
      durableClient: true,
      request: {
        params: z.object({ name: schemas.nameParam }),
        headers: schemas.callerHeaders,
        body: { schema: patchBody, description: `The merge patch (Content-Type: ${MERGE_PATCH}).` },
      },
      responses: {
        200: { description: "The patch changes nothing: nothing starts.", schema: changeNone },
        202: {
          description: "The change runs (Durable async pattern); changes lists what it does.",
          schema: changeAccepted,
          headers: { Location: "The Durable status query URL of the instance.", "Retry-After": "Seconds to wait before polling." },
        },
      },
      problems: {
        400: "The name is not an interconnect name, the body is not a JSON object (or not JSON), confirmIrreversible is not a boolean, or the spec the patch makes is not valid: errors names every field.",
        404: "No such interconnect.",
        409: "Not possible in place (errors names each field and what to do instead), an irreversible change without confirmIrreversible, the interconnect not active (or without a BGP plan in its record), or another operation running (one at a time).",
        412: "The record kept changing under concurrent requests through every re-read; send the PATCH again.",
        413: "The body is larger than 32 KiB.",
        415: `The body is not ${MERGE_PATCH}.`,
      },
    },
  };
}
