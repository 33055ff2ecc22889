import type { ItsmTriggerDeps } from "./deps";
import type { HttpRequest, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { z } from "zod";
import { DomainError, ErrorCodes, isDomainError } from "../domain/errors";
import type { TicketSystem } from "../domain/itsm/ticket";
import { acceptTicketEvent } from "../requests/itsm/accept-event";
import { ITSM_AUDIT_PARTITION } from "../requests/itsm/deps";
import { ITSM_UNAUTHORIZED, verifySignature } from "../requests/itsm/signature";
import { BUSY_PROBLEM, type ApiRoute } from "./http/api";
import { guarded, type Handler } from "./http/handler";
import * as schemas from "./http/schemas";
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
    if (!config)
      throw new DomainError(
        ErrorCodes.NOT_FOUND,
        `No ${system} integration is configured here (${system === "servicenow" ? "SERVICENOW" : "JIRA"}_WEBHOOK_SECRET is not set).`,
      );
    const body = await readSignedJsonBody(req, MAX_EVENT_BYTES);
    try {
      verifySignature({
        secret: config.webhookSecret,
        rawBody: body.raw,
        headers: req.headers,
        nowMs: deps.now().getTime(),
        allowHubSignature: system === "jira",
      });
    } catch (err) {
      if (isDomainError(err) && err.code === ITSM_UNAUTHORIZED) await auditRefused(deps, context, system, req, err);
      throw err;
    }
    const result = await acceptTicketEvent(deps, df.getClient(context), system, body.parse(), new URL(req.url).origin);
    context.log(`itsm ${system} event ${result.ticket}: ${result.outcome}${result.operation ? ` ${result.operation}` : ""}`);
    return { status: result.outcome === "started" ? 202 : 200, jsonBody: result };
  });
}

async function auditRefused(
  deps: ItsmTriggerDeps,
  context: InvocationContext,
  system: TicketSystem,
  req: HttpRequest,
  err: DomainError,
): Promise<void> {
  try {
    await deps.store.audit.append({
      interconnect: ITSM_AUDIT_PARTITION,
      step: "itsm-signature",
      phase: "failed",
      actor: `${system}-webhook`,
      operation: "provision",
      message: `${system} event refused: ${err.message}`,
      details: {
        system,
        path: new URL(req.url).pathname,
        ...(req.headers.get("x-atlassian-webhook-identifier")
          ? { deliveryId: String(req.headers.get("x-atlassian-webhook-identifier")).slice(0, 100) }
          : {}),
      },
    });
  } catch (auditErr) {
    context.error(
      `itsm ${system}: audit row for a refused event not written: ${auditErr instanceof Error ? auditErr.message : String(auditErr)}`,
    );
  }
}

const SYSTEM_WORDS: Record<TicketSystem, { name: string; secret: string; body: z.ZodType; bodyDescription: string }> = {
  servicenow: {
    name: "ServiceNow",
    secret: "SERVICENOW_WEBHOOK_SECRET",
    body: schemas.serviceNowEventBody,
    bodyDescription:
      "What integrations/servicenow/business-rule.js sends: the record, the action and the catalog item's variables, every value a string.",
  },
  jira: {
    name: "Jira",
    secret: "JIRA_WEBHOOK_SECRET",
    body: schemas.jiraEventBody,
    bodyDescription:
      "A Jira admin webhook payload, or an Automation web request with the issue in Jira format ({issue}) or at the top level.",
  },
};

/** Both event routes, each with its OpenAPI description (see src/functions/api-routes.ts). */
export function itsmEventRoutes(getDeps: () => ItsmTriggerDeps): ApiRoute[] {
  return (["servicenow", "jira"] as const).map((system): ApiRoute => {
    const words = SYSTEM_WORDS[system];
    const answer = { description: "", schema: schemas.ticketEventAcceptedSchema };
    return {
      handler: itsmEventHandler(system, getDeps),
      operation: {
        name: `itsm${words.name}Events`,
        method: "POST",
        route: `itsm/${system}/events`,
        tag: "itsm",
        summary: `Accept a signed ${words.name} ticket event`,
        description:
          `A ${words.name} ticket asks to plan, provision or decommission an interconnect. The signature is checked before anything of the body is read (x-itsm-timestamp + x-itsm-signature${system === "jira" ? ", or X-Hub-Signature from a Jira admin webhook with a secret" : ""}, HMAC-SHA256 with ${words.secret}); ` +
          "the ticket's variables are mapped to a spec and the operation runs the same workflows as POST and DELETE /api/interconnects, with the requester as actor and the ticket number as ticketRef. " +
          "Idempotent per (system, ticket id, action); the ticket hears every milestone through the outbox.",
        durableClient: true,
        request: {
          headers: system === "jira" ? schemas.itsmSignatureHeaders.extend(schemas.hubSignatureHeader.shape) : schemas.itsmSignatureHeaders,
          body: { schema: words.body, description: words.bodyDescription },
        },
        responses: {
          200: {
            ...answer,
            description:
              system === "jira"
                ? "The same event again (outcome existing, the same operation), or a status that asks for no action (outcome ignored, with the reason)."
                : "The same event again: the same operation (outcome existing); nothing new starts.",
          },
          202: { ...answer, description: "The operation started (provisioning, teardown or plan instance in operation)." },
        },
        problems: {
          400: "The body is not JSON, or the event or its variables are invalid (every problem listed, also noted in the ticket), or the provisioning refuses the spec.",
          401: "The signature is missing or wrong, or the timestamp is stale; audited without the body or any header value.",
          404: `The integration is not configured (${words.secret} unset), or a decommission names no existing interconnect.`,
          409: "The ticket already acts on another interconnect, or the provisioning refuses (the name exists with another spec, a run is in flight on the VNet or VCN).",
          413: "The body is over 256 KiB.",
          415: "The body is not application/json.",
          503: BUSY_PROBLEM,
        },
      },
    };
  });
}
