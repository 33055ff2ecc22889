import { DomainError, ErrorCodes } from "../../domain/errors";
import { TICKET_KEY } from "../../domain/itsm/ticket";
import { ValidationError } from "../../domain/errors";
import { ITSM_AUDIT_PARTITION, type ItsmDeps } from "./deps";

export interface ParkedNoteView {
  ticketKey: string;
  ticket?: { system: string; number: string };
  sequence: number;
  noteId: string;
  interconnect?: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  parkedAt?: string;
  text: string;
}

/** Every parked note, by ticket and in order: what an operator fixes and then redelivers. */
export async function listParkedNotes(deps: ItsmDeps): Promise<ParkedNoteView[]> {
  const notes = await deps.itsm.outbox.parked();
  const tickets = new Map<string, { system: string; number: string } | undefined>();
  const out: ParkedNoteView[] = [];
  for (const n of notes) {
    if (!tickets.has(n.ticketKey)) {
      const t = await deps.itsm.tickets.ticket(n.ticketKey);
      tickets.set(n.ticketKey, t ? { system: t.system, number: t.number } : undefined);
    }
    const ticket = tickets.get(n.ticketKey);
    out.push({
      ticketKey: n.ticketKey,
      ...(ticket ? { ticket } : {}),
      sequence: n.sequence,
      noteId: n.id,
      ...(n.interconnect ? { interconnect: n.interconnect } : {}),
      attempts: n.attempts,
      ...(n.lastError ? { lastError: n.lastError } : {}),
      createdAt: n.createdAt,
      ...(n.parkedAt ? { parkedAt: n.parkedAt } : {}),
      text: n.text,
    });
  }
  return out;
}

/** Puts the ticket's parked notes back in line and asks for delivery; the notes behind them follow in order. */
export async function redeliverParkedNotes(
  deps: ItsmDeps,
  ticketKey: string,
  actor: string,
): Promise<{ ticketKey: string; redelivered: number }> {
  if (!TICKET_KEY.test(ticketKey))
    throw new ValidationError([
      {
        path: "path ticketKey",
        message: "must be a ticket key as listed by GET /api/itsm/notes/parked (servicenow-<sys_id> or jira-<issue id>)",
      },
    ]);
  const ticket = await deps.itsm.tickets.ticket(ticketKey);
  if (!ticket) throw new DomainError(ErrorCodes.NOT_FOUND, `No ticket ${ticketKey} is known to this service.`, { details: { ticketKey } });
  const redelivered = await deps.itsm.outbox.unpark(ticketKey);
  await deps.itsm.queue.kick(ticketKey);
  await deps.store.audit.append({
    interconnect: ITSM_AUDIT_PARTITION,
    step: "itsm-note",
    phase: "info",
    actor,
    ticketRef: ticket.number,
    operation: "provision",
    message: `${redelivered} parked note(s) of ${ticket.system} ${ticket.number} put back for delivery.`,
    details: { ticketKey, redelivered },
  });
  return { ticketKey, redelivered };
}
