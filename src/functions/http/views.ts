import type { SharingView } from "../../domain/sharing";
import type { DurableOrchestrationStatus } from "durable-functions";
import { ABSENT_RUNTIME_STATUS, isFinished } from "../../requests/durable";
import type { StoredInterconnect } from "../../store";

export function recordLinks(origin: string, name: string): { self: string; audit: string; health: string } {
  const self = `${origin}/api/interconnects/${encodeURIComponent(name)}`;
  return { self, audit: `${self}/audit`, health: `${self}/health` };
}

/** The list's health column: the status and when, without the findings (GET …/health has them). */
function healthSummary(record: StoredInterconnect) {
  const h = record.health;
  return h ? { status: h.status, checkedAt: h.checkedAt, since: h.since, findings: h.findings.length } : null;
}

/**
 * GET /api/interconnects/{name}/health: the last check, its findings, and the watch's instance. An
 * interconnect that is not active is not watched; its last health (if it ever had one) is history.
 */
export function healthView(origin: string, record: StoredInterconnect, watch: { instanceId: string; runtimeStatus: string }) {
  const h = record.health;
  return {
    name: record.name,
    state: record.state,
    status: h?.status ?? null,
    checkedAt: h?.checkedAt ?? null,
    routesCheckedAt: h?.routesCheckedAt ?? null,
    since: h?.since ?? null,
    findings: h?.findings ?? [],
    watch,
    links: recordLinks(origin, record.name),
  };
}

/** The list item: no durable status per row (one extra call each would make listing slow). */
export function summaryView(origin: string, record: StoredInterconnect) {
  return {
    name: record.name,
    state: record.state,
    bandwidthGbps: (record.spec as { bandwidthGbps?: unknown }).bandwidthGbps ?? null,
    regions: regionsOf(record.spec),
    currentOperation: record.currentOperation ?? null,
    health: healthSummary(record),
    ...outcomeAndLinks(origin, record),
  };
}

/** Both ends of the interconnect, so a list can show them without reading every record. */
function regionsOf(spec: unknown): { azure: string | null; oci: string | null } {
  const s = spec as { azure?: { location?: unknown }; oci?: { region?: unknown } };
  return {
    azure: typeof s.azure?.location === "string" ? s.azure.location : null,
    oci: typeof s.oci?.region === "string" ? s.oci.region : null,
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

/** States in which an operation is supposed to be running and will move the record on. */
const IN_FLIGHT_STATES = new Set(["requested", "provisioning", "tearing-down"]);

export interface RecordViewOptions {
  now: Date;
  /** RequestTiming.stalledStartMs: an instance missing for longer than this after its start is not coming. */
  stalledStartMs: number;
  /** Per resource of the record: shared or not, with whom, created by whom (requests/sharing.ts). */
  sharing?: SharingView[];
}

/**
 * The record with its current operation's live status from the task hub. The service key is never
 * here: the record keeps only serviceKeyMasked. A deleted record's resource ids are history, not
 * things that exist, so they move to lastKnownResources and resources is empty.
 */
export function recordView(
  origin: string,
  record: StoredInterconnect,
  status: DurableOrchestrationStatus | undefined,
  options: RecordViewOptions,
) {
  const op = record.currentOperation;
  const deleted = record.state === "deleted";
  return {
    name: record.name,
    state: record.state,
    spec: record.spec,
    bgpPlan: record.bgpPlan ?? null,
    resources: deleted ? {} : record.resources,
    ...(deleted ? { lastKnownResources: record.resources } : {}),
    sharing: options.sharing ?? [],
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
    health: record.health ?? null,
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
