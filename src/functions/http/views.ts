import type { DurableOrchestrationStatus } from "durable-functions";
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

/**
 * The record with its current operation's live status from the task hub. The service key is never
 * here: the record keeps only serviceKeyMasked.
 */
export function recordView(origin: string, record: StoredInterconnect, status: DurableOrchestrationStatus | undefined) {
  const op = record.currentOperation;
  return {
    name: record.name,
    state: record.state,
    spec: record.spec,
    bgpPlan: record.bgpPlan ?? null,
    resources: record.resources,
    currentOperation: op
      ? {
          ...op,
          runtimeStatus: status ? String(status.runtimeStatus) : "NotStarted",
          customStatus: status?.customStatus ?? null,
          lastUpdatedTime: status ? new Date(status.lastUpdatedTime).toISOString() : null,
          ...(status && String(status.runtimeStatus) === "Failed" ? { output: status.output ?? null } : {}),
        }
      : null,
    ...outcomeAndLinks(origin, record),
  };
}
