import { app, type HttpHandler, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes, type ValidationIssue } from "../domain/errors";
import { callerFromHeaders } from "./caller";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";
import { findInstance } from "../requests/durable";
import { guarded, pageBody, type Handler } from "./http/handler";
import { readJsonBody } from "./http/json-body";
import { nameParam, pageQuery, reasonQuery, stateQuery, throwIfAny } from "./http/params";
import { recordLinks, recordView, summaryView } from "./http/views";
import { requestProvisioning } from "../requests/provision";
import { requestTeardown } from "../requests/teardown";
import { REQUEST_TIMING } from "../requests/timing";

export interface InterconnectHandlers {
  create: Handler;
  list: Handler;
  get: Handler;
  remove: Handler;
  audit: Handler;
}

/** The handlers over explicit dependencies, so tests can run them against their own Azurite tables. */
export function interconnectHandlers(getDeps: () => TriggerDeps): InterconnectHandlers {
  return {
    create: guarded(getDeps, async (req, context, deps) => {
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      const body = await readJsonBody(req);
      const client = df.getClient(context);
      const result = await requestProvisioning(deps, client, body, caller);
      context.log(`POST interconnects/${result.record.name}: ${result.outcome} ${result.instanceId} (actor ${caller.actor})`);
      // An active interconnect has nothing left to do: 200, the operation that built it for reference.
      const status = result.record.state === "active" ? 200 : 202;
      return accepted(client, req, result.instanceId, result.record.name, status, result.outcome);
    }),

    list: guarded(getDeps, async (req, _context, deps) => {
      const issues: ValidationIssue[] = [];
      const query = req.query;
      const state = stateQuery(query, issues);
      const page = pageQuery(query, issues);
      throwIfAny(issues);
      const result = await deps.store.interconnects.list({ ...(state ? { state } : {}), ...page });
      const origin = new URL(req.url).origin;
      return { status: 200, jsonBody: pageBody(req.url, { ...result, items: result.items.map((r) => summaryView(origin, r)) }) };
    }),

    get: guarded(getDeps, async (req, context, deps) => {
      const name = nameParam(req.params.name);
      const record = await deps.store.interconnects.get(name);
      if (!record) throw notFound(name);
      const op = record.currentOperation;
      const status = op ? await findInstance(df.getClient(context), op.instanceId) : undefined;
      const view = recordView(new URL(req.url).origin, record, status, { now: new Date(), stalledStartMs: (deps.requestTiming ?? REQUEST_TIMING).stalledStartMs });
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
      context.log(`DELETE interconnects/${name}: ${result.outcome} ${result.instanceId}${result.stoppedProvisioning ? ` (stopped ${result.stoppedProvisioning})` : ""}`);
      return accepted(client, req, result.instanceId, name, 202, result.outcome, result.stoppedProvisioning);
    }),

    audit: guarded(getDeps, async (req, _context, deps) => {
      const name = nameParam(req.params.name);
      const issues: ValidationIssue[] = [];
      const page = pageQuery(req.query, issues, 100);
      throwIfAny(issues);
      const result = await deps.store.audit.list(name, page);
      // Rejected queue messages are audited under the name they carried even when it never existed.
      if (result.items.length === 0 && !page.continuationToken && !(await deps.store.interconnects.get(name))) throw notFound(name);
      return { status: 200, jsonBody: pageBody(req.url, result) };
    }),
  };
}

export function registerInterconnectsHttp(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  const h = interconnectHandlers(getDeps);
  const durableClient = df.input.durableClient();
  const http = (name: string, methods: ("GET" | "POST" | "DELETE")[], route: string, handler: Handler) =>
    app.http(name, { methods, route, authLevel: "function", extraInputs: [durableClient], handler: handler as HttpHandler });
  http("interconnectsCreate", ["POST"], "interconnects", h.create);
  http("interconnectsList", ["GET"], "interconnects", h.list);
  http("interconnectsGet", ["GET"], "interconnects/{name}", h.get);
  http("interconnectsDelete", ["DELETE"], "interconnects/{name}", h.remove);
  http("interconnectsAudit", ["GET"], "interconnects/{name}/audit", h.audit);
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
  outcome: "started" | "existing",
  stoppedProvisioning?: string,
): Promise<HttpResponseInit> {
  const check = client.createCheckStatusResponse(req, instanceId);
  const management = (await check.json()) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  check.headers.forEach((value, key) => {
    headers[key] = value;
  });
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
