import { desiredSnapshot, type DesiredSnapshot } from "../../src/domain/desired-snapshot";
import type { ControlPlaneObservation, RouteObservation } from "../../src/domain/observation";
import { exampleSpec } from "./example-spec";

/** A built interconnect's desired snapshot, and live observations of it in perfect health (tests change them). */
export const DRG = "ocid1.drg.oc1.iad.aaaaaaaadrg";
export const RT = "ocid1.routetable.oc1.iad.aaaaaaaart";

export function desired(): DesiredSnapshot {
  return desiredSnapshot(
    {
      spec: exampleSpec(),
      bgpPlan: {
        primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      },
      resources: { drgId: DRG, routeTableId: RT, routedPrefixes: ["10.10.0.0/16"] },
    },
    "2026-12-01T10:00:00.000Z",
    ["10.20.0.0/16"],
  );
}

export function healthyLive(d: DesiredSnapshot): ControlPlaneObservation {
  return {
    circuit: {
      found: true,
      provisioningState: "Succeeded",
      circuitProvisioningState: "Enabled",
      serviceProviderProvisioningState: "Provisioned",
      ...d.circuit,
    },
    peering: { found: true, state: "Enabled", provisioningState: "Succeeded", ...d.peering },
    gateway: { found: true, provisioningState: "Succeeded" },
    connection: { found: true, provisioningState: "Succeeded", connectionStatus: "Connected", fastPath: d.connection.fastPath },
    virtualNetwork: { found: true, addressPrefixes: [...d.vnetPrefixes] },
    virtualCircuit: {
      found: true,
      lifecycleState: "PROVISIONED",
      providerState: "ACTIVE",
      bgpSessionState: "UP",
      bgpAdminState: "ENABLED",
      bandwidthShapeName: d.virtualCircuit.bandwidthShapeName,
      gatewayId: DRG,
    },
    drg: { found: true, lifecycleState: "AVAILABLE" },
    drgAttachment: {
      found: true,
      lifecycleState: "ATTACHED",
      vcnId: "ocid1.vcn.oc1.iad.aaaaaaaavcn",
      drgRouteTableId: "ocid1.drgroutetable.oc1.iad.x",
    },
    vcn: { found: true, cidrBlocks: [...d.vcnPrefixes] },
  };
}

export function healthyRoutes(d: DesiredSnapshot): RouteObservation {
  const path = { arpPeer: true, statePfxRcd: String(d.vcnPrefixes.length), routes: [...d.vcnPrefixes] };
  return {
    paths: { primary: { ...path }, secondary: { ...path, routes: [...path.routes] } },
    vcnRouteRules: d.routeRules.destinations.map((destination) => ({ destination, networkEntityId: DRG })),
    drgVirtualCircuitRoutes: [...d.vnetPrefixes],
  };
}
