/**
 * Deterministic names for everything the service creates, so every activity can get-or-create
 * and a retry finds what an earlier attempt built. Interconnect names are 3-40 chars of
 * [a-z0-9-], so every name below stays within ARM's 1-80 chars ([A-Za-z0-9_.-], starting with
 * a letter or digit, ending with a letter, digit or underscore) and OCI's 255-char displayName.
 */

/** What an interconnect may be called (the spec's rule; every layer that meets a name checks this one). */
export const INTERCONNECT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
export const INTERCONNECT_NAME_RULE =
  "must be an interconnect name: 3-40 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen";

export interface ResourceNames {
  circuit: string;
  gateway: string;
  gatewayPublicIp: string;
  connection: string;
  /** OCI displayName of the FastConnect virtual circuit */
  virtualCircuit: string;
  drg: string;
  drgAttachment: string;
  /** Description written on our VCN route rules so teardown removes exactly those. */
  routeRuleDescription: string;
  /** The connection monitor of the optional end-to-end probe, in the region's Network Watcher. */
  connectionMonitor: string;
}

export const GATEWAY_SUBNET_NAME = "GatewaySubnet";

/** The ARM id a resource of ours has (or will have) in the spec's resource group: ARM ids follow from scope, type and name. */
export function armResourceId(scope: { subscriptionId: string; resourceGroup: string }, type: string, name: string): string {
  return `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

export function resourceNames(name: string): ResourceNames {
  return {
    circuit: `erc-${name}`,
    gateway: `vgw-${name}-er`,
    gatewayPublicIp: `pip-${name}-ergw`,
    connection: `cn-${name}-er`,
    virtualCircuit: `vc-${name}-azure`,
    drg: `drg-${name}`,
    drgAttachment: `drgatt-${name}-vcn`,
    routeRuleDescription: `interconnect:${name}`,
    connectionMonitor: `cm-${name}`,
  };
}

/**
 * Durable instance ids: one per operation attempt, so starting the same attempt twice is
 * idempotent while a retry (attempt + 1) gets a fresh history.
 */
export function provisionInstanceId(name: string, attempt: number): string {
  return `provision-${name}-${checkAttempt(attempt)}`;
}

export function teardownInstanceId(name: string, attempt: number): string {
  return `teardown-${name}-${checkAttempt(attempt)}`;
}

/** A change (PATCH) of an active interconnect; attempts count with provisioning and teardown. */
export function changeInstanceId(name: string, attempt: number): string {
  return `change-${name}-${checkAttempt(attempt)}`;
}

/** The adoption of an interconnect built by hand, under the name it is given. */
export function adoptInstanceId(name: string, attempt: number): string {
  return `adopt-${name}-${checkAttempt(attempt)}`;
}

/** What every adoption's instance id starts with: the task hub lists them by it. */
export const ADOPT_INSTANCE_PREFIX = "adopt-";

/** The name and attempt an adoption's instance id was made of; undefined for any other id. */
export function parseAdoptInstanceId(instanceId: string): { name: string; attempt: number } | undefined {
  const m = /^adopt-(.+)-([1-9]\d*)$/.exec(instanceId);
  if (!m) return undefined;
  const [, name = "", digits = ""] = m;
  const attempt = Number(digits);
  return INTERCONNECT_NAME_PATTERN.test(name) && Number.isSafeInteger(attempt) ? { name, attempt } : undefined;
}

/** The health watch's orchestration, one instance per interconnect under this fixed id: a second start finds the first. */
export const HEALTH_WATCH_ORCHESTRATOR = "healthWatch";
export function healthWatchInstanceId(name: string): string {
  return `health-${name}`;
}
/** Raised by a teardown: the watch ends now instead of at its next check. */
export const HEALTH_WATCH_STOP_EVENT = "stop";
/** A plan's instance id, also its planId: the name and a random nonce (many plans of one name may exist). */
export function planInstanceId(name: string, nonce: string): string {
  if (!/^[0-9a-f]{12,32}$/.test(nonce)) throw new RangeError("nonce must be 12-32 lowercase hex digits");
  return `plan-${name}-${nonce}`;
}

export const PLAN_ID_PATTERN = /^plan-([a-z][a-z0-9-]{1,38}[a-z0-9])-([0-9a-f]{12,32})$/;

/** Reads back what provisionInstanceId/teardownInstanceId wrote, or undefined for foreign ids. */
export function parseInstanceId(instanceId: string): { operation: "provision" | "teardown"; name: string; attempt: number } | undefined {
  const match = /^(provision|teardown)-([a-z][a-z0-9-]*[a-z0-9])-([1-9]\d*)$/.exec(instanceId);
  if (match === null) return undefined;
  return { operation: match[1] as "provision" | "teardown", name: match[2] as string, attempt: Number(match[3]) };
}

function checkAttempt(attempt: number): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}.`);
  return attempt;
}
