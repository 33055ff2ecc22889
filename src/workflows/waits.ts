/**
 * What each wait expects: cloud operations have known duration ranges (an ExpressRoute gateway takes
 * 20-45 min, a DRG about a minute), so polling before the earliest plausible completion only burns
 * reads and history, while polling rarely inside the usual window adds detection lag to the whole
 * provisioning. A profile says when to start looking and until when completion is usual.
 */

export interface WaitProfile {
  /** Earliest plausible completion, counted from the start of the operation: the first poll. */
  earliestSeconds: number;
  /** Latest usual completion: polls are dense until then and back off after it. */
  latestSeconds: number;
  /**
   * This wait's own shortest interval instead of the global one: coarser for long waits and for
   * one off the critical path whose polls cost two reads (the provider's), finer for a short one
   * on it (the connection's).
   */
  minIntervalSeconds?: number;
}

export const WAIT_NAMES = [
  "gateway",
  "drg",
  "drgAttachment",
  "provider",
  "connection",
  "verification",
  "connectionDeletion",
  "virtualCircuitTermination",
  "circuitDeprovisioning",
  "circuitDeletion",
  "drgAttachmentDetaching",
  "drgTermination",
  "gatewayDeletion",
  "gatewaySubnetDeletion",
  "gatewaySettling",
  "provisioningStop",
  "circuitUpdate",
  "providerKeyShape",
  "virtualCircuitUpdate",
  "connectionUpdate",
  "connectionMonitor",
  "connectionMonitorDeletion",
] as const;

export type WaitName = (typeof WAIT_NAMES)[number];
export type WaitProfiles = Record<WaitName, WaitProfile>;

const min = (m: number) => m * 60;

/**
 * Documented orders of magnitude (reference/interconnect-apis.md): Azure's gateway 20-45 min and
 * its delete 10-30; the FastConnect provider a few minutes from the service key to BGP UP; Azure's
 * view of a deprovisioning lagging a few minutes; OCI DRGs and attachments about a minute.
 */
export const DEFAULT_WAIT_PROFILES: WaitProfiles = {
  gateway: { earliestSeconds: min(20), latestSeconds: min(45), minIntervalSeconds: 30 },
  drg: { earliestSeconds: 30, latestSeconds: min(3) },
  drgAttachment: { earliestSeconds: 30, latestSeconds: min(3) },
  provider: { earliestSeconds: min(3), latestSeconds: min(10), minIntervalSeconds: 60 },
  connection: { earliestSeconds: 90, latestSeconds: min(5), minIntervalSeconds: 10 },
  verification: { earliestSeconds: 0, latestSeconds: min(5) },
  connectionDeletion: { earliestSeconds: 30, latestSeconds: min(5) },
  virtualCircuitTermination: { earliestSeconds: 60, latestSeconds: min(10) },
  circuitDeprovisioning: { earliestSeconds: min(3), latestSeconds: min(15) },
  circuitDeletion: { earliestSeconds: 30, latestSeconds: min(5) },
  drgAttachmentDetaching: { earliestSeconds: 30, latestSeconds: min(3) },
  drgTermination: { earliestSeconds: 30, latestSeconds: min(3) },
  gatewayDeletion: { earliestSeconds: min(10), latestSeconds: min(30) },
  gatewaySubnetDeletion: { earliestSeconds: 5, latestSeconds: min(2) },
  // A gateway found mid-deployment by a teardown, started at an unknown time: it may finish at any
  // moment of the gateway's usual window.
  gatewaySettling: { earliestSeconds: 0, latestSeconds: min(45), minIntervalSeconds: 60 },
  // A terminated orchestration is terminal within seconds; its last activity may run a little longer.
  provisioningStop: { earliestSeconds: 0, latestSeconds: 60, minIntervalSeconds: 5 },
  // A change in place (day2-operations.md §3.3): an ARM PUT of the circuit, the provider's view of the key
  // following it, the virtual circuit's new shape with BGP back up, a connection's FastPath flag.
  circuitUpdate: { earliestSeconds: 30, latestSeconds: min(5) },
  providerKeyShape: { earliestSeconds: 0, latestSeconds: min(5), minIntervalSeconds: 30 },
  virtualCircuitUpdate: { earliestSeconds: 30, latestSeconds: min(5) },
  connectionUpdate: { earliestSeconds: 30, latestSeconds: min(5) },
  // A connection monitor is a small resource: its PUT and its DELETE settle within a minute or two.
  connectionMonitor: { earliestSeconds: 10, latestSeconds: min(2) },
  connectionMonitorDeletion: { earliestSeconds: 10, latestSeconds: min(2) },
};

