/** The ExpressRoute virtual network gateway and its GatewaySubnet. */
import type { AzureScope, Observed, OpContext, ResourceTags } from "./common";

export type GatewayObservation = Observed<{
  gatewayId: string;
  name: string;
  /** ARM provisioningState: Creating | Updating | Succeeded | Failed | Deleting ... */
  provisioningState: string;
  sku: string;
}>;

export interface AzureEnsureGatewaySubnetInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
  addressPrefix: string;
}
export interface GatewaySubnetResult {
  subnetId: string;
  addressPrefix: string;
  provisioningState: string;
}

export interface AzureEnsureGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  virtualNetworkName: string;
  gatewaySubnetId: string;
  /** Standard | HighPerformance | UltraPerformance | ErGw1AZ | ErGw2AZ | ErGw3AZ | ErGwScale */
  sku: string;
  scaleUnits?: number;
  /** On the gateway and its public IP. */
  tags?: ResourceTags;
}

export interface AzureGetGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  /** Given when an existing (not ours) gateway is used; otherwise the derived name is read. */
  gatewayId?: string;
}

export interface AzureDeleteGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  /** Only the derived-name gateway is ever deleted; "in-use" when another connection still uses it. */
  gatewayId?: string;
}
export interface AzureDeleteGatewaySubnetInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
}
