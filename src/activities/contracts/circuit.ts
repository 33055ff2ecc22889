/** The ExpressRoute circuit, its provider-made private peering and the peering's ARP and route tables. */
import type { AzureScope, Observed, OpContext } from "./common";

export interface PeeringSummary {
  name: string;
  peeringType: string;
  provisioningState: string;
  peerASN: number | null;
  primaryPeerAddressPrefix: string | null;
  secondaryPeerAddressPrefix: string | null;
  vlanId: number | null;
}

export type CircuitObservation = Observed<{
  circuitId: string;
  provisioningState: string;
  /** NotProvisioned | Provisioning | Provisioned | Deprovisioning */
  serviceProviderProvisioningState: string;
  circuitProvisioningState: string;
  /** e.g. "****-****-****-1a2b"; never the full key. */
  serviceKeyMasked: string;
  /** AzurePrivatePeering as the provider configured it, or null. */
  privatePeering: PeeringSummary | null;
  peeringCount: number;
}>;

export interface AzureEnsureCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  peeringLocation: string;
  bandwidthInMbps: number;
  sku: { tier: string; family: string };
  tags?: Record<string, string>;
}

export interface AzureGetCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
}

export interface AzureDeleteCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
}

export type DevicePath = "primary" | "secondary";

export interface AzureReadPeeringTablesInput {
  opContext: OpContext;
  azure: AzureScope;
  devicePath: DevicePath;
}
export interface PeeringTables {
  arp: { ipAddress: string; macAddress?: string; age?: number; interface?: string }[];
  routes: { network: string; nextHop: string; path: string }[];
}
