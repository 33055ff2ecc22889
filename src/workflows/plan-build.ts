import type { CircuitObservation, ConnectionObservation, DrgObservation, VirtualCircuitObservation } from "../contracts";
import { GATEWAY_SUBNET_NAME, resourceNames } from "../domain/names";
import type { Plan, PlanProblem, PlannedResource, PlannedResourceKind } from "../domain/plan";
import { planAction, usersOf, type ResourceUse } from "../domain/sharing";
import { AZURE_BGP_ASN, ORACLE_BGP_ASN } from "../domain/skus";
import type { WorkflowBgpPlan, WorkflowSpec } from "./names";
import { expectedDuration } from "./plan-duration";
import { attachedAttachmentId, attachedDrgId, preflightProblems, type PreflightReads } from "./preflight-checks";
import type { WaitProfiles } from "./waits";

/** Pre-flight's reads plus what an earlier attempt of this name may have left (found by derived name). */
export interface PlanReads extends PreflightReads {
  ourDrg: DrgObservation | null;
  circuit: CircuitObservation | null;
  virtualCircuit: VirtualCircuitObservation | null;
  connection: ConnectionObservation | null;
}

export interface PlanFacts {
  planId: string;
  createdAt: string;
  spec: WorkflowSpec;
  bgp: { plan: WorkflowBgpPlan; source: "requested" | "allocated" } | null;
  /** Problems found before the clouds were read (the BGP plan) and by the reads themselves. */
  problems: PlanProblem[];
  reads: PlanReads;
  uses: ResourceUse[];
  waits: WaitProfiles;
}

const NO_CHARGE = { bills: false, fromStep: null, basis: "no charge of its own" } as const;

