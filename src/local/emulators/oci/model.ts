import type { DevicePath } from "../shared/provider-link";

/**
 * The emulated tenancy's state: resources exactly as the Core API returns them (camelCase, ISO
 * timeCreated), plus the virtual times at which their lifecycles move on. Plain JSON, so it persists.
 */
export type FreeformTags = Record<string, string>;
export type DefinedTags = Record<string, Record<string, unknown>>;

export interface Vcn {
  id: string;
  compartmentId: string;
  displayName: string;
  cidrBlock: string;
  cidrBlocks: string[];
  defaultRouteTableId: string;
  defaultSecurityListId: string;
  defaultDhcpOptionsId: string;
  dnsLabel: string;
  vcnDomainName: string;
  lifecycleState: "AVAILABLE";
  timeCreated: string;
  freeformTags: FreeformTags;
  definedTags: DefinedTags;
}

export interface RouteRule {
  destination: string;
  destinationType: "CIDR_BLOCK";
  networkEntityId: string;
  description?: string;
  routeType: "STATIC";
}

export interface RouteTable {
  id: string;
  compartmentId: string;
  vcnId: string;
  displayName: string;
  lifecycleState: "AVAILABLE";
  routeRules: RouteRule[];
  timeCreated: string;
  freeformTags: FreeformTags;
  definedTags: DefinedTags;
}

export interface Drg {
  id: string;
  compartmentId: string;
  displayName: string;
  lifecycleState: "PROVISIONING" | "AVAILABLE" | "TERMINATING" | "TERMINATED";
  timeCreated: string;
  freeformTags: FreeformTags;
  definedTags: DefinedTags;
  /** The DRG route tables each attachment type starts with (states saved before they existed lack them). */
  defaultDrgRouteTables?: { vcn: string; virtualCircuit: string };
}

export interface DrgAttachment {
  id: string;
  compartmentId: string;
  displayName: string;
  drgId: string;
  /** Deprecated in the API in favour of networkDetails, still filled in as OCI does. */
  vcnId: string;
  routeTableId?: string;
  /** The DRG route table that routes traffic arriving from the VCN (the DRG's default one for VCNs). */
  drgRouteTableId?: string;
  networkDetails: { type: "VCN"; id: string; routeTableId?: string; vcnRouteType: "SUBNET_CIDRS" | "VCN_CIDRS" };
  lifecycleState: "ATTACHING" | "ATTACHED" | "DETACHING" | "DETACHED";
  isCrossTenancy: boolean;
  timeCreated: string;
  freeformTags: FreeformTags;
  definedTags: DefinedTags;
}

export interface CrossConnectMapping {
  customerBgpPeeringIp: string;
  oracleBgpPeeringIp: string;
  vlan?: number;
}

export type VirtualCircuitState =
  "PENDING_PROVIDER" | "PROVISIONING" | "PROVISIONED" | "FAILED" | "INACTIVE" | "TERMINATING" | "TERMINATED";

export interface VirtualCircuit {
  id: string;
  compartmentId: string;
  displayName: string;
  type: "PRIVATE";
  bandwidthShapeName: string;
  bgpManagement: "CUSTOMER_MANAGED";
  bgpSessionState: "UP" | "DOWN";
  bgpAdminState: "ENABLED" | "DISABLED";
  crossConnectMappings: CrossConnectMapping[];
  customerAsn?: number;
  customerBgpAsn?: number;
  gatewayId: string;
  isBfdEnabled: boolean;
  ipMtu: "MTU_1500" | "MTU_9000";
  lifecycleState: VirtualCircuitState;
  oracleBgpAsn: number;
  providerName: string;
  providerServiceId: string;
  providerServiceKeyName?: string;
  providerServiceName: string;
  providerState: "ACTIVE" | "INACTIVE";
  /** Set by the provider; here it also carries the reason of a FAILED virtual circuit. */
  referenceComment?: string;
  region: string;
  routingPolicy: string[];
  serviceType: "LAYER2" | "LAYER3";
  trafficMode: "NORMAL" | "DRAIN";
  timeCreated: string;
  freeformTags: FreeformTags;
  definedTags: DefinedTags;
}

/** A resource with a lifecycle: `dueAt` is the virtual time of its next transition, `removeAt` when it turns 404. */
export interface Timed<T> {
  resource: T;
  dueAt?: number;
  removeAt?: number;
}

