/**
 * What `expressRouteServiceProviders.list()` answers, and the gateway SKU facts the emulator enforces.
 * The emulators import no app code, so this is the emulator's own copy of the published facts
 * (interconnect-apis.md §2.1, §2.5, §5).
 */
export interface ServiceProvider {
  name: string;
  peeringLocations: string[];
  bandwidthsOfferedMbps: number[];
}

export const ORACLE_PROVIDER = "Oracle Cloud FastConnect";

/** The Azure ExpressRoute peering locations that Oracle's interconnect serves, as Azure spells them. */
export const ORACLE_PEERING_LOCATIONS = [
  "Amsterdam2",
  "Campinas",
  "Frankfurt",
  "Frankfurt2",
  "Johannesburg",
  "London",
  "Phoenix",
  "Seoul",
  "Silicon Valley",
  "Singapore",
  "Tokyo",
  "Toronto",
  "Toronto2",
  "Washington DC",
  "Washington DC2",
];

/** Azure offers small circuits for this provider too (50 Mbps "test bandwidth"); OCI shapes start at 1 Gbps. */
const STANDARD_OFFERS = [50, 100, 200, 500, 1000, 2000, 5000, 10000];

export const SERVICE_PROVIDERS: ServiceProvider[] = [
  { name: ORACLE_PROVIDER, peeringLocations: ORACLE_PEERING_LOCATIONS, bandwidthsOfferedMbps: STANDARD_OFFERS },
  {
    name: "Equinix",
    peeringLocations: ["Amsterdam", "Chicago", "Dallas", "Silicon Valley", "Washington DC", "London", "Tokyo"],
    bandwidthsOfferedMbps: STANDARD_OFFERS,
  },
  {
    name: "Megaport",
    peeringLocations: ["Chicago", "Dallas", "Los Angeles", "Sydney", "Washington DC"],
    bandwidthsOfferedMbps: STANDARD_OFFERS,
  },
];

export function offerName(mbps: number): string {
  return mbps >= 1000 ? `${mbps / 1000}Gbps` : `${mbps}Mbps`;
}

export const EXPRESS_ROUTE_GATEWAY_SKUS = ["Standard", "HighPerformance", "UltraPerformance", "ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"];
export const VPN_GATEWAY_SKUS = [
  "Basic",
  "VpnGw1",
  "VpnGw2",
  "VpnGw3",
  "VpnGw4",
  "VpnGw5",
  "VpnGw1AZ",
  "VpnGw2AZ",
  "VpnGw3AZ",
  "VpnGw4AZ",
  "VpnGw5AZ",
];

/** FastPath (expressRouteGatewayBypass) needs UltraPerformance, ErGw3AZ, or ErGwScale with at least 10 scale units. */
export function skuSupportsFastPath(skuName: string, minScaleUnits: number | undefined): boolean {
  const sku = skuName.toLowerCase();
  if (sku === "ultraperformance" || sku === "ergw3az") return true;
  return sku === "ergwscale" && (minScaleUnits ?? 0) >= 10;
}
