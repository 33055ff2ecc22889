import { randomUUID } from "node:crypto";
import type { Ticket } from "../../domain/itsm/ticket";
import type { TicketChannel } from "../../itsm/channel";
import { ItsmRequestError } from "../../itsm/errors";
import type { OutboxNote } from "../../store";
import { ITSM_AUDIT_PARTITION, type ItsmDeps } from "./deps";

/**
 * Renewed before each note. A worker that dies holding it delays the ticket this long; one that
 * outlives it (a very slow ITSM) lets another worker in, whose marker check keeps the note single.
 */
const LEASE_MS = 20_000;

export interface DeliveryRound {
  delivered: number;
  /** Seconds until the next attempt, when the head note failed and will be retried. */
  retryInSeconds?: number;
  parked?: boolean;
  /** Another worker holds the ticket. */
  busy?: boolean;
}

/**
 * One delivery round for a ticket (the outbox queue trigger): under the ticket's lease, send its
 * notes in order until none is left or one fails. A failed note blocks the ones behind it (order
 * matters to a reader) and is retried with exponential backoff through a delayed queue message;
 * after ITSM_OUTBOX_MAX_ATTEMPTS, or at once when the ticket system refuses it for good, it is parked
 * (listed by GET /api/itsm/notes/parked, redelivered by POST …/redeliver). A note that failed once is
 * looked for in the ticket before it is sent again, so an answer lost after the write never doubles it.
 */
export async function deliverTicketNotes(deps: ItsmDeps, ticketKey: string): Promise<DeliveryRound> {
  const owner = randomUUID();
  if (!(await deps.itsm.outbox.lease(ticketKey, owner, LEASE_MS))) {
    await deps.itsm.queue.kick(ticketKey, 5);
    return { delivered: 0, busy: true };
  }
  let delivered = 0;
  try {
    const ticket = await deps.itsm.tickets.ticket(ticketKey);
    for (;;) {
      const note = await deps.itsm.outbox.head(ticketKey);
      if (!note || note.status === "parked") return { delivered, ...(note ? { parked: true } : {}) };
      // A retry is already scheduled for it: another kick (a new note, a redelivery) must not start a second chain.
      if (note.nextAttemptAt && note.nextAttemptAt > deps.now().toISOString())
        return { delivered, retryInSeconds: Math.ceil((Date.parse(note.nextAttemptAt) - deps.now().getTime()) / 1000) };
      if (!(await deps.itsm.outbox.lease(ticketKey, owner, LEASE_MS))) return { delivered, busy: true };
      if (!ticket) {
        await park(deps, await deps.itsm.outbox.beginAttempt(note), undefined, `the ticket ${ticketKey} is not known to this service`);
        return { delivered, parked: true };
      }
      const channel = deps.channels[ticket.system];
      const started = Date.now();
      const attempt = await deps.itsm.outbox.beginAttempt(note);
      try {
        if (!channel) throw new ItsmRequestError(`the ${ticket.system} integration is not configured (its settings were removed)`, false);
        await send(channel, ticket, attempt);
      } catch (err) {
        const error = err instanceof ItsmRequestError ? err : new ItsmRequestError(err instanceof Error ? err.message : String(err), true);
        return { delivered, ...(await failed(deps, ticket, attempt, error)) };
      }
      await deps.itsm.outbox.markDelivered(attempt);
      delivered++;
      await audit(
        deps,
        ticket,
        note,
        "succeeded",
        `Note ${note.sequence} delivered to ${ticket.system} ${ticket.number}${note.close ? ` (ticket moved to its ${note.close.action} ${note.close.outcome} end)` : ""}.`,
        { durationMs: Date.now() - started },
      );
    }
  } finally {
    await deps.itsm.outbox.release(ticketKey, owner);
  }
}

async function send(channel: TicketChannel, ticket: Ticket, note: OutboxNote): Promise<void> {
  await channel.deliver(
    ticket,
    {
      text: note.text,
      marker: note.marker,
      ...(note.close ? { close: note.close } : {}),
      ...(note.incident ? { incident: note.incident } : {}),
    },
    { maybeDelivered: note.attempts > 1 },
  );
}

async function failed(
  deps: ItsmDeps,
  ticket: Ticket,
  note: OutboxNote,
  error: ItsmRequestError,
): Promise<Omit<DeliveryRound, "delivered">> {
  const { maxAttempts, firstRetrySeconds, maxRetrySeconds } = deps.itsmSettings.outbox;
  if (!error.retryable || note.attempts >= maxAttempts) {
    await park(deps, note, ticket, error.message);
    return { parked: true };
  }
  const backoff = Math.min(maxRetrySeconds, firstRetrySeconds * 2 ** Math.min(30, note.attempts - 1));
  const retryInSeconds = Math.min(maxRetrySeconds, Math.max(backoff, Math.ceil((error.retryAfterMs ?? 0) / 1000)));
  const updated = await deps.itsm.outbox.recordFailure(note, error.message, new Date(deps.now().getTime() + retryInSeconds * 1000 - 500));
  await deps.itsm.queue.kick(note.ticketKey, retryInSeconds);
  await audit(
    deps,
    ticket,
    note,
    "retrying",
    `Note ${note.sequence} to ${ticket.system} ${ticket.number} not delivered (attempt ${updated.attempts} of ${maxAttempts}): ${error.message}; next attempt in ${retryInSeconds} s.`,
    { details: { attempt: updated.attempts, delaySeconds: retryInSeconds, ...(error.status ? { status: error.status } : {}) } },
  );
  return { retryInSeconds };
}

async function park(deps: ItsmDeps, note: OutboxNote, ticket: Ticket | undefined, reason: string): Promise<void> {
  const parked = await deps.itsm.outbox.park(note, reason);
  await audit(
    deps,
    ticket,
    parked,
    "failed",
    `Note ${note.sequence} to ${ticket ? `${ticket.system} ${ticket.number}` : note.ticketKey} parked after ${parked.attempts} attempt(s): ${reason}. Notes behind it wait; POST /api/itsm/notes/${note.ticketKey}/redeliver once the cause is fixed.`,
    { details: { attempt: parked.attempts } },
  );
}

/** Under the interconnect's trail when the note names one, else the reserved ITSM partition; never the note's text. */
async function audit(
  deps: ItsmDeps,
  ticket: Ticket | undefined,
  note: OutboxNote,
  phase: "succeeded" | "retrying" | "failed",
  message: string,
  extra: { durationMs?: number; details?: Record<string, string | number> },
): Promise<void> {
  await deps.store.audit.append({
    interconnect: note.interconnect ?? ITSM_AUDIT_PARTITION,
    step: "itsm-note",
    phase,
    actor: "system",
    ...(ticket ? { ticketRef: ticket.number } : {}),
    operation: note.close?.action === "decommission" || note.id.includes("teardown-") ? "teardown" : "provision",
    message,
    ...(extra.durationMs !== undefined ? { durationMs: extra.durationMs } : {}),
    details: { ticketKey: note.ticketKey, sequence: note.sequence, noteId: note.id, marker: note.marker, ...extra.details },
  });
}