export interface VirtualCircuitRecord extends Timed<VirtualCircuit> {
  /** Virtual time from which BGP is UP (unless the bgpStaysDown fault holds it DOWN). */
  bgpUpAt?: number;
  /** The provider took up the key (Azure was told Provisioning), so deleting must tell Azure to deprovision. */
  providerEngaged: boolean;
  /** Azure was told Provisioned (it created AzurePrivatePeering); a later re-provisioning does not repeat it. */
  azureProvisioned: boolean;
  /** BGP sessions held down on one path by an incident (both down: bgpSessionState DOWN). */
  pathsDown?: DevicePath[];
}

export interface RetryTokenRecord {
  operation: string;
  bodySha256: string;
  resourceId: string;
  expiresAt: number;
}

export interface OciState {
  vcns: Record<string, Vcn>;
  routeTables: Record<string, RouteTable>;
  drgs: Record<string, Timed<Drg>>;
  drgAttachments: Record<string, Timed<DrgAttachment>>;
  virtualCircuits: Record<string, VirtualCircuitRecord>;
  retryTokens: Record<string, RetryTokenRecord>;
}

/** Virtual-time durations of the emulated lifecycles, in milliseconds. */
export interface OciDurations {
  drgProvisioning: number;
  drgTermination: number;
  drgAttachmentAttaching: number;
  drgAttachmentDetaching: number;
  /** PENDING_PROVIDER → PROVISIONING: the provider picks up the service key. */
  providerPickup: number;
  /** PROVISIONING → PROVISIONED (providerState ACTIVE, Azure told Provisioned). */
  providerProvisioning: number;
  /** PROVISIONED → bgpSessionState UP. */
  bgpEstablishment: number;
  virtualCircuitTermination: number;
  /** PROVISIONING → PROVISIONED after a bandwidth change of a provisioned virtual circuit (then BGP re-establishes). */
  bandwidthChange: number;
  /** How long TERMINATED / DETACHED resources stay visible before they answer 404. */
  terminatedRetention: number;
  /** opc-retry-token lifetime (OCI: 24 hours). */
  retryTokenLifetime: number;
}

const MINUTE = 60_000;

export const DEFAULT_OCI_DURATIONS: OciDurations = {
  drgProvisioning: MINUTE,
  drgTermination: MINUTE,
  drgAttachmentAttaching: MINUTE,
  drgAttachmentDetaching: MINUTE,
  providerPickup: MINUTE,
  providerProvisioning: 3 * MINUTE,
  bgpEstablishment: MINUTE,
  virtualCircuitTermination: 2 * MINUTE,
  bandwidthChange: MINUTE,
  terminatedRetention: 2 * MINUTE,
  retryTokenLifetime: 24 * 60 * MINUTE,
};

export const TENANCY_ID = "ocid1.tenancy.oc1..aaaaaaaalocalemulatortenancy";
export const USER_ID = "ocid1.user.oc1..aaaaaaaalocalemulatoruser";

export const SEED = {
  compartmentId: "ocid1.compartment.oc1..aaaaaaaaerpnetwork",
  vcnId: "ocid1.vcn.oc1.iad.aaaaaaaaerpvcn",
  routeTableId: "ocid1.routetable.oc1.iad.aaaaaaaaerpvcndefault",
  providerServiceId: "ocid1.providerservice.oc1.iad.aaaaaaaamicrosoftazure",
} as const;

const SEED_TIME = "2024-01-01T00:00:00.000Z";

export function seedState(): OciState {
  const vcn: Vcn = {
    id: SEED.vcnId,
    compartmentId: SEED.compartmentId,
    displayName: "vcn-erp",
    cidrBlock: "10.20.0.0/16",
    cidrBlocks: ["10.20.0.0/16"],
    defaultRouteTableId: SEED.routeTableId,
    defaultSecurityListId: "ocid1.securitylist.oc1.iad.aaaaaaaaerpvcndefault",
    defaultDhcpOptionsId: "ocid1.dhcpoptions.oc1.iad.aaaaaaaaerpvcndefault",
    dnsLabel: "vcnerp",
    vcnDomainName: "vcnerp.oraclevcn.com",
    lifecycleState: "AVAILABLE",
    timeCreated: SEED_TIME,
    freeformTags: {},
    definedTags: {},
  };
  const routeTable: RouteTable = {
    id: SEED.routeTableId,
    compartmentId: SEED.compartmentId,
    vcnId: SEED.vcnId,
    displayName: "Default Route Table for vcn-erp",
    lifecycleState: "AVAILABLE",
    routeRules: [],
    timeCreated: SEED_TIME,
    freeformTags: {},
    definedTags: {},
  };
  return {
    vcns: { [vcn.id]: vcn },
    routeTables: { [routeTable.id]: routeTable },
    drgs: {},
    drgAttachments: {},
    virtualCircuits: {},
    retryTokens: {},
  };
}
