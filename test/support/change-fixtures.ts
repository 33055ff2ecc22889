import type { CircuitSettings, VirtualCircuitSettings } from "../../src/contracts";

/** Both sides half-way through a 1 → 2 Gbps change: the circuit grown, the virtual circuit not yet. */
export const CIRCUIT_AT_2_GBPS: CircuitSettings = {
  found: true,
  circuitId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-legacy",
  provisioningState: "Succeeded",
  serviceProviderProvisioningState: "Provisioned",
  bandwidthInMbps: 2000,
  sku: { tier: "Standard", family: "MeteredData" },
  tags: {},
};

export const VIRTUAL_CIRCUIT_AT_1_GBPS: VirtualCircuitSettings = {
  found: true,
  virtualCircuitId: "ocid1.virtualcircuit.oc1..x",
  lifecycleState: "PROVISIONED",
  providerState: "ACTIVE",
  bgpSessionState: "UP",
  bandwidthShapeName: "1 Gbps",
  providerServiceId: "ocid1.providerservice.oc1..x",
  freeformTags: {},
  shapesOffered: ["1 Gbps", "2 Gbps"],
};
