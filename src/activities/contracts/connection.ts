/** The connection between the ExpressRoute gateway and the circuit. */
import type { AzureScope, Observed, OpContext, ResourceTags } from "./common";

export type ConnectionObservation = Observed<{
  connectionId: string;
  provisioningState: string;
  /** Unknown | Connecting | Connected | NotConnected */
  connectionStatus: string;
  expressRouteGatewayBypass: boolean;
}>;

export interface AzureEnsureConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  gatewayId: string;
  circuitId: string;
  /** FastPath. */
  expressRouteGatewayBypass: boolean;
  tags?: ResourceTags;
}

export interface AzureGetConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
}

export interface AzureDeleteConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
}
