import { TicketOutbox } from "./itsm-outbox";
import { TicketOperations } from "./itsm-tickets";
import { assertTableName, createTableClient, LazyTable, type TableStorageTarget } from "./table-client";

export * from "./itsm-outbox";
export * from "./itsm-tickets";

/** The ITSM table (ITSM_TABLE): one partition per ticket with its operations and its outbox of notes. */
export interface ItsmStore {
  tickets: TicketOperations;
  outbox: TicketOutbox;
}

export function createItsmStore(target: TableStorageTarget, tableName: string, options: { now?: () => Date } = {}): ItsmStore {
  assertTableName("ITSM_TABLE", tableName);
  const table = new LazyTable(createTableClient(target, tableName));
  return { tickets: new TicketOperations(table), outbox: new TicketOutbox(table, options) };
}
