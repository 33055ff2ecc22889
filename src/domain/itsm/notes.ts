import type { ValidationIssue } from "../errors";
import type { Plan } from "../plan";
import type { Milestone, OperationObservation } from "./milestones";
import type { TicketAction } from "./ticket";

/**
 * The words a requester reads in the ticket. Plain text (ServiceNow work notes, Jira comments), one
 * fact per line, ids in full so an engineer can find the resource; secrets never appear: the service
 * key only masked, as the record holds it.
 */
const ACTION_WORDS: Record<TicketAction, string> = {
  plan: "pre-flight plan",
  provision: "provisioning",
  decommission: "decommissioning (teardown)",
};

export function acceptedNote(action: TicketAction, interconnect: string, recordUrl: string, instanceId: string): string {
  return [
    `Interconnect ${interconnect}: ${ACTION_WORDS[action]} accepted.`,
    `Operation: ${instanceId}`,
    `Record: ${recordUrl}`,
    "Progress notes follow here.",
  ].join("\n");
}

export function rejectedNote(
  action: string,
  issues: readonly ValidationIssue[],
  why = "The request was rejected; nothing was started.",
): string {
  return [why, ...issues.map((i) => `- ${i.path ? `${i.path}: ` : ""}${i.message}`), `Fix the ticket and send the ${action} again.`].join(
    "\n",
  );
}

export function conflictNote(action: string, message: string): string {
  return [`The ${action} was refused; nothing was started.`, `- ${message}`].join("\n");
}

export function milestoneNote(milestone: Milestone, interconnect: string, obs: OperationObservation): string {
  const r = obs.resources as Record<string, unknown>;
  const ids = (keys: string[]) => keys.filter((k) => typeof r[k] === "string").map((k) => `- ${k}: ${String(r[k])}`);
  switch (milestone) {
    case "plan-reported":
      return obs.plan ? planNote(obs.plan) : `Interconnect ${interconnect}: the plan finished without a result.`;
    case "plan-failed":
      return `Interconnect ${interconnect}: the pre-flight plan could not be made (orchestration ${obs.runtimeStatus}). Send the plan again; if it fails again, ask the service's operators.`;
    case "preflight-passed":
      return `Interconnect ${interconnect}: pre-flight passed on both clouds (peering location, bandwidth, BGP blocks, VNet and VCN). Building now.`;
    case "circuit-created":
      return [
        `Interconnect ${interconnect}: ExpressRoute circuit created. Billing starts now.`,
        ...ids(["circuitId"]),
        ...(typeof r.serviceKeyMasked === "string" ? [`- service key: ${r.serviceKeyMasked}`] : []),
      ].join("\n");
    case "waiting-for-oracle":
      return `Interconnect ${interconnect}: waiting for Oracle to provision the FastConnect virtual circuit since ${obs.since ?? "now"} (usually minutes).`;
    case "active": {
      const bgp = obs.bgpPlan;
      return [
        `Interconnect ${interconnect} is active: BGP is up on both sessions and the peering tables are verified.`,
        ...(bgp
          ? [
              `BGP primary ${bgp.primary.cidr}: Oracle ${bgp.primary.oracleBgpPeeringIp}, Azure ${bgp.primary.customerBgpPeeringIp}`,
              `BGP secondary ${bgp.secondary.cidr}: Oracle ${bgp.secondary.oracleBgpPeeringIp}, Azure ${bgp.secondary.customerBgpPeeringIp}`,
            ]
          : []),
        ...ids(["circuitId", "gatewayId", "connectionId", "virtualCircuitId", "drgId", "drgAttachmentId", "routeTableId"]),
        ...(typeof r.serviceKeyMasked === "string" ? [`- service key: ${r.serviceKeyMasked}`] : []),
      ].join("\n");
    }
    case "failed": {
      const f = obs.failure;
      const left = ids(["circuitId", "virtualCircuitId", "connectionId", "gatewayId", "drgId", "drgAttachmentId"]);
      return [
        `Interconnect ${interconnect}: provisioning failed${f ? ` at step ${f.step} (${f.code}): ${f.message}` : ` (orchestration ${obs.runtimeStatus})`}.`,
        left.length
          ? "Still present (decommission the ticket, or DELETE the interconnect, to remove them):"
          : "Nothing of it remains on either cloud (compensation removed what this run created).",
        ...left,
      ].join("\n");
    }
    case "torn-down":
      return `Interconnect ${interconnect} is torn down: connection, virtual circuit, circuit and what this service created are removed. Billing has stopped.`;
    case "teardown-failed": {
      const f = obs.failure;
      return [
        `Interconnect ${interconnect}: teardown failed${f ? ` at step ${f.step} (${f.code}): ${f.message}` : ` (orchestration ${obs.runtimeStatus})`}.`,
        "Send the decommission again once the cause is fixed; it resumes from what exists.",
        ...ids(["circuitId", "virtualCircuitId", "connectionId", "gatewayId", "drgId"]),
      ].join("\n");
    }
  }
}

