/**
 * What this emulated region offers: the FastConnect provider services with their bandwidth shapes, and
 * which ExpressRoute peering locations reach which OCI region. The emulators import no app code, so
 * this is their own copy of the 12 Azure ⇄ OCI pairs (interconnect-apis.md §5, Oracle's azure.htm).
 */
export interface BandwidthShape {
  name: string;
  bandwidthInMbps: number;
}

export interface ProviderService {
  id: string;
  providerName: string;
  providerServiceName: string;
  description: string;
  type: "LAYER2" | "LAYER3";
  supportedVirtualCircuitTypes: ("PUBLIC" | "PRIVATE")[];
  privatePeeringBgpManagement: "CUSTOMER_MANAGED" | "PROVIDER_MANAGED" | "ORACLE_MANAGED";
  publicPeeringBgpManagement: "CUSTOMER_MANAGED" | "PROVIDER_MANAGED" | "ORACLE_MANAGED";
  customerAsnManagement: "CUSTOMER_MANAGED" | "PROVIDER_MANAGED" | "ORACLE_MANAGED";
  providerServiceKeyManagement: "CUSTOMER_MANAGED" | "PROVIDER_MANAGED" | "ORACLE_MANAGED";
  bandwithShapeManagement: "CUSTOMER_MANAGED" | "PROVIDER_MANAGED" | "ORACLE_MANAGED";
  requiredTotalCrossConnects: number;
}

export const MICROSOFT_AZURE_SERVICE_ID = "ocid1.providerservice.oc1.iad.aaaaaaaamicrosoftazure";

/** The provider whose partner automation is the ARM emulator, reached through the provider link. */
export const MICROSOFT_AZURE = "Microsoft Azure";

/** Azure's ExpressRoute service provider name for Oracle; a circuit of another provider cannot be used. */
export const EXPRESSROUTE_PROVIDER_NAME = "Oracle Cloud FastConnect";

const gbpsShapes = (gbps: number[]): BandwidthShape[] => gbps.map((g) => ({ name: `${g} Gbps`, bandwidthInMbps: g * 1000 }));

const otherProvider = (id: string, providerName: string, providerServiceName: string): ProviderService => ({
  id,
  providerName,
  providerServiceName,
  description: `https://www.oracle.com/cloud/networking/fastconnect/ (${providerName})`,
  type: "LAYER2",
  supportedVirtualCircuitTypes: ["PUBLIC", "PRIVATE"],
  privatePeeringBgpManagement: "CUSTOMER_MANAGED",
  publicPeeringBgpManagement: "ORACLE_MANAGED",
  customerAsnManagement: "CUSTOMER_MANAGED",
  providerServiceKeyManagement: "PROVIDER_MANAGED",
  bandwithShapeManagement: "CUSTOMER_MANAGED",
  requiredTotalCrossConnects: 1,
});

export const PROVIDER_SERVICES: readonly ProviderService[] = [
  {
    id: MICROSOFT_AZURE_SERVICE_ID,
    providerName: MICROSOFT_AZURE,
    providerServiceName: "ExpressRoute",
    description: "https://azure.microsoft.com/products/expressroute/ (Oracle Interconnect for Microsoft Azure)",
    type: "LAYER3",
    supportedVirtualCircuitTypes: ["PRIVATE"],
    // The customer enters both BGP addresses and the ExpressRoute service key in OCI (azure.htm, Task 3).
    privatePeeringBgpManagement: "CUSTOMER_MANAGED",
    publicPeeringBgpManagement: "ORACLE_MANAGED",
    customerAsnManagement: "ORACLE_MANAGED",
    providerServiceKeyManagement: "CUSTOMER_MANAGED",
    bandwithShapeManagement: "CUSTOMER_MANAGED",
    requiredTotalCrossConnects: 1,
  },
  otherProvider("ocid1.providerservice.oc1.iad.aaaaaaaaequinixfabric", "Equinix", "Fabric"),
  otherProvider("ocid1.providerservice.oc1.iad.aaaaaaaamegaportvxc", "Megaport", "Cloud Router"),
  otherProvider("ocid1.providerservice.oc1.iad.aaaaaaaaattnetbond", "AT&T", "NetBond for Cloud"),
];

const SHAPES: Record<string, BandwidthShape[]> = {
  [MICROSOFT_AZURE_SERVICE_ID]: gbpsShapes([1, 2, 5, 10]),
};

export function shapesOf(providerServiceId: string): BandwidthShape[] {
  return SHAPES[providerServiceId] ?? gbpsShapes([1, 10]);
}

/** OCI region → the ExpressRoute peering locations that reach it (Oracle's table, Updated 2025-01-15). */
const PEERING_LOCATIONS: Record<string, string[]> = {
  "ap-tokyo-1": ["Tokyo"],
  "ap-singapore-1": ["Singapore"],
  "ap-seoul-1": ["Seoul"],
  "eu-frankfurt-1": ["Frankfurt", "Frankfurt2"],
  "eu-amsterdam-1": ["Amsterdam2"],
  "uk-london-1": ["London"],
  "af-johannesburg-1": ["Johannesburg"],
  "sa-vinhedo-1": ["Campinas"],
  "ca-toronto-1": ["Toronto", "Toronto2"],
  "us-ashburn-1": ["Washington DC", "Washington DC2"],
  "us-phoenix-1": ["Phoenix"],
  "us-sanjose-1": ["Silicon Valley"],
};

export function peeringLocationsServing(region: string): string[] {
  return PEERING_LOCATIONS[region] ?? [];
}

export function isKnownRegion(region: string): boolean {
  return region in PEERING_LOCATIONS;
}

/** The three-letter key that OCIDs carry, e.g. us-ashburn-1 → iad. */
const REGION_KEYS: Record<string, string> = {
  "ap-tokyo-1": "nrt",
  "ap-singapore-1": "sin",
  "ap-seoul-1": "icn",
  "eu-frankfurt-1": "fra",
  "eu-amsterdam-1": "ams",
  "uk-london-1": "lhr",
  "af-johannesburg-1": "jnb",
  "sa-vinhedo-1": "vcp",
  "ca-toronto-1": "yyz",
  "us-ashburn-1": "iad",
  "us-phoenix-1": "phx",
  "us-sanjose-1": "sjc",
};

export function regionKey(region: string): string {
  return REGION_KEYS[region] ?? region;
}
