import type { InterconnectSpec } from "./spec";

/**
 * The networks an interconnect builds on, as reservation keys: the VNet by its ARM id (lowercased,
 * as ARM ids compare) and the VCN by its OCID. While one interconnect's run is in flight on a network,
 * another must not start there: both would create (or adopt, half-built) the one ExpressRoute gateway
 * a VNet can hold, and attach the VCN, which takes one DRG.
 */
export type NetworkKind = "virtualNetwork" | "vcn";

export interface NetworkKey {
  kind: NetworkKind;
  id: string;
  /** The spec field a conflict names. */
  path: string;
}

export function interconnectNetworks(spec: Pick<InterconnectSpec, "azure" | "oci">): NetworkKey[] {
  const { subscriptionId, resourceGroup, virtualNetwork } = spec.azure;
  return [
    {
      kind: "virtualNetwork",
      id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/${virtualNetwork.name}`.toLowerCase(),
      path: "azure.virtualNetwork.name",
    },
    { kind: "vcn", id: spec.oci.vcnId, path: "oci.vcnId" },
  ];
}

/** States in which a run is (or is about to be) changing the interconnect's networks. */
export const IN_FLIGHT_STATES: readonly string[] = ["requested", "provisioning", "tearing-down"];
