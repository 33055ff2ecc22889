import { createHash } from "node:crypto";
import type { DurableClient } from "durable-functions";
import { ErrorCodes, isDomainError, ValidationError, type DomainError } from "../../domain/errors";
import { parseJiraEvent } from "../../domain/itsm/jira-event";
import { acceptedNote, conflictNote, rejectedNote } from "../../domain/itsm/notes";
import type { TicketEvent } from "../../domain/itsm/servicenow-event";
import { parseServiceNowEvent } from "../../domain/itsm/servicenow-event";
import { ticketKey, type Ticket, type TicketAction, type TicketSystem } from "../../domain/itsm/ticket";
import type { InterconnectSpec } from "../../domain/spec";
import { specFromTicketVariables, TICKET_VARIABLES, type TicketVariableName } from "../../domain/itsm/ticket-variables";
import { findInstance } from "../durable";
import { requestProvisioning } from "../provision";
import { requestTeardown } from "../teardown";
import { enqueueNotes, type TicketOperation } from "../../store";
import { TICKET_WATCH_ORCHESTRATOR, type TicketWatchInput } from "../../workflows/itsm/ticket-watch";
import { ITSM_AUDIT_PARTITION, type ItsmDeps } from "./deps";
import { startTicketPlan } from "./plan";

export interface AcceptedEvent {
  outcome: "started" | "existing" | "ignored";
  ticket: string;
  action?: TicketAction;
  interconnect?: string;
  operation?: string;
  /** Why nothing happened, for "ignored". */
  reason?: string;
}

const NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/**
 * An authenticated event from a ticket: parse it, map the ticket's variables to a spec, claim
 * (system, ticket id, action) so a redelivery returns the same operation, start the operation, then
 * put "accepted" into the ticket's outbox and start the ticket watch that reports the rest. A ticket
 * that cannot be acted on gets a note listing every problem, because the requester never sees our
 * HTTP answer; the sender gets the problem+json.
 */
export async function acceptTicketEvent(
  deps: ItsmDeps,
  client: DurableClient,
  system: TicketSystem,
  body: unknown,
  origin: string,
): Promise<AcceptedEvent> {
  const event = parseEvent(deps, system, body);
  const key = ticketKey(event.ticket);
  if (event.action === undefined) return { outcome: "ignored", ticket: event.ticket.number, reason: event.ignoredBecause };
  const action = event.action;
  const label = labelFor(deps, system);
  let interconnect: string;
  let spec: unknown;
  try {
    if (action === "decommission") {
      interconnect = decommissionName(event.variables, label);
    } else {
      const parsed = specFromTicketVariables(event.variables, { catalog: deps.catalog, label });
      interconnect = parsed.name;
      spec = parsed;
    }
  } catch (err) {
    if (err instanceof ValidationError) await reject(deps, event, action, key, err, rejectedNote(action, err.issues));
    throw err;
  }
  const caller = { actor: event.requestedBy, ticketRef: event.ticket.number };
  let claimed: { created: boolean; operation: TicketOperation };
  try {
    claimed = await deps.itsm.tickets.claim(event.ticket, action, interconnect, deps.now());
  } catch (err) {
    if (isDomainError(err) && err.code === ErrorCodes.CONFLICT)
      await reject(deps, event, action, key, err, conflictNote(action, err.message));
    throw err;
  }
  const { operation } = claimed;
  if (!claimed.created && operation.instanceId && operation.watchInstanceId) {
    // A redelivery: the same operation; make sure its watch runs (a crash may have come before it started).
    await startWatch(client, operation.watchInstanceId, {
      ticket: event.ticket,
      action,
      interconnect,
      instanceId: operation.instanceId,
      intervalSeconds: deps.itsmSettings.watchIntervalSeconds,
    });
    return { outcome: "existing", ticket: event.ticket.number, action, interconnect, operation: operation.instanceId };
  }
  let instanceId: string;
  try {
    if (action === "provision") {
      instanceId = (await requestProvisioning(deps, client, spec, caller)).instanceId;
    } else if (action === "decommission") {
      const reason = `Decommissioned through ${system === "servicenow" ? "ServiceNow" : "Jira"} ${event.ticket.number}`;
      instanceId = (
        await requestTeardown(deps, client, { name: interconnect, reason, caller, requestedBy: event.requestedBy, channel: "itsm" })
      ).instanceId;
    } else {
      instanceId = await startTicketPlan(deps, client, spec as InterconnectSpec, event.requestedBy, `itsm-plan-${key}`);
    }
  } catch (err) {
    if (isDomainError(err) && err.status < 500) {
      await reject(
        deps,
        event,
        action,
        key,
        err,
        err instanceof ValidationError ? rejectedNote(action, err.issues) : conflictNote(action, err.message),
      );
    }
    throw err;
  }
  const watchInstanceId = `itsm-watch-${key}-${action}`;
  await deps.itsm.tickets.recordStarted(operation, instanceId, watchInstanceId);
  const recordUrl = `${origin}/api/interconnects/${interconnect}`;
  await enqueueNotes(deps.itsm, key, [
    { id: `${instanceId}:accepted`, text: acceptedNote(action, interconnect, recordUrl, instanceId), interconnect },
  ]);
  await startWatch(client, watchInstanceId, {
    ticket: event.ticket,
    action,
    interconnect,
    instanceId,
    intervalSeconds: deps.itsmSettings.watchIntervalSeconds,
  });
  return { outcome: "started", ticket: event.ticket.number, action, interconnect, operation: instanceId };
}

