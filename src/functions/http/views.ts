import type { DurableOrchestrationStatus } from "durable-functions";
import { isFinished } from "../../requests/durable";
import type { StoredInterconnect } from "../../store";

export function recordLinks(origin: string, name: string): { self: string; audit: string } {
  const self = `${origin}/api/interconnects/${encodeURIComponent(name)}`;
  return { self, audit: `${self}/audit` };
}

/** The list item: no durable status per row (one extra call each would make listing slow). */
export function summaryView(origin: string, record: StoredInterconnect) {
  return {
    name: record.name,
    state: record.state,
    bandwidthGbps: (record.spec as { bandwidthGbps?: unknown }).bandwidthGbps ?? null,
    currentOperation: record.currentOperation ?? null,
    ...outcomeAndLinks(origin, record),
  };
}

/** What the list item and the full record end with, in this order. */
function outcomeAndLinks(origin: string, record: StoredInterconnect) {
  return {
    failure: record.failure ?? null,
    attempt: record.attempt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stateChangedAt: record.stateChangedAt,
    links: recordLinks(origin, record.name),
  };
}

/** The same word POST's 409 uses for an instance the task hub does not know (never started, or purged). */
export const ABSENT_RUNTIME_STATUS = "Absent";

/** States in which an operation is supposed to be running and will move the record on. */
const IN_FLIGHT_STATES = new Set(["requested", "provisioning", "tearing-down"]);

export interface RecordViewOptions {
  now: Date;
  /** RequestTiming.stalledStartMs: an instance missing for longer than this after its start is not coming. */
  stalledStartMs: number;
}

/**
 * The record with its current operation's live status from the task hub. The service key is never
 * here: the record keeps only serviceKeyMasked. A deleted record's resource ids are history, not
 * things that exist, so they move to lastKnownResources and resources is empty.
 */
export function recordView(origin: string, record: StoredInterconnect, status: DurableOrchestrationStatus | undefined, options: RecordViewOptions) {
  const op = record.currentOperation;
  const deleted = record.state === "deleted";
  return {
    name: record.name,
    state: record.state,
    spec: record.spec,
    bgpPlan: record.bgpPlan ?? null,
    resources: deleted ? {} : record.resources,
    ...(deleted ? { lastKnownResources: record.resources } : {}),
    currentOperation: op
      ? {
          ...op,
          runtimeStatus: status ? String(status.runtimeStatus) : ABSENT_RUNTIME_STATUS,
          ...(isOrphaned(record, status, options) ? { orphaned: true } : {}),
          customStatus: status?.customStatus ?? null,
          lastUpdatedTime: status ? new Date(status.lastUpdatedTime).toISOString() : null,
          ...(status && String(status.runtimeStatus) === "Failed" ? { output: status.output ?? null } : {}),
        }
      : null,
    ...outcomeAndLinks(origin, record),
  };
}

/**
 * The record says an operation is under way, but nothing runs it: its instance ended (terminated by
 * hand, or its last record write failed) or is not in the task hub past the grace a normal start
 * takes. Nothing will ever move such a record on; a DELETE does.
 */
function isOrphaned(record: StoredInterconnect, status: DurableOrchestrationStatus | undefined, options: RecordViewOptions): boolean {
  const op = record.currentOperation;
  if (!op || !IN_FLIGHT_STATES.has(record.state)) return false;
  if (status !== undefined) return isFinished(status);
  return options.now.getTime() - Date.parse(op.startedAt) >= options.stalledStartMs;
}
