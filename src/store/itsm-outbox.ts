import { createHash } from "node:crypto";
import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import { TICKET_KEY } from "../domain/itsm/ticket";
import { parseColumn } from "./columns";
import { maskSecretsInText } from "./secrets";
import { isRestError, type LazyTable } from "./table-client";

/**
 * The outbox of notes for the tickets, in each ticket's partition of the ITSM table. A note row is
 * "note-<sequence>", so a partition query returns the notes in the order they were written; an index
 * row "id-<hash of the note id>" makes appending the same note twice (a retried activity) a no-op.
 * Both and the sequence counter ("cursor") are written in one entity-group transaction, so a crash
 * never leaves a note without its index or a sequence number used twice. Delivery takes the "lease"
 * row, so one worker at a time delivers a ticket's notes, in order.
 */
export const NOTE_STATUSES = ["pending", "delivered", "parked"] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];
export const CLOSE_OUTCOMES = ["succeeded", "failed"] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
/** The operation whose end the note reports, and how it ended: the ticket moves accordingly. */
export interface NoteClose {
  action: "provision" | "decommission";
  outcome: CloseOutcome;
}
const CLOSE = /^(provision|decommission):(succeeded|failed)$/;

export interface NoteInput {
  /** Stable across retries: the marker written into the ticket is derived from it. */
  id: string;
  text: string;
  /** With this note the ticket moves to the end of the operation (ServiceNow state, Jira transition). */
  close?: NoteClose;
  /** The interconnect the note is about: its audit trail records the delivery. */
  interconnect?: string;
  /** With this note an incident is opened (ServiceNow incident table), with this short description. */
  incident?: { shortDescription: string };
}

export interface OutboxNote extends NoteInput {
  ticketKey: string;
  sequence: number;
  /** "[interconnect-note <hash>]": written into the ticket with the note, looked for before a re-send. */
  marker: string;
  status: NoteStatus;
  attempts: number;
  lastError?: string;
  /** Set while a retry is scheduled. */
  nextAttemptAt?: string;
  createdAt: string;
  deliveredAt?: string;
  parkedAt?: string;
  etag: string;
}

const MAX_TEXT = 16_000;
const noteRow = z.object({
  noteId: z.string(),
  text: z.string(),
  close: z.string().regex(CLOSE).optional(),
  interconnect: z.string().optional(),
  incident: z.string().optional(),
  status: z.enum(NOTE_STATUSES),
  attempts: z.number().int().min(0),
  lastError: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  createdAt: z.string(),
  deliveredAt: z.string().optional(),
  parkedAt: z.string().optional(),
});

export function noteMarker(noteId: string): string {
  return `[interconnect-note ${hash(noteId).slice(0, 20)}]`;
}

export class TicketOutbox {
  private readonly now: () => Date;

