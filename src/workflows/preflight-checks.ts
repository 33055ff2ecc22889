import type { ActivityOutput, DrgSummary, MonitorReadiness, VcnSummary, VirtualNetworkSummary } from "../contracts";
import { sameAzureRegion } from "../domain/azure-regions";
import { planBgp } from "../domain/bgp-plan";
import { ValidationError } from "../domain/errors";
import { cidrContains, cidrsOverlap, parseCidr, parseIpv4, type Cidr } from "../domain/ipv4";
import { resourceNames } from "../domain/names";
import type { PlanProblem } from "../domain/plan";
import { bandwidthFor, type BandwidthGbps } from "../domain/skus";
import type { WorkflowBgpPlan, WorkflowSpec } from "./names";

/** What pre-flight read from both clouds; null where the read found nothing (a plan goes on without it). */
export interface PreflightReads {
  virtualNetwork: VirtualNetworkSummary | null;
  vcn: VcnSummary | null;
  offer: ActivityOutput<"azureReadProviderOffer"> | null;
  providerService: ActivityOutput<"ociReadProviderService"> | null;
  /** The DRG named in oci.drgId; null when none is named or it was not found. */
  existingDrg: DrgSummary | null;
  /** What the end-to-end probe needs (spec.monitor); null when the spec has none or the read failed. */
  monitor?: MonitorReadiness | null;
}

const USABLE_GATEWAY_STATES = ["Succeeded", "Updating", "Creating"];
const USABLE_DRG_STATES = ["AVAILABLE", "PROVISIONING"];

/**
 * Everything in the live clouds that would make a later, billable step fail, each with the spec field
 * to change. Pure: the provisioning's pre-flight and the plan check the same rules.
 */
export function preflightProblems(spec: WorkflowSpec, bgpPlan: WorkflowBgpPlan | null, reads: PreflightReads): PlanProblem[] {
  const { virtualNetwork, vcn, offer, providerService, existingDrg } = reads;
  const bandwidth = bandwidthFor(spec.bandwidthGbps as BandwidthGbps);
  const problems: PlanProblem[] = [];
  if (offer !== null && !offer.offered) {
    problems.push({
      path: offer.peeringLocations.includes(spec.azure.peeringLocation) ? "bandwidthGbps" : "azure.peeringLocation",
      message:
        `ExpressRoute provider "${offer.serviceProviderName}" does not offer ${bandwidth.bandwidthInMbps} Mbps at "${spec.azure.peeringLocation}" ` +
        `(peering locations: ${offer.peeringLocations.join(", ") || "none"}; bandwidths: ${offer.bandwidthsInMbps.join(", ") || "none"} Mbps)`,
      fix: "choose a peering location and a bandwidth the provider offers",
    });
  }
  if (providerService !== null && !providerService.bandwidthShapeNames.includes(bandwidth.bandwidthShapeName)) {
    problems.push({
      path: "bandwidthGbps",
      message:
        `FastConnect provider "${providerService.providerName}" in ${spec.oci.region} has no bandwidth shape "${bandwidth.bandwidthShapeName}" ` +
        `(offered: ${providerService.bandwidthShapeNames.join(", ") || "none"})`,
      fix: "choose a bandwidth with a FastConnect shape in this region",
    });
  }
  if (virtualNetwork !== null && virtualNetwork.location !== "" && !sameAzureRegion(virtualNetwork.location, spec.azure.location)) {
    problems.push({
      path: "azure.location",
      message:
        `azure.location ${spec.azure.location} differs from the region of virtual network ${spec.azure.virtualNetwork.name} (${virtualNetwork.location}); ` +
        "the gateway and its public IP must be in the VNet's region",
      fix: `set azure.location to ${virtualNetwork.location}`,
    });
  }
  if (vcn !== null && vcn.lifecycleState !== "AVAILABLE") {
    problems.push({
      path: "oci.vcnId",
      message: `VCN ${vcn.id} is ${vcn.lifecycleState}, not AVAILABLE`,
      fix: "wait until the VCN is AVAILABLE or name another VCN",
    });
  }
  if (bgpPlan !== null) problems.push(...bgpProblems(bgpPlan, virtualNetwork?.addressPrefixes ?? [], vcn?.cidrBlocks ?? []));
  if (virtualNetwork !== null) problems.push(...gatewaySubnetProblems(spec, virtualNetwork));
  if (vcn !== null) problems.push(...drgAttachmentProblems(spec, vcn));
  if (spec.monitor !== undefined) problems.push(...monitorProblems(spec, reads.monitor ?? null, virtualNetwork, vcn));

  const existingGateway = virtualNetwork?.expressRouteGateway ?? null;
  if (existingGateway !== null && !USABLE_GATEWAY_STATES.includes(existingGateway.provisioningState)) {
    problems.push({
      path: "azure.virtualNetwork.name",
      message: `the existing ExpressRoute gateway ${existingGateway.name} is ${existingGateway.provisioningState} and cannot be used`,
      fix: `repair or delete gateway ${existingGateway.name}, or name another virtual network`,
    });
  }
  if (existingDrg !== null && !USABLE_DRG_STATES.includes(existingDrg.lifecycleState)) {
    problems.push({
      path: "oci.drgId",
      message: `oci.drgId ${existingDrg.id} is ${existingDrg.lifecycleState}, not AVAILABLE`,
      fix: "name an AVAILABLE DRG in oci.drgId, or leave it out to create one",
    });
  }
  return problems;
}

