/**
 * The networks an interconnect builds on, as queue keys: the VNet by its ARM id (lowercased, as ARM
 * ids compare) and the VCN by its OCID. While one interconnect's run is at work on a network, another
 * must wait its turn (network-queue.ts): both would create (or adopt, half-built) the one ExpressRoute
 * gateway a VNet can hold, and attach the VCN, which takes one DRG.
 */
export type NetworkKind = "virtualNetwork" | "vcn";

export interface NetworkKey {
  kind: NetworkKind;
  id: string;
  /** The spec field a conflict names. */
  path: string;
}

/** What of a spec names its networks. */
export interface NetworksOfSpec {
  azure: { subscriptionId: string; resourceGroup: string; virtualNetwork: { name: string } };
  oci: { vcnId: string };
}

export function interconnectNetworks(spec: NetworksOfSpec): NetworkKey[] {
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
