import { z } from "zod";

/**
 * The health of an active interconnect as the watch last saw it (day2-operations.md §1.6): one status,
 * and the findings behind it, each with what was expected, what was observed, since when, and what to do.
 */
export const HEALTH_STATUSES = ["healthy", "degraded", "down"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** warning: traffic still flows (one path down, a prefix missing, drift) → degraded; critical → down. */
export const FINDING_SEVERITIES = ["warning", "critical"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** What the service may do about a finding (day2-operations.md §2). */
export const REMEDIES = ["auto-repair", "ask", "alert-only"] as const;
export type Remedy = (typeof REMEDIES)[number];

/** Cheap control-plane reads, or the slower route-level checks that catch the silent failures. */
export const CHECK_TIERS = ["control-plane", "routes"] as const;
export type CheckTier = (typeof CHECK_TIERS)[number];

export const FINDING_CODES = [
  "circuit-missing",
  "circuit-failed",
  "circuit-not-enabled",
  "provider-not-provisioned",
  "circuit-drift",
  "peering-missing",
  "peering-drift",
  "gateway-missing",
  "gateway-failed",
  "connection-missing",
  "connection-failed",
  "connection-not-connected",
  "connection-drift",
  "virtual-circuit-missing",
  "virtual-circuit-not-provisioned",
  "provider-inactive",
  "bgp-admin-disabled",
  "bgp-down",
  "virtual-circuit-drift",
  "drg-unavailable",
  "drg-attachment-missing",
  "path-down",
  "path-route-missing",
  "route-rule-missing",
  "vnet-prefix-unrouted",
  "drg-route-missing",
  "monitor-missing",
  "monitor-checks-failed",
  "monitor-round-trip-slow",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 timestamp");

export const findingSchema = z.strictObject({
  code: z.enum(FINDING_CODES),
  /** What it is about, unique per code: "circuit", "primary", "10.11.0.0/16", "bandwidthInMbps". */
  subject: z.string().min(1),
  tier: z.enum(CHECK_TIERS),
  /** Where the observation comes from: the resource and field, in the clouds' words. */
  signal: z.string().min(1),
  expected: z.string(),
  observed: z.string(),
  severity: z.enum(FINDING_SEVERITIES),
  remedy: z.enum(REMEDIES),
  /** What to do, in words a network engineer can act on (the exact rule to add, the call to make). */
  action: z.string().min(1),
  /** When the watch first saw it (kept across checks while it persists). */
  since: isoTimestamp,
});
export type Finding = z.infer<typeof findingSchema>;
/** A finding as evaluated, before the watch knows since when it holds. */
export type FindingDraft = Omit<Finding, "since">;

export const interconnectHealthSchema = z.strictObject({
  status: z.enum(HEALTH_STATUSES),
  /** The last check of any tier. */
  checkedAt: isoTimestamp,
  /** The last route-level check; its findings stand until the next one. */
  routesCheckedAt: isoTimestamp.optional(),
  /** When the status last changed. */
  since: isoTimestamp,
  findings: z.array(findingSchema),
});
export type InterconnectHealth = z.infer<typeof interconnectHealthSchema>;

export function findingKey(f: Pick<Finding, "code" | "subject">): string {
  return `${f.code}|${f.subject}`;
}

export function statusOf(findings: readonly Pick<Finding, "severity">[]): HealthStatus {
  if (findings.some((f) => f.severity === "critical")) return "down";
  return findings.length ? "degraded" : "healthy";
}

/**
 * The health after one check. A check of the control plane only keeps the route-level findings of the
 * last route check (they are not re-read every time); a finding seen before keeps its `since`.
 */
export function nextHealth(
  previous: InterconnectHealth | undefined,
  drafts: readonly FindingDraft[],
  checked: { at: string; tiers: readonly CheckTier[] },
): InterconnectHealth {
  const before = new Map((previous?.findings ?? []).map((f) => [findingKey(f), f]));
  const carried = (previous?.findings ?? []).filter((f) => !checked.tiers.includes(f.tier));
  const fresh = drafts
    .filter((d) => checked.tiers.includes(d.tier))
    .map((d): Finding => ({ ...d, since: before.get(findingKey(d))?.since ?? checked.at }));
  const findings = uniqueByKey([...fresh, ...carried]).sort(bySeverityThenKey);
  const status = statusOf(findings);
  const routesCheckedAt = checked.tiers.includes("routes") ? checked.at : previous?.routesCheckedAt;
  return {
    status,
    checkedAt: checked.at,
    ...(routesCheckedAt ? { routesCheckedAt } : {}),
    since: previous && previous.status === status ? previous.since : checked.at,
    findings,
  };
}

/** What an operator is told about: the status changed, or the set of problems did (a new one, one cleared). */
export interface HealthTransition {
  from: HealthStatus | undefined;
  to: HealthStatus;
  raised: Finding[];
  cleared: Finding[];
}

export function healthTransition(previous: InterconnectHealth | undefined, next: InterconnectHealth): HealthTransition | undefined {
  const before = new Set((previous?.findings ?? []).map(findingKey));
  const after = new Set(next.findings.map(findingKey));
  const raised = next.findings.filter((f) => !before.has(findingKey(f)));
  const cleared = (previous?.findings ?? []).filter((f) => !after.has(findingKey(f)));
  if (previous?.status === next.status && raised.length === 0 && cleared.length === 0) return undefined;
  return { from: previous?.status, to: next.status, raised, cleared };
}

function uniqueByKey(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = findingKey(f);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function bySeverityThenKey(a: Finding, b: Finding): number {
  if (a.severity !== b.severity) return a.severity === "critical" ? -1 : 1;
  return findingKey(a).localeCompare(findingKey(b));
}
