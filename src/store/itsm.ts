import { TicketOutbox, type NoteInput, type OutboxNote } from "./itsm-outbox";
import { storageOutboxQueue, type OutboxQueue } from "./itsm-queue";
import type { QueueStorageTarget } from "./poison-queue";
import { TicketOperations } from "./itsm-tickets";
import { assertTableName, createTableClient, LazyTable, type TableStorageTarget } from "./table-client";

export * from "./itsm-outbox";
export * from "./itsm-tickets";
export * from "./itsm-queue";

/** The ITSM table (ITSM_TABLE): one partition per ticket with its operations and its outbox of notes. */
export interface ItsmStore {
  tickets: TicketOperations;
  outbox: TicketOutbox;
  queue: OutboxQueue;
}

export function createItsmStore(
  target: { tables: TableStorageTarget; queues: QueueStorageTarget },
  tableName: string,
  options: { now?: () => Date; queueName?: string } = {},
): ItsmStore {
  assertTableName("ITSM_TABLE", tableName);
  const table = new LazyTable(createTableClient(target.tables, tableName));
  return {
    tickets: new TicketOperations(table),
    outbox: new TicketOutbox(table, options),
    queue: storageOutboxQueue(target.queues, options.queueName),
  };
}

/**
 * Writes the notes to the outbox, then asks for delivery. The kick is sent even when every note was
 * already there: a retry after a crash between the two must still get them delivered.
 */
export async function enqueueNotes(store: ItsmStore, ticketKey: string, notes: NoteInput[]): Promise<OutboxNote[]> {
  const added = await store.outbox.append(ticketKey, notes);
  await store.queue.kick(ticketKey);
  return added;
}
