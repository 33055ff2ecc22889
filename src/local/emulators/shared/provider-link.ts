/**
 * The provider link: what Microsoft and Oracle exchange behind the scenes for an "Oracle Cloud
 * FastConnect" ExpressRoute circuit. In the real world the service key is the only thing a customer
 * carries from one console to the other; the two providers then configure the circuit between them.
 * Here the ARM emulator and the OCI emulator run in one process and talk through this object.
 *
 * Responsibilities:
 * - The ARM emulator registers `azure` (it owns ExpressRoute circuits, peerings, connections).
 * - The OCI emulator registers `oci` (it owns virtual circuits, DRGs, VCNs).
 * - The OCI emulator drives the provider side: when a virtual circuit with a service key moves through
 *   its lifecycle it tells `azure` (provisioning, provisioned, deprovisioning), as Oracle's provider
 *   automation tells Microsoft.
 * - The ARM emulator reads `oci` when it must show live BGP facts (ARP table, route tables).
 */

/** What Azure tells the provider about a circuit, looked up by its service key. */
export interface CircuitForProvider {
  serviceKey: string;
  circuitId: string;
  /** e.g. "Washington DC" */
  peeringLocation: string;
  bandwidthInMbps: number;
  serviceProviderName: string;
  serviceProviderProvisioningState: "NotProvisioned" | "Provisioning" | "Provisioned" | "Deprovisioning";
}

/** The provider's configuration handed to Azure when the virtual circuit is provisioned. */
export interface ProviderPeeringConfig {
  /** The two /30 blocks of the virtual circuit's cross-connect mappings, e.g. "192.168.100.0/30". */
  primaryPeerAddressPrefix: string;
  secondaryPeerAddressPrefix: string;
  /** VLAN chosen by the provider. */
  vlanId: number;
  /** Oracle's ASN, 31898. */
  peerASN: number;
}

/** Live facts of the virtual circuit behind a service key (for ARP and route tables). */
export interface VirtualCircuitForProvider {
  virtualCircuitId: string;
  serviceKey: string;
  lifecycleState: "PENDING_PROVIDER" | "PROVISIONING" | "PROVISIONED" | "FAILED" | "INACTIVE" | "TERMINATING" | "TERMINATED";
  providerState: "ACTIVE" | "INACTIVE";
  bgpSessionState: "UP" | "DOWN";
  /** One per cross-connect mapping (primary first): the Oracle and the customer (Azure) BGP addresses, with /30. */
  crossConnectMappings: { oracleBgpPeeringIp: string; customerBgpPeeringIp: string }[];
  /** Oracle's ASN, 31898. */
  oracleBgpAsn: number;
  /** The prefixes Oracle advertises over BGP: the CIDR blocks of the VCNs attached to the virtual circuit's DRG. */
  advertisedPrefixes: string[];
  /** Sessions that are down on one path while the virtual circuit stays PROVISIONED (an Oracle router or an MSEE). */
  pathsDown: DevicePath[];
}

/** The two cross-connect paths of every ExpressRoute circuit, primary first (as the mappings are ordered). */
export const DEVICE_PATHS = ["primary", "secondary"] as const;
export type DevicePath = (typeof DEVICE_PATHS)[number];

export interface AzureProviderSide {
  /** undefined when no circuit with this key exists (the key was never issued, or its circuit is deleted). */
  describeCircuit(serviceKey: string): CircuitForProvider | undefined;
  /** The provider started configuring the circuit: serviceProviderProvisioningState → Provisioning. */
  providerProvisioning(serviceKey: string): void;
  /** The provider finished: → Provisioned, and the provider creates AzurePrivatePeering from `config`. */
  providerProvisioned(serviceKey: string, config: ProviderPeeringConfig): void;
  /**
   * The provider removes its side (the virtual circuit is being deleted). With a connection still linking
   * the circuit this leaves the circuit in a failed provisioningState; otherwise the circuit goes
   * Deprovisioning → NotProvisioned and loses its peering after the configured lag.
   */
  providerDeprovisioning(serviceKey: string): void;
  /**
   * What Azure advertises to the provider over the private peering: the address spaces of the virtual
   * networks whose gateway is Connected to the circuit (ExpressRoute FAQ: "It's always the virtual network
   * address space that gets advertised"). Empty when no connection links the circuit.
   */
  advertisedPrefixes(serviceKey: string): string[];
}

export interface OciProviderSide {
  /** The live virtual circuit that uses this service key, if any (TERMINATED ones are not returned). */
  describeVirtualCircuit(serviceKey: string): VirtualCircuitForProvider | undefined;
}

export class ProviderLink {
  private azureSide?: AzureProviderSide;
  private ociSide?: OciProviderSide;

  registerAzure(side: AzureProviderSide): void {
    this.azureSide = side;
  }

  registerOci(side: OciProviderSide): void {
    this.ociSide = side;
  }

  get azure(): AzureProviderSide {
    if (!this.azureSide) throw new Error("provider link: the ARM emulator is not registered");
    return this.azureSide;
  }

  get oci(): OciProviderSide {
    if (!this.ociSide) throw new Error("provider link: the OCI emulator is not registered");
    return this.ociSide;
  }
}