/** The plan a change advisory board approves: what is built or reused, the BGP sessions, billing, duration, problems. */
export function planNote(plan: Plan): string {
  const minutes = (s: number) => `${Math.round(s / 60)} min`;
  const lines = [
    `Pre-flight plan for interconnect ${plan.name} (read from both clouds at ${plan.createdAt}; nothing was created): ${plan.ready ? "READY, no problem found." : `${plan.problems.length} PROBLEM(S) to fix first.`}`,
    "Resources:",
    ...plan.resources.map(
      (r) =>
        `- ${r.action} ${r.cloud} ${r.kind} ${r.name}${r.id ? ` (${r.id})` : ""}${r.sharedWith.length ? `, shared with ${r.sharedWith.join(", ")}` : ""}${r.billing.bills ? `; bills${r.billing.fromStep ? ` from step ${r.billing.fromStep}` : " already"}: ${r.billing.basis}` : ""}`,
    ),
  ];
  if (plan.bgp) {
    lines.push(
      `BGP (${plan.bgp.source}; Oracle ASN ${plan.bgp.oracleAsn}, Azure ASN ${plan.bgp.azureAsn}):`,
      `- primary ${plan.bgp.primary.cidr}: Oracle ${plan.bgp.primary.oracleBgpPeeringIp}, Azure ${plan.bgp.primary.customerBgpPeeringIp}`,
      `- secondary ${plan.bgp.secondary.cidr}: Oracle ${plan.bgp.secondary.oracleBgpPeeringIp}, Azure ${plan.bgp.secondary.customerBgpPeeringIp}`,
    );
  }
  lines.push(
    `Expected duration: ${minutes(plan.duration.earliestSeconds)} to ${minutes(plan.duration.latestSeconds)} (critical path: ${plan.duration.criticalPath.join(" -> ")}).`,
  );
  if (plan.problems.length)
    lines.push("Problems:", ...plan.problems.map((p) => `- ${p.path ? `${p.path}: ` : ""}${p.message} (fix: ${p.fix})`));
  return lines.join("\n");
}

/** What a requester reads when the interconnect their ticket built changes health (README "Operating it"). */
export function healthNote(t: {
  interconnect: string;
  checkedAt: string;
  from?: string | undefined;
  to: string;
  raised: readonly string[];
  cleared: readonly string[];
  findings: readonly { code: string; subject: string; severity: string; action: string }[];
}): string {
  const key = (k: string) => k.replace("|", " ");
  const lines = [
    `Interconnect ${t.interconnect}: health ${t.from ?? "unknown"} -> ${t.to} (checked ${t.checkedAt}).`,
    ...(t.raised.length ? [`New: ${t.raised.map(key).join(", ")}`] : []),
    ...(t.cleared.length ? [`Cleared: ${t.cleared.map(key).join(", ")}`] : []),
  ];
  if (t.findings.length) lines.push("Findings now:", ...t.findings.map((f) => `- ${f.code} ${f.subject} (${f.severity}): ${f.action}`));
  else lines.push("No findings: both clouds look as built.");
  return lines.join("\n");
}
