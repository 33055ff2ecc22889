import { AuditLog } from "./audit-log";
import { InterconnectRepository } from "./interconnect-repository";
import { NetworkTurns } from "./network-turns";
import { DEFAULT_CONTENTION, type ContentionBudget } from "./optimistic";
import { BGP_BLOCKS, Reservations, type ReservationKind } from "./reservations";
import { createTableClient, LazyTable, type TableStorageTarget } from "./table-client";
import { UsageRecords } from "./usage";

export * from "./audit-log";
export * from "./interconnect-record";
export * from "./interconnect-repository";
export { BgpBlockTakenError, type Held, type Reservation } from "./reservations";
export { NetworkTurns, type TurnRow, type TurnRequest } from "./network-turns";
export { DEFAULT_CONTENTION, type ContentionBudget } from "./optimistic";
export { maskServiceKey, isMaskedServiceKey, maskSecretsInText, sanitizeForStorage } from "./secrets";
export { MAX_STRING_PROPERTY_CHARS } from "./columns";
export type { TableStorageTarget } from "./table-client";
export { UsageRecords, type StoredUsage, type UsageRef } from "./usage";
export { storagePoisonQueue, type PoisonQueue, type QueueStorageTarget } from "./poison-queue";

export interface Store {
  interconnects: InterconnectRepository;
  audit: AuditLog;
  /** Which /30 BGP blocks are taken, kept in the interconnects table. */
  bgpBlocks: Reservations<string>;
  /** The queue of runs per VNet and VCN (who has the turn, who waits), kept in the interconnects table. */
  turns: NetworkTurns;
  /** Which live interconnects use each shared resource (src/domain/sharing.ts), kept in the interconnects table. */
  usage: UsageRecords;
}

/** Table names come from INTERCONNECTS_TABLE and AUDIT_TABLE; the caller reads the settings. */
export function createStore(
  target: TableStorageTarget,
  tables: { interconnects: string; audit: string },
  options: { now?: () => Date; bgpReservationGraceMs?: number; contention?: ContentionBudget } = {},
): Store {
  const contention = options.contention ?? DEFAULT_CONTENTION;
  const interconnects = new InterconnectRepository(target, tables.interconnects, options);
  const readRecord = (name: string) => interconnects.get(name);
  const reservationOptions = {
    ...(options.now ? { now: options.now } : {}),
    ...(options.bgpReservationGraceMs !== undefined ? { graceMs: options.bgpReservationGraceMs } : {}),
    contention,
  };
  const reservations = <K>(kind: ReservationKind<K>) =>
    new Reservations(kind, new LazyTable(createTableClient(target, tables.interconnects)), readRecord, reservationOptions);
  return {
    interconnects,
    audit: new AuditLog(target, tables.audit, options),
    bgpBlocks: reservations(BGP_BLOCKS),
    turns: new NetworkTurns(new LazyTable(createTableClient(target, tables.interconnects)), contention),
    usage: new UsageRecords(new LazyTable(createTableClient(target, tables.interconnects)), readRecord, options.now, contention),
  };
}
export {
  createItsmStore,
  enqueueNotes,
  noteMarker,
  ITSM_OUTBOX_QUEUE,
  type OutboxQueue,
  type ItsmStore,
  type NoteInput,
  type OutboxNote,
  type CloseOutcome,
  type NoteClose,
  type TicketOperation,
} from "./itsm";
