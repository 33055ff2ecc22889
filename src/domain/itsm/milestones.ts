import { z } from "zod";
import { planSchema } from "../plan";

/**
 * What a ticket hears while its operation runs, derived from what can be observed of the operation
 * (its record and the orchestration's custom status) each time the ticket watch looks. Milestones
 * come in a fixed order and each at most once; one that was passed between two looks is still
 * reported (a circuit that exists was created, whenever it was), except the wait for Oracle, which
 * is only worth a note while it is going on.
 */
export const MILESTONES = [
  "plan-reported",
  "plan-failed",
  "preflight-passed",
  "circuit-created",
  "waiting-for-oracle",
  "active",
  "failed",
  "torn-down",
  "teardown-failed",
] as const;
export type Milestone = (typeof MILESTONES)[number];

const bgpBlock = z.object({ cidr: z.string(), oracleBgpPeeringIp: z.string(), customerBgpPeeringIp: z.string() });

export const operationObservationSchema = z.object({
  kind: z.enum(["plan", "provision", "teardown"]),
  /** The record's state; absent when there is no record. */
  state: z.string().optional(),
  /** Whether the record's current operation is still the watched one. */
  current: z.boolean(),
  /** The task hub's runtimeStatus of the watched instance, or "Absent". */
  runtimeStatus: z.string(),
  /** Custom status step and since (orchestration time), while it runs. */
  step: z.string().optional(),
  since: z.string().optional(),
  resources: z.record(z.string(), z.unknown()),
  bgpPlan: z.object({ primary: bgpBlock, secondary: bgpBlock }).optional(),
  failure: z.object({ step: z.string(), code: z.string(), message: z.string() }).optional(),
  /** A plan's output, once its orchestration completed. */
  plan: planSchema.optional(),
});
export type OperationObservation = z.infer<typeof operationObservationSchema>;

const FINAL = new Set<Milestone>(["plan-reported", "plan-failed", "active", "failed", "torn-down", "teardown-failed"]);
const ENDED = ["Completed", "Failed", "Terminated", "Canceled"];
const BEFORE_PREFLIGHT_PASSED = new Set(["record", "preflight"]);

export function nextMilestones(obs: OperationObservation, sent: readonly Milestone[]): { milestones: Milestone[]; done: boolean } {
  const reached = obs.kind === "plan" ? planMilestones(obs) : obs.kind === "provision" ? provisionMilestones(obs) : teardownMilestones(obs);
  const milestones = reached.filter((m) => !sent.includes(m));
  const done = [...sent, ...milestones].some((m) => FINAL.has(m));
  return { milestones, done };
}

function provisionMilestones(obs: OperationObservation): Milestone[] {
  const out: Milestone[] = [];
  const ended = ENDED.includes(obs.runtimeStatus);
  const failed = obs.state === "failed" || (ended && obs.state !== "active") || (!obs.current && obs.state !== "active");
  const passedPreflight =
    obs.resources.virtualNetworkId !== undefined && !(failed && BEFORE_PREFLIGHT_PASSED.has(obs.failure?.step ?? "preflight"));
  if (passedPreflight || (obs.step !== undefined && !BEFORE_PREFLIGHT_PASSED.has(obs.step))) out.push("preflight-passed");
  if (obs.resources.circuitId !== undefined) out.push("circuit-created");
  if (obs.step === "provider" && !failed) out.push("waiting-for-oracle");
  if (obs.state === "active") out.push("active");
  else if (failed) out.push("failed");
  return out;
}

function planMilestones(obs: OperationObservation): Milestone[] {
  if (obs.plan) return ["plan-reported"];
  return ENDED.includes(obs.runtimeStatus) ? ["plan-failed"] : [];
}

function teardownMilestones(obs: OperationObservation): Milestone[] {
  if (obs.state === "deleted") return ["torn-down"];
  if (obs.state === "failed" || ENDED.includes(obs.runtimeStatus)) return ["teardown-failed"];
  return [];
}
