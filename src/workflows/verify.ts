import type { AzureScope, PeeringTables } from "../contracts";
import { ORACLE_BGP_ASN } from "../domain/skus";
import type { WorkflowBgpPlan } from "./names";
import { pollUntil } from "./poll";
import type { Flow, WorkflowRun } from "./run";

export interface PeeringTablesByPath {
  primary: PeeringTables;
  secondary: PeeringTables;
}

const withoutMask = (ip: string) => ip.split("/", 1)[0] ?? ip;

/** An AS path as ARM prints it ("31898", "31898 65001", "31898,65001"): does it pass through Oracle? */
const throughOracle = (asPath: string) => asPath.split(/[\s,{}]+/).includes(String(ORACLE_BGP_ASN));

/**
 * What is still missing from the private peering for the interconnect to carry traffic: on each
 * device path the ARP table must show Oracle's BGP address of that path, and the route table must
 * carry every VCN prefix learned from Oracle: next hop Oracle's address of that path, AS path
 * through Oracle's ASN (a prefix learned from elsewhere does not prove this interconnect works).
 * Empty = verified.
 */
export function peeringTableGaps(plan: WorkflowBgpPlan, vcnCidrs: readonly string[], tables: PeeringTablesByPath): string[] {
  const gaps: string[] = [];
  for (const path of ["primary", "secondary"] as const) {
    const oracleIp = withoutMask(plan[path].oracleBgpPeeringIp);
    const table = tables[path];
    if (!table.arp.some((entry) => entry.ipAddress === oracleIp)) gaps.push(`${path} ARP table lacks Oracle peer ${oracleIp}`);
    const fromOracle = (cidr: string) =>
      table.routes.some((r) => r.network === cidr && withoutMask(r.nextHop) === oracleIp && throughOracle(r.path));
    const missing = vcnCidrs.filter((cidr) => !fromOracle(cidr));
    const elsewhere = missing.filter((cidr) => table.routes.some((r) => r.network === cidr));
    const absent = missing.filter((cidr) => !elsewhere.includes(cidr));
    if (absent.length > 0) gaps.push(`${path} route table lacks ${absent.join(", ")}`);
    if (elsewhere.length > 0)
      gaps.push(`${path} route table has ${elsewhere.join(", ")} but not via Oracle (next hop ${oracleIp}, AS ${ORACLE_BGP_ASN})`);
  }
  return gaps;
}

/** DESIGN.md step 9: polls both device paths' ARP and route tables until nothing is missing. */
export function* awaitVerified(
  run: WorkflowRun,
  azure: AzureScope,
  plan: WorkflowBgpPlan,
  vcnCidrs: readonly string[],
): Flow<PeeringTablesByPath> {
  return yield* pollUntil(run, {
    step: "verification",
    wait: "verification",
    waitingFor: "the Oracle peers in the ARP tables and the VCN prefixes in the route tables",
    deadlineMinutes: run.timing.verificationDeadlineMinutes,
    observe: function* (): Flow<PeeringTablesByPath> {
      const [primary, secondary] = yield* run.readPair(
        "verification",
        ["azureReadPeeringTables", { azure, devicePath: "primary" }],
        ["azureReadPeeringTables", { azure, devicePath: "secondary" }],
      );
      return { primary, secondary };
    },
    describe: (t) => peeringTableGaps(plan, vcnCidrs, t).join("; ") || "both paths verified",
    done: (t) => peeringTableGaps(plan, vcnCidrs, t).length === 0,
  });
}
