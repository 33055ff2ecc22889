import type { OrchestrationContext } from "durable-functions";
import type { ActivityInput, ActivityName, ActivityOutput, OpContext } from "../contracts";
import type { Plan, PlanProblem } from "../domain/plan";
import { bandwidthFor, type BandwidthGbps } from "../domain/skus";
import { WorkflowStepError } from "./failure";
import { buildPlan, type PlanReads } from "./plan-build";
import { readPlanInput } from "./plan-input";
import { WorkflowRun, type Flow } from "./run";

export const PLAN_STEPS = ["read", "plan"] as const;

/** The spec field a failed read is about, and what to change. */
const READ_PROBLEMS: Partial<Record<ActivityName, { path: string; fix: string }>> = {
  azureReadVirtualNetwork: {
    path: "azure.virtualNetwork.name",
    fix: "name an existing virtual network in azure.resourceGroup, or grant the service read access to it",
  },
  ociReadVcn: { path: "oci.vcnId", fix: "name an existing VCN of oci.region, or allow the service to read it" },
  azureReadProviderOffer: { path: "azure.peeringLocation", fix: "check the subscription can list ExpressRoute service providers" },
  ociReadProviderService: { path: "oci.region", fix: 'use a region where FastConnect offers "Microsoft Azure"' },
  ociReadDrg: { path: "oci.drgId", fix: "name an existing DRG of oci.region, or leave oci.drgId out to create one" },
};

type Read<N extends ActivityName> = [N, Omit<ActivityInput<N>, "opContext">];

/**
 * A dry run of the provisioning (issue 12): the same pre-flight reads and checks, plus what an earlier
 * attempt of this name left, and which resources other interconnects use; its output is the plan.
 * Only read activities are called: it creates, reserves and changes nothing, and writes no audit row.
 */
export function* planInterconnect(context: OrchestrationContext): Flow<Plan> {
  const input = readPlanInput(context.df.getInput());
  const { spec } = input;
  const op: OpContext = { interconnect: input.name, instanceId: context.df.instanceId, operation: "plan", actor: input.actor };
  const run = new WorkflowRun(context, op, input.timing, PLAN_STEPS);
  const azure = { subscriptionId: spec.azure.subscriptionId, resourceGroup: spec.azure.resourceGroup };
  const oci = { region: spec.oci.region, compartmentId: spec.oci.compartmentId };
  const problems: PlanProblem[] = [...input.problems];

  run.enter("read", "reading both clouds (nothing is created)");
  const reads: Read<ActivityName>[] = [
    ["azureReadVirtualNetwork", { azure, virtualNetworkName: spec.azure.virtualNetwork.name }],
    ["ociReadVcn", { region: spec.oci.region, vcnId: spec.oci.vcnId }],
    [
      "azureReadProviderOffer",
      {
        subscriptionId: spec.azure.subscriptionId,
        peeringLocation: spec.azure.peeringLocation,
        bandwidthInMbps: bandwidthFor(spec.bandwidthGbps as BandwidthGbps).bandwidthInMbps,
      },
    ],
    ["ociReadProviderService", { region: spec.oci.region, compartmentId: spec.oci.compartmentId }],
    ["ociGetDrg", { oci }],
    ["azureGetCircuit", { azure }],
    ["ociGetVirtualCircuit", { oci }],
    ["azureGetConnection", { azure }],
    ["resourceUsageRead", {}],
  ];
  if (spec.oci.drgId !== undefined) reads.push(["ociReadDrg", { region: spec.oci.region, drgId: spec.oci.drgId, vcnId: spec.oci.vcnId }]);
  if (spec.monitor !== undefined)
    reads.push([
      "azureReadMonitorReadiness",
      {
        subscriptionId: spec.azure.subscriptionId,
        sourceVirtualMachineId: spec.monitor.sourceVirtualMachineId,
        fallbackRegion: spec.azure.location,
      },
    ]);
  const results = yield* readAll(run, reads, problems);
  const get = <N extends ActivityName>(name: N) => (results.get(name) ?? null) as ActivityOutput<N> | null;

  run.enter("plan", "building the plan");
  const planReads: PlanReads = {
    virtualNetwork: get("azureReadVirtualNetwork"),
    vcn: get("ociReadVcn"),
    offer: get("azureReadProviderOffer"),
    providerService: get("ociReadProviderService"),
    existingDrg: get("ociReadDrg"),
    ourDrg: get("ociGetDrg"),
    circuit: get("azureGetCircuit"),
    virtualCircuit: get("ociGetVirtualCircuit"),
    connection: get("azureGetConnection"),
    monitor: get("azureReadMonitorReadiness"),
  };
  const plan = buildPlan({
    planId: context.df.instanceId,
    createdAt: run.nowIso(),
    spec,
    bgp: input.bgp,
    problems,
    reads: planReads,
    uses: get("resourceUsageRead")?.uses ?? [],
    waits: input.timing.waits,
  });
  run.note({ message: plan.ready ? "plan ready" : `plan has ${plan.problems.length} problem(s)` });
  return plan;
}

/**
 * All reads in one round trip of history. When any fails, each is read again on its own (with the
 * usual retries), so every failed read becomes a problem and the others still count.
 */
function* readAll(run: WorkflowRun, reads: Read<ActivityName>[], problems: PlanProblem[]): Flow<Map<ActivityName, unknown>> {
  const results = new Map<ActivityName, unknown>();
  try {
    const outputs = (yield run.context.df.Task.all(
      reads.map(([name, input]) => run.context.df.callActivity(name, { ...input, opContext: run.op })),
    )) as unknown[];
    reads.forEach(([name], i) => results.set(name, outputs[i]));
    return results;
  } catch {
    for (const [name, input] of reads) {
      try {
        results.set(name, yield* run.call("read", name, input as never));
      } catch (error) {
        if (!(error instanceof WorkflowStepError)) throw error;
        problems.push(readProblem(name, error));
      }
    }
    return results;
  }
}

function readProblem(name: ActivityName, error: WorkflowStepError): PlanProblem {
  const known = READ_PROBLEMS[name];
  const { code, message } = error.failure;
  const compartment = name === "ociReadProviderService" && message.startsWith("oci.compartmentId");
  return {
    path: compartment ? "oci.compartmentId" : (known?.path ?? ""),
    message: `${name}: ${code}: ${message}`,
    fix: compartment
      ? "name a compartment of oci.region this service may use"
      : (known?.fix ?? "check the service's access to both clouds, then plan again"),
  };
}
