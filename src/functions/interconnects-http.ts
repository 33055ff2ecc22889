import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import * as df from "durable-functions";
import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes, type ValidationIssue } from "../domain/errors";
import { withLogFields } from "../domain/log-fields";
import { interconnectSpecSchema } from "../domain/spec";
import { callerFromHeaders } from "./caller";
import type { TriggerDeps } from "./deps";
import { ABSENT_RUNTIME_STATUS, findInstance, isFinished } from "../requests/durable";
import { BUSY_PROBLEM, type ApiRoute } from "./http/api";
import { durableCheckStatus } from "./http/durable-accepted";
import { guarded, pageBody, type Handler } from "./http/handler";
import * as schemas from "./http/schemas";
import { readJsonBody } from "./http/json-body";
import { nameParam, networkQuery, orderQuery, pageQuery, planIdQuery, reasonQuery, stateQuery, throwIfAny } from "./http/params";
import { healthView, recordLinks, recordView, summaryView } from "./http/views";
import { healthWatchInstanceId } from "../domain/names";
import { requestProvisioning } from "../requests/provision";
import { readSharing } from "../requests/sharing";
import { requestTeardown } from "../requests/teardown";
import { REQUEST_TIMING } from "../requests/timing";

/** How far the task hub's clock may run behind this host's when it stamps an instance's end. */
const END_RACE_MARGIN_MS = 10_000;

export interface InterconnectHandlers {
  create: Handler;
  list: Handler;
  get: Handler;
  remove: Handler;
  audit: Handler;
  health: Handler;
}

/** The handlers over explicit dependencies, so tests can run them against their own Azurite tables. */
export function interconnectHandlers(getDeps: () => TriggerDeps): InterconnectHandlers {
  return {
    create: guarded(getDeps, async (req, context, deps) => {
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      const planId = req.query.get("planId");
      const body = await readJsonBody(req);
      const client = df.getClient(context);
      const result = await requestProvisioning(deps, client, body, caller, planId === null ? undefined : planIdQuery(planId));
      context.log(
        withLogFields(`POST interconnects/${result.record.name}: ${result.outcome} ${result.instanceId} (actor ${caller.actor})`, {
          interconnect: result.record.name,
          operation: "provision",
          instanceId: result.instanceId,
        }),
      );
      // An active interconnect has nothing left to do: 200, the operation that built it for reference.
      const status = result.record.state === "active" ? 200 : 202;
      return accepted(client, req, result.instanceId, result.record.name, status, result.outcome);
    }),

    list: guarded(getDeps, async (req, _context, deps) => {
      const issues: ValidationIssue[] = [];
      const query = req.query;
      const state = stateQuery(query, issues);
      const page = pageQuery(query, issues);
      const networks = networkQuery(query, issues);
      throwIfAny(issues);
      const result = await deps.store.interconnects.list({ ...(state ? { state } : {}), ...networks, ...page });
      const origin = new URL(req.url).origin;
      return { status: 200, jsonBody: pageBody(req.url, { ...result, items: result.items.map((r) => summaryView(origin, r)) }) };
    }),

    get: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const readAt = Date.now();
      let record = await deps.store.interconnects.get(name);
      if (!record) throw notFound(name);
      const op = record.currentOperation;
      const status = op ? await findInstance(df.getClient(context), op.instanceId) : undefined;
      // An operation that ended between the two reads wrote its last record change (its failure, its
      // state) after the record was read: read it once more, so the view never pairs an ended run with
      // the record as it was before its end.
      if (status && isFinished(status) && new Date(status.lastUpdatedTime).getTime() >= readAt - END_RACE_MARGIN_MS) {
        record = (await deps.store.interconnects.get(name)) ?? record;
      }
      const view = recordView(new URL(req.url).origin, record, status, {
        now: new Date(),
        stalledStartMs: (deps.requestTiming ?? REQUEST_TIMING).stalledStartMs,
        sharing: await readSharing(deps.store, record),
      });
      return { status: 200, headers: { etag: record.etag }, jsonBody: view };
    }),

    remove: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      const issues: ValidationIssue[] = [];
      const reason = reasonQuery(req.query, issues, `DELETE /api/interconnects/${name}`);
      throwIfAny(issues);
      const client = df.getClient(context);
      const result = await requestTeardown(deps, client, { name, reason, caller, channel: "api" });
      context.log(
        withLogFields(
          `DELETE interconnects/${name}: ${result.outcome} ${result.instanceId}${result.stoppedProvisioning ? ` (stopped ${result.stoppedProvisioning})` : ""}`,
          { interconnect: name, operation: "teardown", instanceId: result.instanceId },
        ),
      );
      // Cancelled while queued: nothing was built and the record is already deleted, nothing to wait for.
      const status = result.outcome === "cancelled" ? 200 : 202;
      return accepted(client, req, result.instanceId, name, status, result.outcome, result.stoppedProvisioning);
    }),

    audit: guarded(getDeps, async (req, _context, deps) => {
      const name = nameParam(req.params.name);
      const issues: ValidationIssue[] = [];
      const page = pageQuery(req.query, issues, 100);
      const order = orderQuery(req.query, issues);
      throwIfAny(issues);
      const result = await deps.store.audit.list(name, { ...page, order });
      // Rejected queue messages are audited under the name they carried even when it never existed.
      if (result.items.length === 0 && !page.continuationToken && !(await deps.store.interconnects.get(name))) throw notFound(name);
      return { status: 200, jsonBody: pageBody(req.url, result) };
    }),

    health: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const record = await deps.store.interconnects.get(name);
      if (!record) throw notFound(name);
      const instanceId = healthWatchInstanceId(name);
      const status = await findInstance(df.getClient(context), instanceId);
      const watch = { instanceId, runtimeStatus: status ? String(status.runtimeStatus) : ABSENT_RUNTIME_STATUS };
      return { status: 200, jsonBody: healthView(new URL(req.url).origin, record, watch) };
    }),
  };
}