/**
 * The end-to-end probe needs a Network Watcher in the source VM's region and the Network Watcher agent
 * extension on the VM (day2-operations.md §4, "Prerequisites"), and its destination must be in the VCN.
 */
function monitorProblems(
  spec: WorkflowSpec,
  readiness: MonitorReadiness | null,
  virtualNetwork: VirtualNetworkSummary | null,
  vcn: VcnSummary | null,
): PlanProblem[] {
  const monitor = spec.monitor;
  if (monitor === undefined) return [];
  const problems: PlanProblem[] = [];
  const vmPath = "monitor.sourceVirtualMachineId";
  if (readiness !== null) {
    if (!readiness.virtualMachine.found) {
      problems.push({
        path: vmPath,
        message: `${vmPath} ${monitor.sourceVirtualMachineId} was not found (or the service may not read it)`,
        fix: "name an existing VM in the virtual network as the probe's source",
      });
    } else {
      if (
        virtualNetwork !== null &&
        virtualNetwork.location !== "" &&
        !sameAzureRegion(readiness.virtualMachine.location, virtualNetwork.location)
      ) {
        problems.push({
          path: vmPath,
          message: `${vmPath} is in ${readiness.virtualMachine.location}, not in the virtual network's region ${virtualNetwork.location}`,
          fix: `name a VM in virtual network ${spec.azure.virtualNetwork.name}`,
        });
      }
      if (readiness.agentExtension === null) {
        problems.push({
          path: vmPath,
          message: `the Network Watcher agent extension is not installed on VM ${monitor.sourceVirtualMachineId} (publisher Microsoft.Azure.NetworkWatcher, type NetworkWatcherAgentLinux or NetworkWatcherAgentWindows); Connection Monitor needs it on an Azure VM source`,
          fix: "install the extension (az vm extension set --publisher Microsoft.Azure.NetworkWatcher --name NetworkWatcherAgentLinux, version 1.4) or name a VM that has it",
        });
      } else if (readiness.agentExtension.provisioningState !== "Succeeded") {
        problems.push({
          path: vmPath,
          message: `the Network Watcher agent extension ${readiness.agentExtension.name} on VM ${monitor.sourceVirtualMachineId} is ${readiness.agentExtension.provisioningState}, not Succeeded`,
          fix: "repair or reinstall the extension on the VM",
        });
      }
    }
    if (readiness.networkWatcher === null) {
      problems.push({
        path: vmPath,
        message: `no Network Watcher in region ${readiness.region} of subscription ${spec.azure.subscriptionId}; the connection monitor is created in it`,
        fix: `enable Network Watcher in ${readiness.region} (az network watcher configure --locations ${readiness.region} --enabled true)`,
      });
    }
  }
  const address = parseIpv4(monitor.destinationAddress);
  if (vcn !== null && address !== undefined) {
    const inside = vcn.cidrBlocks.some((b) => {
      const block = parseCidr(b);
      return block !== undefined && cidrContains(block, { address, prefixLength: 32 });
    });
    if (!inside) {
      problems.push({
        path: "monitor.destinationAddress",
        message: `monitor.destinationAddress ${monitor.destinationAddress} is not in VCN ${vcn.id} (${vcn.cidrBlocks.join(", ")})`,
        fix: "name an address in the VCN, e.g. a database listener's private IP",
      });
    }
  }
  return problems;
}