type ParsedEvent = Omit<TicketEvent, "action"> & { action: TicketAction | undefined; ignoredBecause?: string };

function parseEvent(deps: ItsmDeps, system: TicketSystem, body: unknown): ParsedEvent {
  if (system === "servicenow") return parseServiceNowEvent(body);
  const map = deps.itsmSettings.jira?.fieldMap;
  if (!map) throw new Error("the Jira route runs without a field map");
  const event = parseJiraEvent(body, map);
  return {
    ...event,
    ...(event.action === undefined ? { ignoredBecause: `status "${event.status}" asks for no action (JIRA_FIELD_MAP.actions)` } : {}),
  };
}

function labelFor(deps: ItsmDeps, system: TicketSystem): (v: TicketVariableName) => string {
  if (system === "servicenow") return (v) => `variables.${v}`;
  const fields = deps.itsmSettings.jira?.fieldMap.fields ?? {};
  return (v) => (fields[v] ? `issue.fields.${fields[v]} (${v})` : `${v} (not mapped in JIRA_FIELD_MAP.fields)`);
}

/** A decommission needs only the interconnect's name; the other variables may still be on the ticket. */
function decommissionName(variables: Record<string, unknown>, label: (v: TicketVariableName) => string): string {
  const raw = variables.interconnect_name;
  const name = typeof raw === "string" ? raw.trim() : "";
  if (!NAME.test(name)) {
    throw new ValidationError([
      {
        path: label("interconnect_name"),
        message:
          name === ""
            ? "is required: the interconnect to decommission"
            : "must be 3-40 characters of lowercase letters, digits and hyphens, starting with a letter",
      },
    ]);
  }
  const unknown = Object.keys(variables).filter((k) => !(k in TICKET_VARIABLES));
  if (unknown.length)
    throw new ValidationError(unknown.map((k) => ({ path: `variables.${k}`, message: "is not a variable of the interconnect request" })));
  return name;
}

/** The note (idempotent per distinct problem) and an audit row; both best effort after the first failure is known. */
async function reject(
  deps: ItsmDeps,
  event: ParsedEvent,
  action: TicketAction,
  key: string,
  err: DomainError,
  text: string,
): Promise<void> {
  const fingerprint = createHash("sha256").update(`${action}\n${err.code}\n${err.message}`).digest("hex").slice(0, 24);
  const interconnect =
    typeof event.variables.interconnect_name === "string" && NAME.test(event.variables.interconnect_name)
      ? event.variables.interconnect_name
      : undefined;
  await deps.itsm.tickets.remember(event.ticket);
  await enqueueNotes(deps.itsm, key, [{ id: `reject:${fingerprint}`, text, ...(interconnect ? { interconnect } : {}) }]);
  await deps.store.audit.append({
    interconnect: ITSM_AUDIT_PARTITION,
    step: "itsm-event",
    phase: "failed",
    actor: event.requestedBy || event.ticket.system,
    ticketRef: event.ticket.number,
    operation: action === "decommission" ? "teardown" : "provision",
    message: `${event.ticket.system} ticket ${event.ticket.number} (${action}) rejected: ${err.message}`,
    details: { code: err.code, ticket: ticketJson(event.ticket), action, ...(interconnect ? { name: interconnect } : {}) },
  });
}

function ticketJson(ticket: Ticket): Record<string, string> {
  return { ...ticket };
}

async function startWatch(client: DurableClient, instanceId: string, input: TicketWatchInput): Promise<void> {
  if ((await findInstance(client, instanceId)) === undefined) await client.startNew(TICKET_WATCH_ORCHESTRATOR, { instanceId, input });
}
