import type { DrgSummary, MonitorReadiness, NetworkWatcherRef, ResourceOwnership, VcnSummary, VirtualNetworkSummary } from "../contracts";
import { permanent } from "../contracts";
import { bandwidthFor, GATEWAY_SKUS, supportsFastPath, type BandwidthGbps, type GatewaySku } from "../domain/skus";
import { WorkflowStepError } from "./failure";
import type { PlanExpectation, WorkflowBgpPlan, WorkflowSpec } from "./names";
import { planStaleness } from "./plan-stale";
import { attachedDrgId, preflightProblems } from "./preflight-checks";
import type { Flow, WorkflowRun } from "./run";
import { scopesOf } from "./scopes";

export const PREFLIGHT_STEP = "preflight";

/** What the live clouds said before anything billable exists; the rest of the provisioning works from it. */
export interface PreflightFacts {
  virtualNetwork: VirtualNetworkSummary;
  vcn: VcnSummary;
  providerServiceId: string;
  bandwidthInMbps: number;
  bandwidthShapeName: string;
  /** The existing DRG named in the spec, or null when we create ours. */
  existingDrg: DrgSummary | null;
  /** The gateway this run creates when the VNet has none. */
  newGateway: { sku: GatewaySku; scaleUnits?: number };
  expressRouteGatewayBypass: boolean;
  owned: ResourceOwnership;
  /** The Network Watcher the end-to-end probe's connection monitor goes in; null without spec.monitor. */
  networkWatcher: NetworkWatcherRef | null;
}

/**
 * Read both clouds and check everything that would make a later, billable step fail. Every problem
 * found is reported at once, so one correction of the spec is enough.
 */
export function* preflight(run: WorkflowRun, spec: WorkflowSpec, bgpPlan: WorkflowBgpPlan, plan?: PlanExpectation): Flow<PreflightFacts> {
  const step = PREFLIGHT_STEP;
  const { azure } = scopesOf(spec);
  const bandwidth = bandwidthFor(spec.bandwidthGbps as BandwidthGbps);

  // Pre-flight delays the gateway, the longest pole: one cloud of each pair per round trip.
  const [virtualNetwork, vcn] = yield* run.readPair(
    step,
    ["azureReadVirtualNetwork", { azure, virtualNetworkName: spec.azure.virtualNetwork.name }],
    ["ociReadVcn", { region: spec.oci.region, vcnId: spec.oci.vcnId }],
  );
  const [offer, providerService] = yield* run.readPair(
    step,
    [
      "azureReadProviderOffer",
      {
        subscriptionId: spec.azure.subscriptionId,
        peeringLocation: spec.azure.peeringLocation,
        bandwidthInMbps: bandwidth.bandwidthInMbps,
      },
    ],
    ["ociReadProviderService", { region: spec.oci.region, compartmentId: spec.oci.compartmentId }],
  );
  // The DRG named in the spec, or the one the VCN is already attached to (a VCN attaches to one DRG): reused and shared.
  const drgId = spec.oci.drgId ?? attachedDrgId(spec, vcn);
  const existingDrg =
    drgId === undefined ? null : yield* run.call(step, "ociReadDrg", { region: spec.oci.region, drgId, vcnId: spec.oci.vcnId });

  const monitor: MonitorReadiness | null =
    spec.monitor === undefined
      ? null
      : yield* run.call(step, "azureReadMonitorReadiness", {
          subscriptionId: spec.azure.subscriptionId,
          sourceVirtualMachineId: spec.monitor.sourceVirtualMachineId,
          fallbackRegion: spec.azure.location,
        });

  const reads = { virtualNetwork, vcn, offer, providerService, existingDrg, monitor };
  // Started from a plan: nothing is built when the clouds changed since (someone created the GatewaySubnet meanwhile).
  const stale = plan === undefined ? [] : planStaleness(plan, spec, bgpPlan, reads);
  if (stale.length > 0)
    throw new WorkflowStepError(
      step,
      permanent("PLAN_STALE", `plan is stale: ${stale.join("; ")} (plan ${plan?.planId}); make a new plan`),
    );
  const problems = preflightProblems(spec, bgpPlan, reads);
  if (problems.length > 0) throw new WorkflowStepError(step, permanent("PREFLIGHT_FAILED", problems.map((p) => p.message).join("; ")));

  const existingGateway = virtualNetwork.expressRouteGateway;
  const wantedSku: GatewaySku = spec.azure.gateway?.sku ?? "UltraPerformance";
  const gatewaySku = existingGateway?.sku ?? wantedSku;
  const scaleUnits = existingGateway === null ? spec.azure.gateway?.scaleUnits : undefined;
  const fastPathWanted = spec.azure.gateway?.fastPath ?? true;
  const skuKnown = (GATEWAY_SKUS as readonly string[]).includes(gatewaySku);
  const facts: PreflightFacts = {
    virtualNetwork,
    vcn,
    providerServiceId: providerService.providerServiceId,
    bandwidthInMbps: bandwidth.bandwidthInMbps,
    bandwidthShapeName: bandwidth.bandwidthShapeName,
    existingDrg,
    newGateway: scaleUnits === undefined ? { sku: wantedSku } : { sku: wantedSku, scaleUnits },
    expressRouteGatewayBypass: fastPathWanted && skuKnown && supportsFastPath(gatewaySku as GatewaySku, scaleUnits),
    owned: {
      gatewaySubnet: virtualNetwork.gatewaySubnet === null,
      gateway: existingGateway === null,
      drg: existingDrg === null,
      drgAttachment: existingDrg?.vcnAttachment == null,
    },
    networkWatcher: monitor?.networkWatcher ?? null,
  };
  return facts;
}
