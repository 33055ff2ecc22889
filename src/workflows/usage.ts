import type { UsageSeen } from "../contracts";
import type { SharedKind } from "../domain/sharing";
import type { RemovableKind } from "./removal-graph";
import type { UsageRef } from "./remove";
import type { Flow, WorkflowRun } from "./run";

/** A resource the run uses; `created`: this run created it. */
export interface Use {
  kind: SharedKind;
  resourceId: string | undefined;
  created: boolean;
}

/** Which node of the removal graph releases (and may remove) a kind. */
const RELEASED_BY: Partial<Record<SharedKind, RemovableKind>> = {
  "gateway-subnet": "gateway-subnet",
  gateway: "gateway",
  "gateway-public-ip": "gateway",
  drg: "drg",
  "drg-attachment": "drg-attachment",
  "route-rule": "route-rules",
};

/**
 * Records on the usage rows that this interconnect uses these resources, as it creates or reuses them
 * (idempotent: a replay or a redelivered call adds nothing twice). `used` collects the removal kinds
 * a compensation must release even when this run did not create them.
 */
export function* recordUse(run: WorkflowRun, step: string, uses: readonly Use[], used: RemovableKind[]): Flow<UsageSeen[]> {
  const known = uses.flatMap((u) => (u.resourceId ? [{ kind: u.kind, resourceId: u.resourceId, created: u.created }] : []));
  if (known.length === 0) return [];
  // Before the call: a failure while recording still has the compensation release what may have been recorded.
  for (const u of known) {
    const kind = RELEASED_BY[u.kind];
    if (kind !== undefined && !used.includes(kind)) used.push(kind);
  }
  return (yield* run.call(step, "usageAdd", { uses: known })).uses;
}

/**
 * The customer's own VNet, VCN and route table are shared but never removed: a teardown or a
 * compensation only takes this interconnect off their usage rows, once its removal is done; in the
 * same call the rows of what the removal deleted go (`forget`, RemovalOutcome.forget).
 */
export function* releaseNetworks(
  run: WorkflowRun,
  step: string,
  ids: { virtualNetworkId?: string; vcnId?: string; routeTableId?: string },
  forget: readonly UsageRef[] = [],
): Flow<void> {
  const refs = [
    { kind: "virtual-network" as const, resourceId: ids.virtualNetworkId },
    { kind: "vcn" as const, resourceId: ids.vcnId },
    { kind: "route-table" as const, resourceId: ids.routeTableId },
  ].flatMap((r) => (r.resourceId ? [{ kind: r.kind, resourceId: r.resourceId, createdBySelf: false }] : []));
  if (refs.length > 0 || forget.length > 0)
    yield* run.call(step, "usageRelease", { resources: refs, ...(forget.length > 0 ? { forget: [...forget] } : {}) });
}
