import type { ItsmTriggerDeps } from "./deps";
import { app, type HttpHandler, type HttpRequest, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { DomainError, ErrorCodes, isDomainError } from "../domain/errors";
import type { TicketSystem } from "../domain/itsm/ticket";
import { acceptTicketEvent } from "../requests/itsm/accept-event";
import { ITSM_AUDIT_PARTITION } from "../requests/itsm/deps";
import { ITSM_UNAUTHORIZED, verifySignature } from "../requests/itsm/signature";
import { guarded, type Handler } from "./http/handler";
import { readSignedJsonBody } from "./http/raw-body";

/** A ticket event is a few kilobytes; a Jira webhook with the whole issue can be tens. */
const MAX_EVENT_BYTES = 256 * 1024;

/**
 * POST /api/itsm/servicenow/events and /api/itsm/jira/events: signature first (nothing else is read
 * before it passes), then the use case. An integration whose secret is not set answers 404, so it is
 * not an open door. A refused signature is audited without the body or any header value.
 */
export function itsmEventHandler(system: TicketSystem, getDeps: () => ItsmTriggerDeps): Handler {
  return guarded(getDeps, async (req, context, deps) => {
    const config = deps.itsmSettings[system];
    if (!config) throw new DomainError(ErrorCodes.NOT_FOUND, `No ${system} integration is configured here (${system === "servicenow" ? "SERVICENOW" : "JIRA"}_WEBHOOK_SECRET is not set).`);
    const body = await readSignedJsonBody(req, MAX_EVENT_BYTES);
    try {
      verifySignature({ secret: config.webhookSecret, rawBody: body.raw, headers: req.headers, nowMs: deps.now().getTime(), allowHubSignature: system === "jira" });
    } catch (err) {
      if (isDomainError(err) && err.code === ITSM_UNAUTHORIZED) await auditRefused(deps, context, system, req, err);
      throw err;
    }
    const result = await acceptTicketEvent(deps, df.getClient(context), system, body.parse(), new URL(req.url).origin);
    context.log(`itsm ${system} event ${result.ticket}: ${result.outcome}${result.operation ? ` ${result.operation}` : ""}`);
    return { status: result.outcome === "started" ? 202 : 200, jsonBody: result };
  });
}

async function auditRefused(deps: ItsmTriggerDeps, context: InvocationContext, system: TicketSystem, req: HttpRequest, err: DomainError): Promise<void> {
  try {
    await deps.store.audit.append({
      interconnect: ITSM_AUDIT_PARTITION,
      step: "itsm-signature",
      phase: "failed",
      actor: `${system}-webhook`,
      operation: "provision",
      message: `${system} event refused: ${err.message}`,
      details: { system, path: new URL(req.url).pathname, ...(req.headers.get("x-atlassian-webhook-identifier") ? { deliveryId: String(req.headers.get("x-atlassian-webhook-identifier")).slice(0, 100) } : {}) },
    });
  } catch (auditErr) {
    context.error(`itsm ${system}: audit row for a refused event not written: ${auditErr instanceof Error ? auditErr.message : String(auditErr)}`);
  }
}

export function registerItsmEventsHttp(getDeps: () => ItsmTriggerDeps): void {
  for (const system of ["servicenow", "jira"] as const) {
    app.http(`itsm${system === "servicenow" ? "ServiceNow" : "Jira"}Events`, {
      methods: ["POST"],
      route: `itsm/${system}/events`,
      authLevel: "function",
      extraInputs: [df.input.durableClient()],
      handler: itsmEventHandler(system, getDeps) as HttpHandler,
    });
  }
}