  constructor(
    private readonly table: LazyTable,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Appends the notes in order; a note whose id is already in the outbox is skipped. Returns the new ones. */
  async append(ticketKey: string, notes: NoteInput[]): Promise<OutboxNote[]> {
    assertKey(ticketKey);
    const client = await this.table.get();
    const added: OutboxNote[] = [];
    for (const note of notes) {
      const text = maskSecretsInText(note.text.length > MAX_TEXT ? `${note.text.slice(0, MAX_TEXT)}…` : note.text, "note");
      for (let round = 1; ; round++) {
        if (await exists(client, ticketKey, `id-${hash(note.id)}`)) break;
        const cursor = await read(client, ticketKey, "cursor");
        const sequence = cursor ? Number(cursor.next) : 1;
        const createdAt = this.now().toISOString();
        const row = {
          partitionKey: ticketKey,
          rowKey: noteRowKey(sequence),
          noteId: note.id,
          text,
          status: "pending",
          attempts: 0,
          createdAt,
          ...(note.close ? { close: `${note.close.action}:${note.close.outcome}` } : {}),
          ...(note.interconnect ? { interconnect: note.interconnect } : {}),
          ...(note.incident ? { incident: note.incident.shortDescription } : {}),
        };
        const actions: TransactionAction[] = [
          ["create", row],
          ["create", { partitionKey: ticketKey, rowKey: `id-${hash(note.id)}`, sequence }],
          cursor
            ? ["update", { partitionKey: ticketKey, rowKey: "cursor", next: sequence + 1 }, "Merge", { etag: cursor.etag }]
            : ["create", { partitionKey: ticketKey, rowKey: "cursor", next: sequence + 1 }],
        ];
        try {
          await client.submitTransaction(actions);
          added.push(toNote(ticketKey, { ...row, etag: "" }));
          break;
        } catch (err) {
          // Another writer took the sequence number or the note id first: look again.
          if (round < 10 && (isRestError(err, 409) || isRestError(err, 412))) continue;
          throw err;
        }
      }
    }
    return added;
  }

  /** The first note of the ticket that is not delivered: the one that must go next (or is parked). */
  async head(ticketKey: string): Promise<OutboxNote | undefined> {
    const client = await this.table.get();
    const rows = client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${ticketKey} and RowKey ge 'note-' and RowKey lt 'note.' and status ne 'delivered'` },
    });
    for await (const row of rows) return toNote(ticketKey, row);
    return undefined;
  }

  async list(ticketKey: string): Promise<OutboxNote[]> {
    const client = await this.table.get();
    const out: OutboxNote[] = [];
    for await (const row of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${ticketKey} and RowKey ge 'note-' and RowKey lt 'note.'` },
    }))
      out.push(toNote(ticketKey, row));
    return out;
  }

  /** Every parked note across tickets (the operators' list), oldest ticket first. */
  async parked(): Promise<OutboxNote[]> {
    const client = await this.table.get();
    const out: OutboxNote[] = [];
    for await (const row of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`status eq 'parked'` } }))
      out.push(toNote(String(row.partitionKey), row));
    return out;
  }

  /**
   * Counted before the note is sent: if the worker dies between the ITSM's write and markDelivered,
   * the next attempt sees attempts > 1 and looks for the note's marker instead of sending it twice.
   */
  async beginAttempt(note: OutboxNote): Promise<OutboxNote> {
    return this.update(note, { attempts: note.attempts + 1 });
  }

  async markDelivered(note: OutboxNote): Promise<void> {
    await this.update(note, { status: "delivered", deliveredAt: this.now().toISOString() });
  }

  /** notBefore: the scheduled retry; a delivery round started earlier by another kick leaves the note alone. */
  async recordFailure(note: OutboxNote, error: string, notBefore: Date): Promise<OutboxNote> {
    return this.update(note, { lastError: error, nextAttemptAt: notBefore.toISOString() });
  }

  async park(note: OutboxNote, error: string): Promise<OutboxNote> {
    return this.update(note, { status: "parked", lastError: error, parkedAt: this.now().toISOString() });
  }

  /**
   * Parked notes of the ticket back to pending with a fresh budget of attempts; returns how many.
   * The count restarts at 1, not 0: a parked note may have landed on its last attempt, so its
   * marker is looked for before it is sent again.
   */
  async unpark(ticketKey: string): Promise<number> {
    let count = 0;
    for (const note of await this.list(ticketKey)) {
      if (note.status !== "parked") continue;
      await this.update(note, { status: "pending", attempts: 1, parkedAt: "", nextAttemptAt: "" });
      count++;
    }
    return count;
  }

  /** One deliverer per ticket: true when this owner holds the lease until `ms` from now. */
  async lease(ticketKey: string, owner: string, ms: number): Promise<boolean> {
    const client = await this.table.get();
    const now = this.now();
    const until = new Date(now.getTime() + ms).toISOString();
    const current = await read(client, ticketKey, "lease");
    try {
      if (!current) await client.createEntity({ partitionKey: ticketKey, rowKey: "lease", owner, until });
      else if (current.owner === owner || String(current.until) <= now.toISOString())
        await client.updateEntity({ partitionKey: ticketKey, rowKey: "lease", owner, until }, "Merge", { etag: String(current.etag) });
      else return false;
      return true;
    } catch (err) {
      if (isRestError(err, 409) || isRestError(err, 412)) return false;
      throw err;
    }
  }

  async release(ticketKey: string, owner: string): Promise<void> {
    const client = await this.table.get();
    const current = await read(client, ticketKey, "lease");
    if (!current || current.owner !== owner) return;
    try {
      await client.updateEntity({ partitionKey: ticketKey, rowKey: "lease", owner: "", until: "" }, "Merge", {
        etag: String(current.etag),
      });
    } catch (err) {
      if (!isRestError(err, 412)) throw err;
    }
  }

  private async update(note: OutboxNote, change: Record<string, string | number>): Promise<OutboxNote> {
    const client = await this.table.get();
    const res = await client.updateEntity({ partitionKey: note.ticketKey, rowKey: noteRowKey(note.sequence), ...change }, "Merge", {
      etag: note.etag || "*",
    });
    const merged = { ...note, ...change, etag: res.etag ?? note.etag } as OutboxNote;
    if (merged.parkedAt === "") delete merged.parkedAt;
    if (merged.nextAttemptAt === "") delete merged.nextAttemptAt;
    return merged;
  }
}

function noteRowKey(sequence: number): string {
  return `note-${String(sequence).padStart(10, "0")}`;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

function assertKey(ticketKey: string): void {
  if (!TICKET_KEY.test(ticketKey)) throw new Error(`not a ticket key: ${ticketKey}`);
}

async function read(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<(Record<string, unknown> & { etag: string }) | undefined> {
  try {
    return await client.getEntity<Record<string, unknown>>(partitionKey, rowKey);
  } catch (err) {
    if (isRestError(err, 404)) return undefined;
    throw err;
  }
}

async function exists(client: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  return (await read(client, partitionKey, rowKey)) !== undefined;
}

function toNote(ticketKey: string, row: Record<string, unknown>): OutboxNote {
  const where = `itsm/${ticketKey}/${String(row.rowKey)}`;
  const clean = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const r = parseColumn(where, "note", clean, noteRow);
  const note: OutboxNote = {
    ticketKey,
    sequence: Number(String(row.rowKey).slice(5)),
    id: r.noteId,
    text: r.text,
    marker: noteMarker(r.noteId),
    status: r.status,
    attempts: r.attempts,
    createdAt: r.createdAt,
    etag: String(row.etag ?? ""),
  };
  if (r.close) {
    const [action, outcome] = r.close.split(":") as [NoteClose["action"], CloseOutcome];
    note.close = { action, outcome };
  }
  if (r.interconnect) note.interconnect = r.interconnect;
  if (r.incident) note.incident = { shortDescription: r.incident };
  if (r.lastError) note.lastError = r.lastError;
  if (r.nextAttemptAt) note.nextAttemptAt = r.nextAttemptAt;
  if (r.deliveredAt) note.deliveredAt = r.deliveredAt;
  if (r.parkedAt) note.parkedAt = r.parkedAt;
  return note;
}
