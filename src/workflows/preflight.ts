import type { DrgSummary, ResourceOwnership, VcnSummary, VirtualNetworkSummary } from "../contracts";
import { sameAzureRegion } from "../domain/azure-regions";
import { planBgp } from "../domain/bgp-plan";
import { ValidationError } from "../domain/errors";
import { cidrContains, cidrsOverlap, parseCidr, type Cidr } from "../domain/ipv4";
import { resourceNames } from "../domain/names";
import { bandwidthFor, GATEWAY_SKUS, supportsFastPath, type BandwidthGbps, type GatewaySku } from "../domain/skus";
import { permanent } from "../contracts";
import { WorkflowStepError } from "./failure";
import type { WorkflowBgpPlan, WorkflowSpec } from "./names";
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
}

const USABLE_GATEWAY_STATES = ["Succeeded", "Updating", "Creating"];
const USABLE_DRG_STATES = ["AVAILABLE", "PROVISIONING"];

/**
 * Read both clouds and check everything that would make a later, billable step fail. Every problem
 * found is reported at once, so one correction of the spec is enough.
 */
export function* preflight(run: WorkflowRun, spec: WorkflowSpec, bgpPlan: WorkflowBgpPlan): Flow<PreflightFacts> {
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
    ["azureReadProviderOffer", { subscriptionId: spec.azure.subscriptionId, peeringLocation: spec.azure.peeringLocation, bandwidthInMbps: bandwidth.bandwidthInMbps }],
    ["ociReadProviderService", { region: spec.oci.region, compartmentId: spec.oci.compartmentId }],
  );
  const existingDrg =
    spec.oci.drgId === undefined ? null : yield* run.call(step, "ociReadDrg", { region: spec.oci.region, drgId: spec.oci.drgId, vcnId: spec.oci.vcnId });

  const problems: string[] = [];
  if (!offer.offered) {
    problems.push(
      `ExpressRoute provider "${offer.serviceProviderName}" does not offer ${bandwidth.bandwidthInMbps} Mbps at "${spec.azure.peeringLocation}" ` +
        `(peering locations: ${offer.peeringLocations.join(", ") || "none"}; bandwidths: ${offer.bandwidthsInMbps.join(", ") || "none"} Mbps)`,
    );
  }
  if (!providerService.bandwidthShapeNames.includes(bandwidth.bandwidthShapeName)) {
    problems.push(
      `FastConnect provider "${providerService.providerName}" in ${spec.oci.region} has no bandwidth shape "${bandwidth.bandwidthShapeName}" ` +
        `(offered: ${providerService.bandwidthShapeNames.join(", ") || "none"})`,
    );
  }
  if (virtualNetwork.location !== "" && !sameAzureRegion(virtualNetwork.location, spec.azure.location)) {
    problems.push(
      `azure.location ${spec.azure.location} differs from the region of virtual network ${spec.azure.virtualNetwork.name} (${virtualNetwork.location}); ` +
        "the gateway and its public IP must be in the VNet's region",
    );
  }
  if (vcn.lifecycleState !== "AVAILABLE") problems.push(`VCN ${vcn.id} is ${vcn.lifecycleState}, not AVAILABLE`);
  problems.push(...bgpProblems(bgpPlan, virtualNetwork.addressPrefixes, vcn.cidrBlocks));

  if (virtualNetwork.gatewaySubnet === null) {
    const prefix = parseCidr(spec.azure.virtualNetwork.gatewaySubnetPrefix);
    const inside = prefix !== undefined && virtualNetwork.addressPrefixes.some((p) => {
      const space = parseCidr(p);
      return space !== undefined && cidrContains(space, prefix);
    });
    if (!inside) {
      problems.push(
        `azure.virtualNetwork.gatewaySubnetPrefix ${spec.azure.virtualNetwork.gatewaySubnetPrefix} is not inside the address space of ` +
          `virtual network ${spec.azure.virtualNetwork.name} (${virtualNetwork.addressPrefixes.join(", ")})`,
      );
    }
    const taken = prefix === undefined ? [] : overlappingSubnets(prefix, virtualNetwork.subnets ?? []);
    if (taken.length > 0) {
      problems.push(
        `azure.virtualNetwork.gatewaySubnetPrefix ${spec.azure.virtualNetwork.gatewaySubnetPrefix} overlaps ` +
          `${taken.join(", ")} of virtual network ${spec.azure.virtualNetwork.name}`,
      );
    }
  }

  problems.push(...drgAttachmentProblems(spec, vcn));

  const existingGateway = virtualNetwork.expressRouteGateway;
  if (existingGateway !== null && !USABLE_GATEWAY_STATES.includes(existingGateway.provisioningState)) {
    problems.push(`the existing ExpressRoute gateway ${existingGateway.name} is ${existingGateway.provisioningState} and cannot be used`);
  }
  if (existingDrg !== null && !USABLE_DRG_STATES.includes(existingDrg.lifecycleState)) {
    problems.push(`oci.drgId ${existingDrg.id} is ${existingDrg.lifecycleState}, not AVAILABLE`);
  }

  if (problems.length > 0) throw new WorkflowStepError(step, permanent("PREFLIGHT_FAILED", problems.join("; ")));

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
  };
  return facts;
}

function overlappingSubnets(prefix: Cidr, subnets: { name: string; addressPrefixes: string[] }[]): string[] {
  return subnets.flatMap((subnet) =>
    subnet.addressPrefixes
      .filter((p) => {
        const other = parseCidr(p);
        return other !== undefined && cidrsOverlap(prefix, other);
      })
      .map((p) => `subnet ${subnet.name} (${p})`),
  );
}

/**
 * A VCN attaches to one DRG at a time: another DRG's live attachment would make ours fail after our
 * DRG exists. Ours from an earlier attempt (derived display name) is reused by the ensure step.
 */
function drgAttachmentProblems(spec: WorkflowSpec, vcn: VcnSummary): string[] {
  const ours = resourceNames(spec.name).drgAttachment;
  return (vcn.drgAttachments ?? [])
    .filter((a) => (spec.oci.drgId === undefined ? a.displayName !== ours : a.drgId !== spec.oci.drgId))
    .map(
      (a) =>
        `VCN ${vcn.id} is already attached to DRG ${a.drgId} (attachment ${a.id}, ${a.lifecycleState}); ` +
        (spec.oci.drgId === undefined ? "name that DRG in oci.drgId to use it" : `it cannot also attach to oci.drgId ${spec.oci.drgId}`),
    );
}

/** The domain's plan checker against the live address spaces (they may have changed since the request). */
function bgpProblems(plan: WorkflowBgpPlan, vnetPrefixes: string[], vcnCidrs: string[]): string[] {
  try {
    planBgp({
      requested: { primary: plan.primary.cidr, secondary: plan.secondary.cidr },
      pool: plan.primary.cidr,
      used: [],
      avoid: [...vnetPrefixes, ...vcnCidrs],
    });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.path} ${i.message}`);
    throw error;
  }
}
