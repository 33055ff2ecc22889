import type { PlannedResource, PlannedResourceKind } from "../domain/plan";
import type { PlanExpectation, WorkflowBgpPlan, WorkflowSpec } from "./names";
import { buildPlan } from "./plan-build";
import type { PreflightReads } from "./preflight-checks";
import { DEFAULT_WAIT_PROFILES } from "./waits";

/** What pre-flight reads decide; the derived-name reads (circuit, virtual circuit...) are the plan's alone. */
const COMPARED: readonly PlannedResourceKind[] = [
  "virtualNetwork",
  "gatewaySubnet",
  "gateway",
  "vcn",
  "routeTable",
  "drg",
  "drgAttachment",
];

/**
 * How the live clouds differ from the plan a provisioning was started from (someone created the
 * GatewaySubnet or attached the VCN meanwhile), each in words; empty when the plan still holds.
 * The live side is decided by the plan's own rules (buildPlan), so both sides mean the same.
 */
export function planStaleness(expected: PlanExpectation, spec: WorkflowSpec, bgpPlan: WorkflowBgpPlan, reads: PreflightReads): string[] {
  const live = buildPlan({
    planId: expected.planId,
    createdAt: "",
    spec,
    bgp: null,
    problems: [],
    reads: { ...reads, ourDrg: null, circuit: null, virtualCircuit: null, connection: null },
    uses: [],
    waits: DEFAULT_WAIT_PROFILES,
  });
  const changes: string[] = [];
  for (const kind of COMPARED) {
    const planned = expected.resources.find((r) => r.kind === kind);
    const now = live.resources.find((r) => r.kind === kind);
    // The plan found our own DRG of an earlier attempt by name; pre-flight does not look for it.
    if (kind === "drg" && spec.oci.drgId === undefined) continue;
    if (planned === undefined || now === undefined || (planned.id ?? "").toLowerCase() === (now.id ?? "").toLowerCase()) continue;
    changes.push(describe(kind, planned, now));
  }
  if (expected.bgp !== null && (expected.bgp.primary !== bgpPlan.primary.cidr || expected.bgp.secondary !== bgpPlan.secondary.cidr)) {
    changes.push(
      `the BGP blocks are ${bgpPlan.primary.cidr} and ${bgpPlan.secondary.cidr} now, the plan had ${expected.bgp.primary} and ${expected.bgp.secondary}`,
    );
  }
  return changes;
}

function describe(kind: string, planned: PlanExpectation["resources"][number], now: PlannedResource): string {
  if (planned.id === null) return `${kind} ${now.name} exists now (${now.id}), the plan would create it`;
  if (now.id === null) return `${kind} ${planned.name} (${planned.id}) is gone, the plan would use it`;
  return `${kind} is ${now.id} now, the plan had ${planned.id}`;
}
