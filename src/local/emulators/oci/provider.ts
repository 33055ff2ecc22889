import type { CircuitForProvider, VirtualCircuitForProvider } from "../shared/provider-link";
import { EXPRESSROUTE_PROVIDER_NAME, MICROSOFT_AZURE, peeringLocationsServing, shapesOf } from "./catalog";
import { blockOf, parseIpv4Cidr } from "./cidr";
import type { OciContext } from "./context";
import type { VirtualCircuitRecord } from "./model";

/** Oracle's ASN on every FastConnect BGP session (the peer ASN Azure shows on AzurePrivatePeering). */
export const ORACLE_BGP_ASN = 31898;
/** Microsoft's ExpressRoute ASN, the "customer" side of the session from Oracle's point of view. */
export const AZURE_ASN = 12076;

/**
 * The partner's work on a virtual circuit with Microsoft Azure: Oracle's provider automation reads the
 * ExpressRoute circuit behind the service key and either takes it up or fails the virtual circuit with
 * the reason in referenceComment. Providers other than Azure are not linked here: their partner never
 * acts, so their virtual circuits stay PENDING_PROVIDER, as they would without the partner's work.
 */
export function pickUp(ctx: OciContext, rec: VirtualCircuitRecord): void {
  const vc = rec.resource;
  if (vc.providerName !== MICROSOFT_AZURE) {
    rec.dueAt = undefined;
    return;
  }
  const key = vc.providerServiceKeyName ?? "";
  let circuit: CircuitForProvider | undefined;
  try {
    circuit = ctx.link.azure.describeCircuit(key);
  } catch (err) {
    return fail(ctx, rec, `Microsoft Azure could not be reached to validate the service key: ${(err as Error).message}`);
  }
  const reason = rejectionReason(ctx, rec, circuit);
  if (reason) return fail(ctx, rec, reason);
  try {
    ctx.link.azure.providerProvisioning(key);
  } catch (err) {
    return fail(ctx, rec, `Microsoft Azure refused to start provisioning: ${(err as Error).message}`);
  }
  rec.providerEngaged = true;
  const vlan = vlanFor(vc.id);
  vc.crossConnectMappings = vc.crossConnectMappings.map((m) => ({ ...m, vlan }));
  vc.lifecycleState = "PROVISIONING";
  rec.dueAt = ctx.now() + ctx.durations.providerProvisioning;
}

function rejectionReason(ctx: OciContext, rec: VirtualCircuitRecord, circuit: CircuitForProvider | undefined): string | undefined {
  const vc = rec.resource;
  if (!circuit) return `Microsoft Azure does not recognize the service key ${vc.providerServiceKeyName ?? ""}`;
  if (circuit.serviceProviderName !== EXPRESSROUTE_PROVIDER_NAME) {
    return `the ExpressRoute circuit uses the provider "${circuit.serviceProviderName}", not "${EXPRESSROUTE_PROVIDER_NAME}"`;
  }
  const served = peeringLocationsServing(ctx.region);
  if (!served.includes(circuit.peeringLocation)) {
    return `the ExpressRoute peering location "${circuit.peeringLocation}" does not serve ${ctx.region} (served: ${served.join(", ") || "none"})`;
  }
  const shape = shapesOf(vc.providerServiceId).find((s) => s.name === vc.bandwidthShapeName);
  if (!shape || shape.bandwidthInMbps !== circuit.bandwidthInMbps) {
    return `the bandwidth shape ${vc.bandwidthShapeName} does not match the ExpressRoute circuit bandwidth of ${circuit.bandwidthInMbps} Mbps`;
  }
  if (circuit.serviceProviderProvisioningState !== "NotProvisioned") {
    return `the ExpressRoute circuit is already ${circuit.serviceProviderProvisioningState} with the provider`;
  }
  const other = Object.values(ctx.state.virtualCircuits).find(
    (r) =>
      r !== rec &&
      r.providerEngaged &&
      r.resource.providerServiceKeyName === vc.providerServiceKeyName &&
      r.resource.lifecycleState !== "TERMINATED",
  );
  if (other) return `the service key is in use by virtual circuit ${other.resource.id}`;
  return undefined;
}

function fail(ctx: OciContext, rec: VirtualCircuitRecord, reason: string): void {
  rec.resource.lifecycleState = "FAILED";
  rec.resource.referenceComment = reason;
  rec.dueAt = undefined;
  ctx.store.changed();
}

