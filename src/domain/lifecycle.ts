import { DomainError, ErrorCodes } from "./errors";

export const INTERCONNECT_STATES = ["requested", "provisioning", "active", "failed", "tearing-down", "deleted"] as const;

export type InterconnectState = (typeof INTERCONNECT_STATES)[number];

/**
 * The one table of allowed transitions.
 * - provisioning → tearing-down: a DELETE during provisioning stops it and tears down what exists.
 * - tearing-down → failed: the teardown itself failed; failed → tearing-down lets a retry run again.
 * - deleted → requested: a name may be reused once its interconnect is gone.
 * - failed → requested: a provisioning that failed leaving nothing on the clouds (failedProvisioningLeftNothing)
 *   is requested again, with a corrected spec, without a teardown of nothing.
 * - requested → deleted: a DELETE of a provisioning still queued for its turn on its VNet and VCN, which
 *   built nothing, so there is nothing to tear down (the record keeps the cancellation as its failure).
 */
const TRANSITIONS: Readonly<Record<InterconnectState, readonly InterconnectState[]>> = {
  requested: ["provisioning", "failed", "deleted"],
  provisioning: ["active", "failed", "tearing-down"],
  active: ["tearing-down"],
  failed: ["tearing-down", "requested"],
  "tearing-down": ["deleted", "failed"],
  deleted: ["requested"],
};

export function isInterconnectState(value: unknown): value is InterconnectState {
  return typeof value === "string" && (INTERCONNECT_STATES as readonly string[]).includes(value);
}

export function nextStates(from: InterconnectState): readonly InterconnectState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: InterconnectState, to: InterconnectState): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

export function assertTransition(from: InterconnectState, to: InterconnectState): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from] ?? [];
  throw new DomainError(
    ErrorCodes.INVALID_TRANSITION,
    `An interconnect in state "${from}" cannot move to "${to}"; allowed next states: ${allowed.length ? allowed.map((s) => `"${s}"`).join(", ") : "none"}.`,
    { status: 409, details: { from, to, allowed: [...allowed] } },
  );
}
