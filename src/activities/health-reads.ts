/**
 * The health watch's reads of both clouds, reduced to the observations the domain judges
 * (day2-operations.md §1.6). Two tiers: the control plane (one GET per resource; ARM `Reader` is
 * enough) every few minutes, and the route level (ARP, BGP summary and routes per path, which are ARM
 * POST actions, plus the VCN route table and the DRG's learned routes) on a slower cadence.
 */
import type { AzureNetwork } from "../clouds/azure/network";
import type { OciNetwork } from "../clouds/oci/network";
import { resourceNames } from "../domain/names";
import { type ControlPlaneObservation, DEVICE_PATHS, type PathObservation, type RouteObservation } from "../domain/observation";
import { AZURE_PRIVATE_PEERING } from "../domain/skus";
import { parseArmId } from "./azure-ids";
import type { HealthTargets } from "../contracts";

export async function observeControlPlane(azure: AzureNetwork, oci: OciNetwork, t: HealthTargets): Promise<ControlPlaneObservation> {
  const names = { ...resourceNames(t.interconnect), ...t.names };
  const gateway = parseArmId(t.gatewayId, "gatewayId");
  const [circuit, connection, gw, vnet, vc, drg, attachment, vcn] = await Promise.all([
    azure.getCircuit(t.resourceGroup, names.circuit),
    azure.getConnection(t.resourceGroup, names.connection),
    azure.getGateway(gateway.resourceGroup, gateway.name),
    azure.getVirtualNetwork(t.resourceGroup, t.virtualNetworkName),
    oci.getVirtualCircuit(t.virtualCircuitId),
    oci.getDrg(t.drgId),
    oci.getDrgAttachment(t.drgAttachmentId),
    oci.getVcn(t.vcnId),
  ]);
  const peering = circuit?.peerings?.find((p) => p.name === AZURE_PRIVATE_PEERING || p.peeringType === AZURE_PRIVATE_PEERING);
  const s = (v: string | undefined): string => v ?? "Unknown";
  return {
    circuit: circuit
      ? {
          found: true,
          provisioningState: s(circuit.provisioningState),
          circuitProvisioningState: s(circuit.circuitProvisioningState),
          serviceProviderProvisioningState: s(circuit.serviceProviderProvisioningState),
          skuTier: s(circuit.sku?.tier),
          skuFamily: s(circuit.sku?.family),
          bandwidthInMbps: circuit.serviceProviderProperties?.bandwidthInMbps ?? 0,
          peeringLocation: s(circuit.serviceProviderProperties?.peeringLocation),
          serviceProviderName: s(circuit.serviceProviderProperties?.serviceProviderName),
        }
      : { found: false },
    peering: peering
      ? {
          found: true,
          state: s(peering.state),
          provisioningState: s(peering.provisioningState),
          peerASN: peering.peerASN ?? 0,
          primaryPeerAddressPrefix: s(peering.primaryPeerAddressPrefix),
          secondaryPeerAddressPrefix: s(peering.secondaryPeerAddressPrefix),
        }
      : { found: false },
    gateway: gw ? { found: true, provisioningState: s(gw.provisioningState) } : { found: false },
    connection: connection
      ? {
          found: true,
          provisioningState: s(connection.provisioningState),
          connectionStatus: s(connection.connectionStatus),
          fastPath: connection.expressRouteGatewayBypass ?? false,
        }
      : { found: false },
    virtualNetwork: vnet ? { found: true, addressPrefixes: vnet.addressSpace?.addressPrefixes ?? [] } : { found: false },
    virtualCircuit: vc
      ? {
          found: true,
          lifecycleState: s(vc.lifecycleState),
          providerState: s(vc.providerState),
          bgpSessionState: s(vc.bgpSessionState),
          bgpAdminState: s(vc.bgpAdminState),
          bandwidthShapeName: s(vc.bandwidthShapeName),
          gatewayId: s(vc.gatewayId),
        }
      : { found: false },
    drg: drg ? { found: true, lifecycleState: s(drg.lifecycleState) } : { found: false },
    drgAttachment: attachment
      ? {
          found: true,
          lifecycleState: s(attachment.lifecycleState),
          vcnId: s(attachment.networkDetails?.id ?? attachment.vcnId),
          ...(attachment.drgRouteTableId ? { drgRouteTableId: attachment.drgRouteTableId } : {}),
        }
      : { found: false },
    vcn: vcn ? { found: true, cidrBlocks: vcn.cidrBlocks ?? (vcn.cidrBlock ? [vcn.cidrBlock] : []) } : { found: false },
  };
}

