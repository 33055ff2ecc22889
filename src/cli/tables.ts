import Table from "cli-table3";
import type { Json } from "./api-client";
import { duration } from "./progress";

const table = (head: string[]) => new Table({ head, style: { head: [], border: [] }, wordWrap: true });

export function interconnectsTable(items: Json[]): string {
  const t = table(["name", "state", "Gbps", "operation", "updated"]);
  for (const i of items)
    t.push([
      i.name,
      i.state,
      i.bandwidthGbps ?? "",
      i.currentOperation ? `${i.currentOperation.kind} ${i.currentOperation.instanceId}` : "",
      i.updatedAt,
    ]);
  return t.toString();
}

export function auditTable(items: Json[]): string {
  const t = table(["at", "operation", "step", "phase", "actor", "message"]);
  for (const i of items)
    t.push([i.at, i.operation, i.step, i.phase, i.actor + (i.ticketRef ? ` (${i.ticketRef})` : ""), String(i.message ?? "").slice(0, 160)]);
  return t.toString();
}

export function recordSummary(record: Json): string {
  const t = table(["field", "value"]);
  const op = record.currentOperation;
  t.push(["name", record.name], ["state", record.state], ["bandwidth", `${record.spec?.bandwidthGbps ?? "?"} Gbps`]);
  if (op) t.push(["operation", `${op.kind} ${op.instanceId} (${op.runtimeStatus}${op.orphaned ? ", orphaned: DELETE it" : ""})`]);
  if (op?.customStatus?.step)
    t.push([
      "step",
      `${op.customStatus.stepNumber}/${op.customStatus.totalSteps} ${op.customStatus.step}: ${op.customStatus.message ?? ""}`,
    ]);
  if (record.failure) t.push(["failure", `${record.failure.step}: ${record.failure.code}: ${record.failure.message}`]);
  for (const [k, v] of Object.entries(record.resources ?? {})) if (typeof v === "string") t.push([k, v]);
  return t.toString();
}

/** An adoption that has no record yet (GET …/adoption): its instance, its step, and how it ended. */
export function adoptionSummary(adoption: Json): string {
  const t = table(["field", "value"]);
  const status = adoption.customStatus ?? {};
  t.push(["name", adoption.name], ["record", "none yet: an adoption writes it once the chain is verified"]);
  t.push(["operation", `adopt ${adoption.instanceId} (${adoption.runtimeStatus})`]);
  if (status.step) t.push(["step", `${status.stepNumber}/${status.totalSteps} ${status.step}: ${status.message ?? ""}`]);
  if (adoption.runtimeStatus !== "Completed" && adoption.output) t.push(["output", String(adoption.output)]);
  return t.toString();
}

/** What a plan would do, what bills from when, how long, and what to fix first. */
export function planReport(plan: Json): string {
  const resources = table(["cloud", "resource", "action", "name", "existing id", "bills from"]);
  for (const r of plan.resources as Json[]) {
    const bills = r.billing.bills ? (r.billing.fromStep ? `step ${r.billing.fromStep}` : "already billing") : "-";
    resources.push([
      r.cloud,
      r.kind,
      r.action + (r.sharedWith.length ? ` with ${r.sharedWith.join(", ")}` : ""),
      r.name,
      r.id ?? "",
      bills,
    ]);
  }
  const lines = [`Plan ${plan.planId} for ${plan.name} (clouds read at ${plan.createdAt})`, resources.toString()];
  if (plan.bgp)
    lines.push(
      `BGP: primary ${plan.bgp.primary.cidr} (Oracle ${plan.bgp.primary.oracleBgpPeeringIp}, Azure ${plan.bgp.primary.customerBgpPeeringIp}), secondary ${plan.bgp.secondary.cidr} (Oracle ${plan.bgp.secondary.oracleBgpPeeringIp}, Azure ${plan.bgp.secondary.customerBgpPeeringIp}); ASNs Oracle ${plan.bgp.oracleAsn}, Azure ${plan.bgp.azureAsn}; blocks ${plan.bgp.source}`,
    );
  const d = plan.duration;
  lines.push(
    `Expected duration: ${duration(d.earliestSeconds * 1000)} to ${duration(d.latestSeconds * 1000)} (critical path: ${d.criticalPath.join(" → ")})`,
  );
  if (plan.problems.length === 0) lines.push(`Ready: interconnect up <spec> --plan ${plan.planId}`);
  else {
    const problems = table(["field", "problem", "what to change"]);
    for (const p of plan.problems as Json[]) problems.push([p.path || "(service)", p.message, p.fix]);
    lines.push(`${plan.problems.length} problem(s) to fix first:`, problems.toString());
  }
  return lines.join("\n");
}
