import type { PeeringTables } from "../activities/contracts";
import type { WorkflowBgpPlan } from "./names";

export interface PeeringTablesByPath {
  primary: PeeringTables;
  secondary: PeeringTables;
}

const withoutMask = (ip: string) => ip.split("/", 1)[0] ?? ip;

/**
 * What is still missing from the private peering for the interconnect to carry traffic: on each
 * device path the ARP table must show Oracle's BGP address of that path, and the route table must
 * carry every VCN prefix Oracle advertises. Empty = verified.
 */
export function peeringTableGaps(plan: WorkflowBgpPlan, vcnCidrs: readonly string[], tables: PeeringTablesByPath): string[] {
  const gaps: string[] = [];
  for (const path of ["primary", "secondary"] as const) {
    const oracleIp = withoutMask(plan[path].oracleBgpPeeringIp);
    const table = tables[path];
    if (!table.arp.some((entry) => entry.ipAddress === oracleIp)) gaps.push(`${path} ARP table lacks Oracle peer ${oracleIp}`);
    const missing = vcnCidrs.filter((cidr) => !table.routes.some((route) => route.network === cidr));
    if (missing.length > 0) gaps.push(`${path} route table lacks ${missing.join(", ")}`);
  }
  return gaps;
}