function gatewaySubnetProblems(spec: WorkflowSpec, virtualNetwork: VirtualNetworkSummary): PlanProblem[] {
  if (virtualNetwork.gatewaySubnet !== null) return [];
  const path = "azure.virtualNetwork.gatewaySubnetPrefix";
  const wanted = spec.azure.virtualNetwork.gatewaySubnetPrefix;
  const problems: PlanProblem[] = [];
  const prefix = parseCidr(wanted);
  const inside =
    prefix !== undefined &&
    virtualNetwork.addressPrefixes.some((p) => {
      const space = parseCidr(p);
      return space !== undefined && cidrContains(space, prefix);
    });
  if (!inside) {
    problems.push({
      path,
      message: `${path} ${wanted} is not inside the address space of virtual network ${spec.azure.virtualNetwork.name} (${virtualNetwork.addressPrefixes.join(", ")})`,
      fix: "choose a free /27 (or larger) block inside the virtual network's address space",
    });
  }
  const taken = prefix === undefined ? [] : overlappingSubnets(prefix, virtualNetwork.subnets ?? []);
  if (taken.length > 0) {
    problems.push({
      path,
      message: `${path} ${wanted} overlaps ${taken.join(", ")} of virtual network ${spec.azure.virtualNetwork.name}`,
      fix: "choose a block no subnet of the virtual network uses",
    });
  }
  return problems;
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
 * The DRG of the VCN's live attachment, when the spec names none and the attachment is not ours (ours,
 * left by an earlier attempt, is found again by the ensure steps under its derived name).
 */
export function attachedDrgId(spec: WorkflowSpec, vcn: VcnSummary | null): string | undefined {
  return attachedElsewhere(spec, vcn)?.drgId;
}

function attachedElsewhere(spec: WorkflowSpec, vcn: VcnSummary | null): NonNullable<VcnSummary["drgAttachments"]>[number] | undefined {
  if (spec.oci.drgId !== undefined || vcn === null) return undefined;
  const ours = resourceNames(spec.name).drgAttachment;
  return (vcn.drgAttachments ?? []).find((a) => a.displayName !== ours && !["DETACHING", "DETACHED"].includes(a.lifecycleState));
}

/** The VCN's attachment that a provisioning with no oci.drgId reuses (see attachedDrgId). */
export function attachedAttachmentId(spec: WorkflowSpec, vcn: VcnSummary | null): string | undefined {
  return attachedElsewhere(spec, vcn)?.id;
}

/**
 * A VCN attaches to one DRG at a time: with no oci.drgId, the DRG it is attached to is reused (and
 * shared); a different oci.drgId could never attach. Ours from an earlier attempt (derived display
 * name) is reused by the ensure step.
 */
function drgAttachmentProblems(spec: WorkflowSpec, vcn: VcnSummary): PlanProblem[] {
  if (spec.oci.drgId === undefined) return [];
  return (vcn.drgAttachments ?? [])
    .filter((a) => a.drgId !== spec.oci.drgId)
    .map((a) => ({
      path: "oci.drgId",
      message: `VCN ${vcn.id} is already attached to DRG ${a.drgId} (attachment ${a.id}, ${a.lifecycleState}); it cannot also attach to oci.drgId ${spec.oci.drgId}`,
      fix: `set oci.drgId to ${a.drgId}, leave it out to reuse that DRG, or detach the VCN from it`,
    }));
}

/** The domain's plan checker against the live address spaces (they may have changed since the request). */
function bgpProblems(plan: WorkflowBgpPlan, vnetPrefixes: string[], vcnCidrs: string[]): PlanProblem[] {
  try {
    planBgp({
      requested: { primary: plan.primary.cidr, secondary: plan.secondary.cidr },
      pool: plan.primary.cidr,
      used: [],
      avoid: [...vnetPrefixes, ...vcnCidrs],
    });
    return [];
  } catch (error) {
    if (error instanceof ValidationError) {
      return error.issues.map((i) => ({
        path: i.path,
        message: `${i.path} ${i.message}`,
        fix: "choose /30 blocks outside the virtual network and the VCN",
      }));
    }
    throw error;
  }
}
