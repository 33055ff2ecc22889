import type { DesiredSnapshot } from "./desired-snapshot";
import { driftFindings } from "./drift";
import type { Finding, FindingDraft } from "./health";
import { controlPlaneFindings } from "./health-signals";
import { monitorFindings, type MonitorObservation } from "./monitor";
import type { ControlPlaneObservation, RouteObservation } from "./observation";
import { routeFindings } from "./route-findings";

/**
 * Every finding of one check: control-plane states and drift always, route-level ones when the routes were
 * read (and the end-to-end probe's results with them, when the interconnect has one).
 */
export function checkFindings(
  desired: DesiredSnapshot,
  live: ControlPlaneObservation,
  routes?: RouteObservation,
  monitor?: MonitorObservation,
): FindingDraft[] {
  return [
    ...controlPlaneFindings(desired, live),
    ...driftFindings(desired, live),
    ...(routes ? routeFindings(desired, routes, live) : []),
    ...(monitor ? monitorFindings(monitor) : []),
  ];
}

/**
 * What AUTO_REPAIR may do about the findings: only what day2-operations.md §2 calls safe and the service
 * owns — re-adding its VCN route rules (and the rule for a grown VNet prefix), and the GET+PUT refresh of
 * a Failed circuit or connection.
 */
export interface RepairPlan {
  /** Destinations to (re-)add → the DRG, merged into the VCN route table with if-match. */
  routeRules: string[];
  refreshCircuit: boolean;
  refreshConnection: boolean;
}

export function repairPlan(findings: readonly Pick<Finding, "code" | "subject" | "remedy">[]): RepairPlan {
  const auto = findings.filter((f) => f.remedy === "auto-repair");
  return {
    routeRules: auto.filter((f) => f.code === "route-rule-missing" || f.code === "vnet-prefix-unrouted").map((f) => f.subject),
    refreshCircuit: auto.some((f) => f.code === "circuit-failed"),
    refreshConnection: auto.some((f) => f.code === "connection-failed"),
  };
}

export function isEmptyPlan(plan: RepairPlan): boolean {
  return plan.routeRules.length === 0 && !plan.refreshCircuit && !plan.refreshConnection;
}