/**
 * The route level. `drgRouteTableId` comes from the control-plane read of the VCN attachment (no
 * attachment, no DRG routes to read). A circuit without its private peering has no tables: every path
 * reads as down, which the control-plane findings already explain.
 */
export async function observeRoutes(
  azure: AzureNetwork,
  oci: OciNetwork,
  t: HealthTargets,
  drgRouteTableId: string | undefined,
  peeringPresent: boolean,
): Promise<RouteObservation> {
  const circuit = { ...resourceNames(t.interconnect), ...t.names }.circuit;
  const path = async (devicePath: string): Promise<PathObservation> => {
    if (!peeringPresent) return { arpPeer: false, statePfxRcd: "", routes: [] };
    const [arp, summary, routes] = await Promise.all([
      azure.listArpTable(t.resourceGroup, circuit, AZURE_PRIVATE_PEERING, devicePath),
      azure.listRoutesTableSummary(t.resourceGroup, circuit, AZURE_PRIVATE_PEERING, devicePath),
      azure.listRoutesTable(t.resourceGroup, circuit, AZURE_PRIVATE_PEERING, devicePath),
    ]);
    // A provider-side problem shows as an On-Prem entry whose MAC is "Incomplete", or no On-Prem row at all.
    const arpPeer = arp.some((e) => e.interface === "On-Prem" && !!e.macAddress && !/incomplete/i.test(e.macAddress));
    return { arpPeer, statePfxRcd: summary[0]?.statePfxRcd ?? "", routes: routes.map((r) => r.network ?? "").filter(Boolean) };
  };
  const [primary, secondary, table, drgRules] = await Promise.all([
    path(DEVICE_PATHS[0]),
    path(DEVICE_PATHS[1]),
    oci.getRouteTable(t.routeTableId),
    drgRouteTableId ? oci.listDrgRouteRules(drgRouteTableId) : Promise.resolve(undefined),
  ]);
  return {
    paths: { primary, secondary },
    ...(table
      ? {
          vcnRouteRules: (table.routeTable.routeRules ?? []).map((r) => ({
            destination: r.destination ?? r.cidrBlock ?? "",
            networkEntityId: r.networkEntityId,
          })),
        }
      : {}),
    ...(drgRules
      ? {
          drgVirtualCircuitRoutes: drgRules
            .filter((r) => r.routeProvenance === "VIRTUAL_CIRCUIT" && !r.isBlackhole)
            .map((r) => r.destination),
        }
      : {}),
  };
}

/** The outcome of a GET+PUT refresh: started, or nothing to do because the resource is not Failed (or gone). */
export type RefreshOutcome = "refreshing" | "not-failed" | "not-found";

/**
 * The ARM "refresh" of a Failed resource (troubleshoot-failed-state.md): GET, then PUT the very body
 * that GET returned, with the current api-version. Never a PUT built from scratch: that would reset the
 * resource (for a circuit, the provider's peering) to defaults.
 */
export async function refreshFailedCircuit(azure: AzureNetwork, t: HealthTargets, addSecret: (s: string) => void): Promise<RefreshOutcome> {
  const name = { ...resourceNames(t.interconnect), ...t.names }.circuit;
  const circuit = await azure.getCircuit(t.resourceGroup, name);
  if (!circuit) return "not-found";
  if (circuit.serviceKey) addSecret(circuit.serviceKey);
  if (circuit.provisioningState !== "Failed") return "not-failed";
  await azure.beginCreateCircuit(t.resourceGroup, name, circuit);
  return "refreshing";
}

export async function refreshFailedConnection(azure: AzureNetwork, t: HealthTargets): Promise<RefreshOutcome> {
  const name = { ...resourceNames(t.interconnect), ...t.names }.connection;
  const connection = await azure.getConnection(t.resourceGroup, name);
  if (!connection) return "not-found";
  if (connection.provisioningState !== "Failed") return "not-failed";
  await azure.beginCreateConnection(t.resourceGroup, name, connection);
  return "refreshing";
}