/** PROVISIONING → PROVISIONED: the partner configured its side and Azure gets its private peering. */
export function completeProvisioning(ctx: OciContext, rec: VirtualCircuitRecord): void {
  const vc = rec.resource;
  if (!rec.azureProvisioned) {
    const [primary, secondary] = vc.crossConnectMappings.map((m) => blockOf(parseIpv4Cidr(m.customerBgpPeeringIp)!));
    try {
      ctx.link.azure.providerProvisioned(vc.providerServiceKeyName ?? "", {
        primaryPeerAddressPrefix: primary!,
        secondaryPeerAddressPrefix: secondary ?? primary!,
        vlanId: vc.crossConnectMappings[0]?.vlan ?? 0,
        peerASN: ORACLE_BGP_ASN,
      });
    } catch (err) {
      return fail(ctx, rec, `Microsoft Azure refused the private peering configuration: ${(err as Error).message}`);
    }
    rec.azureProvisioned = true;
  }
  vc.lifecycleState = "PROVISIONED";
  vc.providerState = "ACTIVE";
  vc.customerAsn = AZURE_ASN;
  vc.customerBgpAsn = AZURE_ASN;
  rec.dueAt = undefined;
  rec.bgpUpAt = ctx.now() + ctx.durations.bgpEstablishment;
}

/** DELETE: the partner removes its side, so Azure starts deprovisioning the circuit. */
export function releaseProvider(ctx: OciContext, rec: VirtualCircuitRecord): void {
  if (!rec.providerEngaged) return;
  rec.providerEngaged = false;
  const key = rec.resource.providerServiceKeyName ?? "";
  try {
    // A circuit that no longer exists has nothing left to deprovision.
    if (ctx.link.azure.describeCircuit(key)) ctx.link.azure.providerDeprovisioning(key);
  } catch (err) {
    console.error(`oci emulator: telling Azure to deprovision ${key} failed: ${(err as Error).message}`);
  }
}

/** The virtual circuit starts TERMINATING (a DELETE, or the partner deprovisioning it): BGP drops, and it is gone after the termination time. */
export function startTermination(ctx: OciContext, rec: VirtualCircuitRecord): void {
  releaseProvider(ctx, rec);
  const vc = rec.resource;
  vc.lifecycleState = "TERMINATING";
  vc.providerState = "INACTIVE";
  vc.bgpSessionState = "DOWN";
  rec.bgpUpAt = undefined;
  rec.dueAt = ctx.now() + ctx.durations.virtualCircuitTermination;
}

/** The VLAN the partner picks, stable per virtual circuit. */
export function vlanFor(virtualCircuitId: string): number {
  let h = 0;
  for (const ch of virtualCircuitId) h = (h * 31 + ch.charCodeAt(0)) % 3000;
  return 100 + h;
}

export function describeForAzure(ctx: OciContext, serviceKey: string): VirtualCircuitForProvider | undefined {
  const candidates = Object.values(ctx.state.virtualCircuits).filter(
    (r) => r.resource.providerServiceKeyName === serviceKey && r.resource.lifecycleState !== "TERMINATED",
  );
  const rec = candidates.find((r) => r.providerEngaged) ?? candidates[0];
  if (!rec) return undefined;
  const vc = rec.resource;
  const vcnIds = Object.values(ctx.state.drgAttachments)
    .filter((a) => a.resource.drgId === vc.gatewayId && a.resource.lifecycleState === "ATTACHED")
    .map((a) => a.resource.vcnId);
  return {
    virtualCircuitId: vc.id,
    serviceKey,
    lifecycleState: vc.lifecycleState,
    providerState: vc.providerState,
    bgpSessionState: vc.bgpSessionState,
    crossConnectMappings: vc.crossConnectMappings.map((m) => ({
      oracleBgpPeeringIp: m.oracleBgpPeeringIp,
      customerBgpPeeringIp: m.customerBgpPeeringIp,
    })),
    oracleBgpAsn: vc.oracleBgpAsn,
    advertisedPrefixes: vcnIds.flatMap((id) => ctx.state.vcns[id]?.cidrBlocks ?? []),
    pathsDown: [...(rec.pathsDown ?? [])],
  };
}