/** The plan from what the clouds and the records said. Pure: the plan workflow and the stale check share it. */
export function buildPlan(facts: PlanFacts): Plan {
  const { spec, reads } = facts;
  const names = resourceNames(spec.name);
  const resources: PlannedResource[] = [];
  const add = (
    kind: PlannedResourceKind,
    cloud: "azure" | "oci",
    name: string,
    existingId: string | null,
    billing: PlannedResource["billing"] | ((created: boolean) => PlannedResource["billing"]),
    options: { userNamed?: boolean; note?: string } = {},
  ) => {
    const sharedWith = existingId === null ? [] : usersOf(existingId, facts.uses, spec.name);
    // What the user named is never created: when it was not found, the problems say so.
    const action = options.userNamed && existingId === null ? "reuse" : planAction(existingId, sharedWith);
    const resource: PlannedResource = {
      kind,
      cloud,
      action,
      name,
      id: existingId,
      sharedWith,
      billing: typeof billing === "function" ? billing(action === "create") : billing,
    };
    const note = options.note ?? (options.userNamed && existingId === null ? "not found (see problems)" : undefined);
    if (note !== undefined) resource.note = note;
    resources.push(resource);
    return resource;
  };
  const from = (step: string, basis: string) => (created: boolean) => ({ bills: true, fromStep: created ? step : null, basis });

  const vnet = reads.virtualNetwork;
  add("virtualNetwork", "azure", spec.azure.virtualNetwork.name, vnet?.id ?? null, NO_CHARGE, { userNamed: true });
  add("gatewaySubnet", "azure", GATEWAY_SUBNET_NAME, vnet?.gatewaySubnet?.id ?? null, NO_CHARGE, {
    ...(vnet?.gatewaySubnet ? {} : { note: `prefix ${spec.azure.virtualNetwork.gatewaySubnetPrefix}` }),
  });
  const existingGateway = vnet?.expressRouteGateway ?? null;
  const gateway = add(
    "gateway",
    "azure",
    existingGateway?.name ?? names.gateway,
    existingGateway?.id ?? null,
    from("gateway", "hourly by gateway SKU while the gateway exists"),
    {
      note: existingGateway
        ? `existing ${existingGateway.sku} gateway, ${existingGateway.provisioningState}`
        : `sku ${spec.azure.gateway?.sku ?? "UltraPerformance"}`,
    },
  );
  if (gateway.action === "create")
    add("gatewayPublicIp", "azure", names.gatewayPublicIp, null, from("gateway", "hourly for the gateway's Standard public IP address"));
  const circuit = reads.circuit?.found ? reads.circuit : null;
  add(
    "circuit",
    "azure",
    names.circuit,
    circuit?.circuitId ?? null,
    from("circuit", "from the service key's issue until the circuit is deleted, even while the provider has not provisioned it"),
    {
      note: `${spec.bandwidthGbps} Gbps at ${spec.azure.peeringLocation}, ${spec.azure.circuitSku?.tier ?? "Standard"}_${spec.azure.circuitSku?.family ?? "MeteredData"}`,
    },
  );
  const connection = reads.connection?.found ? reads.connection : null;
  add("connection", "azure", names.connection, connection?.connectionId ?? null, NO_CHARGE);

  const vcn = reads.vcn;
  add("vcn", "oci", spec.oci.vcnId, vcn?.id ?? null, NO_CHARGE, { userNamed: true });
  add("routeTable", "oci", "default route table of the VCN", vcn?.defaultRouteTableId || null, NO_CHARGE, { userNamed: true });
  const drg = drgDecision(spec, reads, names.drg);
  const drgResource = add("drg", "oci", drg.name, drg.id, NO_CHARGE, {
    ...(spec.oci.drgId ? { userNamed: true } : {}),
    ...(drg.note ? { note: drg.note } : {}),
  });
  const attachmentId =
    reads.existingDrg?.vcnAttachment?.id ??
    attachedAttachmentId(spec, vcn) ??
    vcn?.drgAttachments?.find((a) => a.displayName === names.drgAttachment)?.id ??
    null;
  const attachment = add("drgAttachment", "oci", names.drgAttachment, attachmentId, NO_CHARGE);
  const virtualCircuit = reads.virtualCircuit?.found ? reads.virtualCircuit : null;
  add(
    "virtualCircuit",
    "oci",
    names.virtualCircuit,
    virtualCircuit?.virtualCircuitId ?? null,
    from("virtual-circuit", "FastConnect port hours at the bandwidth shape while the virtual circuit exists"),
    {
      note: `${spec.bandwidthGbps} Gbps shape, provider "Microsoft Azure"`,
    },
  );
  add("routeRules", "oci", names.routeRuleDescription, null, NO_CHARGE, {
    note: `${(vnet?.addressPrefixes ?? []).join(", ") || "the virtual network's prefixes"} → the DRG`,
  });

  const problems = [...facts.problems, ...preflightProblems(spec, facts.bgp?.plan ?? null, reads)];
  return {
    planId: facts.planId,
    name: spec.name,
    createdAt: facts.createdAt,
    ready: problems.length === 0,
    resources,
    bgp:
      facts.bgp === null
        ? null
        : {
            source: facts.bgp.source,
            primary: facts.bgp.plan.primary,
            secondary: facts.bgp.plan.secondary,
            oracleAsn: ORACLE_BGP_ASN,
            azureAsn: AZURE_BGP_ASN,
          },
    duration: expectedDuration(facts.waits, {
      gateway: existingGateway === null ? "create" : existingGateway.provisioningState === "Succeeded" ? "ready" : "building",
      drgCreated: drgResource.action === "create",
      drgAttachmentCreated: attachment.action === "create",
      connectionReady: connection !== null && connection.connectionStatus === "Connected",
    }),
    problems,
  };
}

function drgDecision(spec: WorkflowSpec, reads: PlanReads, ourName: string): { name: string; id: string | null; note?: string } {
  if (spec.oci.drgId !== undefined) return { name: spec.oci.drgId, id: reads.existingDrg?.id ?? null };
  const attached = attachedDrgId(spec, reads.vcn);
  if (attached !== undefined) return { name: attached, id: attached, note: "the VCN is attached to it: reused, not created" };
  if (reads.ourDrg?.found) return { name: ourName, id: reads.ourDrg.drgId, note: "left by an earlier attempt of this interconnect" };
  return { name: ourName, id: null };
}