const page = { top: schemas.topQuery.optional(), continuationToken: schemas.continuationTokenQuery.optional() };
const nameParams = z.object({ name: schemas.nameParam });
const accepted202 = {
  description:
    "Accepted: the operation runs (Durable async pattern). Location and the body's statusQueryGetUri are its Durable status; links.self is the record.",
  schema: schemas.acceptedSchema,
  headers: { Location: "The Durable status query URL of the instance.", "Retry-After": "Seconds to wait before polling." },
  links: {
    status: {
      operationId: "durableInstanceStatus",
      parameters: { instanceId: "$response.body#/id" },
      description: "The instance's Durable status.",
    },
  },
};

/** The interconnect routes, each with its OpenAPI description (see src/functions/api-routes.ts). */
export function interconnectRoutes(getDeps: () => TriggerDeps): ApiRoute[] {
  const h = interconnectHandlers(getDeps);
  return [
    {
      handler: h.create,
      operation: {
        name: "interconnectsCreate",
        method: "POST",
        route: "interconnects",
        tag: "interconnects",
        summary: "Provision an interconnect",
        description:
          'Validates the spec, reserves its BGP blocks, takes its place in the queue of its VNet and VCN (it waits there while another run builds or tears down on either: custom status "queued behind <name> (<operation>) since <time>"), and starts the provisioning workflow. A repeat of the same spec answers the operation already under way (202) or done (200). With planId, the provisioning refuses to start (409 "plan is stale: …") unless the plan is ready, of this same spec and still fresh, and its pre-flight fails with PLAN_STALE before anything is created when the live clouds no longer match the plan.',
        durableClient: true,
        request: {
          query: z.object({
            planId: schemas.planIdParam.optional().meta({ description: "A ready plan of this spec (POST /api/interconnects/plans)." }),
          }),
          headers: schemas.callerHeaders,
          body: {
            schema: interconnectSpecSchema.meta({ id: "InterconnectSpec" }),
            description: "The interconnect spec (examples/erp-prod.json).",
          },
        },
        responses: {
          200: { ...accepted202, description: "Already active: the operation that built it, for reference." },
          202: accepted202,
        },
        problems: {
          400: "The spec, a header or planId is not valid: errors lists every field.",
          409: "The name or a BGP block is taken, or the plan is stale.",
          413: "The body is larger than 32 KiB.",
          415: "The body is not JSON.",
          503: BUSY_PROBLEM,
        },
      },
    },
    {
      handler: h.list,
      operation: {
        name: "interconnectsList",
        method: "GET",
        route: "interconnects",
        tag: "interconnects",
        summary: "List interconnects",
        description:
          "Every interconnect record (deleted ones included), paged, optionally of one state, on one virtual network (virtualNetworkId, its ARM id) and/or on one VCN (vcnId).",
        request: {
          query: z.object({
            state: schemas.stateQuery.optional(),
            virtualNetworkId: schemas.virtualNetworkIdQuery.optional(),
            vcnId: schemas.vcnIdQuery.optional(),
            ...page,
          }),
        },
        responses: {
          200: { description: "A page of interconnects.", schema: schemas.pageSchema(schemas.summarySchema, "InterconnectPage") },
        },
        problems: { 400: "A query parameter is not valid." },
      },
    },
    {
      handler: h.get,
      operation: {
        name: "interconnectsGet",
        method: "GET",
        route: "interconnects/{name}",
        tag: "interconnects",
        summary: "Read an interconnect",
        description: "The record with its current operation's live Durable status (step n of N, what it waits for, last observation).",
        durableClient: true,
        request: { params: nameParams },
        responses: { 200: { description: "The interconnect.", schema: schemas.recordSchema, headers: { ETag: "The record's version." } } },
        problems: { 400: "The name is not an interconnect name.", 404: "No such interconnect." },
      },
    },
    {
      handler: h.remove,
      operation: {
        name: "interconnectsDelete",
        method: "DELETE",
        route: "interconnects/{name}",
        tag: "interconnects",
        summary: "Tear an interconnect down",
        description:
          "Starts the teardown in the safe order (connection, virtual circuit, wait for NotProvisioned, circuit, then what this service created and nothing else uses); stops a provisioning under way first. A provisioning still queued for its turn on its VNet and VCN built nothing: it is cancelled instead (200, outcome cancelled, the record deleted at once) and gives up its place in the queue. The teardown itself queues behind any other run on the VNet or VCN.",
        durableClient: true,
        request: { params: nameParams, query: z.object({ reason: schemas.reasonQuery.optional() }), headers: schemas.callerHeaders },
        responses: {
          200: {
            ...accepted202,
            description:
              "Cancelled: the provisioning was still queued, built nothing, left the queue, and the interconnect is deleted; id is that (now terminated) provisioning.",
          },
          202: accepted202,
        },
        problems: {
          400: "The name or the reason is not valid.",
          404: "No such interconnect.",
          409: "It cannot be torn down now.",
          503: BUSY_PROBLEM,
        },
      },
    },
    {
      handler: h.audit,
      operation: {
        name: "interconnectsAudit",
        method: "GET",
        route: "interconnects/{name}/audit",
        tag: "interconnects",
        summary: "Read an interconnect's audit trail",
        description:
          "Every step of every operation (the health watch's too), newest first unless order=asc: who, when, ticket, cloud request ids; never a secret.",
        request: { params: nameParams, query: z.object({ ...page, order: schemas.orderQuery.optional() }) },
        responses: { 200: { description: "A page of audit rows.", schema: schemas.auditPageSchema } },
        problems: { 400: "The name or a query parameter is not valid.", 404: "No such interconnect and no audit rows under its name." },
      },
    },
    {
      handler: h.health,
      operation: {
        name: "interconnectsHealth",
        method: "GET",
        route: "interconnects/{name}/health",
        tag: "interconnects",
        summary: "Read an interconnect's health",
        description:
          "The health watch's last check of the interconnect: healthy, degraded or down, each finding with what was expected, what was observed, since when and what to do, and the watch's Durable instance. An interconnect that is not active is not watched; its last health, if it had one, is history (status null when it was never checked).",
        durableClient: true,
        request: { params: nameParams },
        responses: { 200: { description: "The interconnect's health.", schema: schemas.healthSchema } },
        problems: { 400: "The name is not an interconnect name.", 404: "No such interconnect." },
      },
    },
  ];
}

/**
 * The Durable async pattern (Location + Retry-After + the management URLs), plus what this API adds:
 * the interconnect's name, the record link, and whether this request started the operation.
 */
async function accepted(
  client: DurableClient,
  req: HttpRequest,
  instanceId: string,
  name: string,
  status: number,
  outcome: "started" | "existing" | "restarted" | "cancelled",
  stoppedProvisioning?: string,
): Promise<HttpResponseInit> {
  const { headers, management } = await durableCheckStatus(client, req, instanceId);
  const links = recordLinks(new URL(req.url).origin, name);
  return {
    status,
    headers,
    jsonBody: { ...management, name, outcome, ...(stoppedProvisioning ? { stoppedProvisioning } : {}), links },
  };
}

function notFound(name: string): DomainError {
  return new DomainError(ErrorCodes.NOT_FOUND, `Interconnect "${name}" does not exist.`, { details: { name } });
}