export interface PollCadence {
  /** Shortest interval between two polls. */
  minIntervalSeconds: number;
  /** Inside the expected window, the interval is this fraction of the window still ahead. */
  windowFraction: number;
  /** Past the window, the interval doubles, starting from at least this... */
  backoffInitialSeconds: number;
  /** ...and never exceeds this. */
  maxIntervalSeconds: number;
}

/**
 * When to poll next (ms since epoch): not before the earliest plausible completion; inside the
 * expected window at a fraction of the time left in it, so detection lag shrinks as completion
 * becomes likely; past the window, doubling from the last interval. Never past the deadline, so
 * one final observation is made there. Pure: the orchestrator replays it to the same timers.
 */
export function nextPollAt(
  profile: WaitProfile,
  cadence: PollCadence,
  at: { startedMs: number; nowMs: number; deadlineMs: number; lastIntervalMs: number | undefined },
): { fireAtMs: number; intervalMs: number } {
  const floor = Math.max(1, profile.minIntervalSeconds ?? cadence.minIntervalSeconds) * 1000;
  const cap = Math.max(floor, cadence.maxIntervalSeconds * 1000);
  const earliest = at.startedMs + profile.earliestSeconds * 1000;
  const latest = at.startedMs + Math.max(profile.earliestSeconds, profile.latestSeconds) * 1000;
  let fireAtMs: number;
  let intervalMs: number;
  if (at.nowMs < earliest) {
    fireAtMs = earliest;
    intervalMs = earliest - at.nowMs;
  } else if (at.nowMs < latest) {
    intervalMs = clamp(cadence.windowFraction * (latest - at.nowMs), floor, cap);
    fireAtMs = at.nowMs + intervalMs;
  } else {
    const previous = at.lastIntervalMs ?? floor;
    intervalMs = clamp(Math.max(previous * 2, cadence.backoffInitialSeconds * 1000), floor, cap);
    fireAtMs = at.nowMs + intervalMs;
  }
  return { fireAtMs: Math.min(fireAtMs, at.deadlineMs), intervalMs };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** Overrides on top of the defaults, each checked, with the field named on error. */
export function readWaitProfiles(raw: unknown, field: string): WaitProfiles {
  const profiles: WaitProfiles = { ...DEFAULT_WAIT_PROFILES };
  if (raw === undefined || raw === null) return profiles;
  if (typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${field} must be an object of wait profiles`);
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(WAIT_NAMES as readonly string[]).includes(name))
      throw new Error(`${field}.${name} is not a known wait (known: ${WAIT_NAMES.join(", ")})`);
    if (typeof value !== "object" || value === null)
      throw new Error(`${field}.${name} must be an object with earliestSeconds and latestSeconds`);
    const v = value as Record<string, unknown>;
    const base = profiles[name as WaitName];
    const merged = { ...base, ...v };
    for (const key of Object.keys(v)) {
      if (key !== "earliestSeconds" && key !== "latestSeconds" && key !== "minIntervalSeconds")
        throw new Error(`${field}.${name}.${key} is not a profile field (earliestSeconds, latestSeconds, minIntervalSeconds)`);
    }
    for (const key of ["earliestSeconds", "latestSeconds", "minIntervalSeconds"] as const) {
      const n = merged[key];
      if (n === undefined && key === "minIntervalSeconds") continue;
      if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new Error(`${field}.${name}.${key} must be a non-negative number`);
    }
    const profile = merged as WaitProfile;
    if (profile.latestSeconds < profile.earliestSeconds) throw new Error(`${field}.${name}.latestSeconds must be at least earliestSeconds`);
    profiles[name as WaitName] = profile;
  }
  return profiles;
}
