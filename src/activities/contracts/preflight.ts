/** Pre-flight reads: a permanent failure with code NOT_FOUND when the user-named resource does not exist. */
import type { AzureScope, OpContext } from "./common";

export interface AzureReadVirtualNetworkInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
}
export interface VirtualNetworkSummary {
  id: string;
  location: string;
  addressPrefixes: string[];
  gatewaySubnet: { id: string; addressPrefix: string } | null;
  /**
   * An ExpressRoute gateway already in this VNet (whatever its name, in whatever resource group: found
   * through the GatewaySubnet's ipConfigurations), or null.
   */
  expressRouteGateway: { id: string; name: string; sku: string; provisioningState: string } | null;
  /** Every subnet of the VNet with its prefixes (pre-flight checks gatewaySubnetPrefix against them). */
  subnets?: { name: string; addressPrefixes: string[] }[];
}

export interface AzureReadProviderOfferInput {
  opContext: OpContext;
  subscriptionId: string;
  peeringLocation: string;
  bandwidthInMbps: number;
}
export interface ProviderOffer {
  /** true when "Oracle Cloud FastConnect" offers this peering location AND this bandwidth. */
  offered: boolean;
  serviceProviderName: string;
  peeringLocations: string[];
  bandwidthsInMbps: number[];
}

export interface OciReadVcnInput {
  opContext: OpContext;
  region: string;
  vcnId: string;
}
export interface VcnSummary {
  id: string;
  compartmentId: string;
  cidrBlocks: string[];
  defaultRouteTableId: string;
  lifecycleState: string;
  /** The VCN's DRG attachments that are not DETACHED (a VCN attaches to one DRG at a time). */
  drgAttachments?: { id: string; drgId: string; displayName: string; lifecycleState: string }[];
}

export interface OciReadProviderServiceInput {
  opContext: OpContext;
  region: string;
  compartmentId: string;
}
export interface ProviderServiceSummary {
  /** The "Microsoft Azure" FastConnect provider service. */
  providerServiceId: string;
  providerName: string;
  bandwidthShapeNames: string[];
}

export interface OciReadDrgInput {
  opContext: OpContext;
  region: string;
  drgId: string;
  /** Used to report an existing attachment of this DRG to the VCN. */
  vcnId: string;
}
export interface DrgSummary {
  id: string;
  lifecycleState: string;
  vcnAttachment: { id: string; lifecycleState: string } | null;
}
