/** OCI: the DRG, its attachment to the VCN, the FastConnect virtual circuit and the VCN route rules. */
import type { AzureScope, Observed, OciScope, OpContext, ResourceTags } from "./common";

export type DrgObservation = Observed<{ drgId: string; lifecycleState: string }>;

export type DrgAttachmentObservation = Observed<{ drgAttachmentId: string; lifecycleState: string }>;

export type VirtualCircuitObservation = Observed<{
  virtualCircuitId: string;
  /** PENDING_PROVIDER | VERIFYING | PROVISIONING | PROVISIONED | FAILED | INACTIVE | TERMINATING | TERMINATED */
  lifecycleState: string;
  providerState: string;
  bgpSessionState: string;
  /** Provider comment or failure reason when there is one. */
  reason: string | null;
}>;

export interface OciEnsureDrgInput {
  opContext: OpContext;
  oci: OciScope;
  tags?: ResourceTags;
}

export interface OciEnsureDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  drgId: string;
  vcnId: string;
  tags?: ResourceTags;
}

export interface BgpCrossConnectMapping {
  /** With mask, e.g. "192.168.100.2/30" (3rd address = Azure side). */
  customerBgpPeeringIp: string;
  /** With mask, e.g. "192.168.100.1/30" (2nd address = Oracle side). */
  oracleBgpPeeringIp: string;
}

export interface OciEnsureVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  /** The activity reads the service key from the circuit itself (this scope + the derived circuit name). */
  azure: AzureScope;
  providerServiceId: string;
  bandwidthShapeName: string;
  drgId: string;
  /** Primary first, then secondary. */
  crossConnectMappings: [BgpCrossConnectMapping, BgpCrossConnectMapping];
  tags?: ResourceTags;
}

export interface OciEnsureRouteRulesInput {
  opContext: OpContext;
  region: string;
  routeTableId: string;
  drgId: string;
  /** VNet address prefixes → DRG. Merged with if-match; rules of others are kept. */
  destinations: string[];
}
export interface RouteRulesResult {
  routeTableId: string;
  /** Destinations of our rules now in the table. */
  destinations: string[];
}

export interface OciGetDrgInput {
  opContext: OpContext;
  oci: OciScope;
  /** When absent, the DRG is looked up by its derived display name in the compartment. */
  drgId?: string;
}

export interface OciGetDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  vcnId: string;
  /** When absent, looked up by derived display name (and drgId/vcnId). */
  drgAttachmentId?: string;
  drgId?: string;
}

export interface OciGetVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  /** When absent, looked up by derived display name in the compartment. */
  virtualCircuitId?: string;
}

export interface OciDeleteVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  virtualCircuitId?: string;
}
export interface OciRemoveRouteRulesInput {
  opContext: OpContext;
  region: string;
  routeTableId: string;
}
export interface OciDeleteDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  vcnId: string;
  drgAttachmentId?: string;
  drgId?: string;
}
export interface OciDeleteDrgInput {
  opContext: OpContext;
  oci: OciScope;
  drgId?: string;
}
