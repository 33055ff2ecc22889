import { AuditLog } from "./audit-log";
import { BgpBlockReservations } from "./bgp-reservations";
import { InterconnectRepository } from "./interconnect-repository";
import { NetworkReservations } from "./network-reservations";
import { createTableClient, LazyTable, type TableStorageTarget } from "./table-client";

export * from "./audit-log";
export * from "./bgp-reservations";
export * from "./interconnect-record";
export * from "./interconnect-repository";
export * from "./network-reservations";
export { maskServiceKey, isMaskedServiceKey, maskSecretsInText, sanitizeForStorage } from "./secrets";
export { MAX_STRING_PROPERTY_CHARS } from "./columns";
export type { TableStorageTarget } from "./table-client";
export { storagePoisonQueue, type PoisonQueue, type QueueStorageTarget } from "./poison-queue";

export interface Store {
  interconnects: InterconnectRepository;
  audit: AuditLog;
  /** Which /30 BGP blocks are taken, kept in the interconnects table. */
  bgpBlocks: BgpBlockReservations;
  /** Which VNets and VCNs have a run in flight, kept in the interconnects table. */
  networks: NetworkReservations;
}

/** Table names come from INTERCONNECTS_TABLE and AUDIT_TABLE; the caller reads the settings. */
export function createStore(
  target: TableStorageTarget,
  tables: { interconnects: string; audit: string },
  options: { now?: () => Date; bgpReservationGraceMs?: number } = {},
): Store {
  const interconnects = new InterconnectRepository(target, tables.interconnects, options);
  return {
    interconnects,
    audit: new AuditLog(target, tables.audit, options),
    bgpBlocks: new BgpBlockReservations(new LazyTable(createTableClient(target, tables.interconnects)), (name) => interconnects.get(name), {
      ...(options.now ? { now: options.now } : {}),
      ...(options.bgpReservationGraceMs !== undefined ? { graceMs: options.bgpReservationGraceMs } : {}),
    }),
    networks: new NetworkReservations(new LazyTable(createTableClient(target, tables.interconnects)), (name) => interconnects.get(name), {
      ...(options.now ? { now: options.now } : {}),
      ...(options.bgpReservationGraceMs !== undefined ? { graceMs: options.bgpReservationGraceMs } : {}),
    }),
  };
}
export { createItsmStore, enqueueNotes, noteMarker, ITSM_OUTBOX_QUEUE, type OutboxQueue, type ItsmStore, type NoteInput, type OutboxNote, type CloseOutcome, type NoteClose, type TicketOperation } from "./itsm";
