/**
 * Bandwidth and SKU facts both clouds agree on (interconnect-apis.md §2.1, §2.5, §3.4).
 * FastConnect offers only 1/2/5/10 Gbps for Azure, so the ExpressRoute circuit must match one of them.
 */

export const BANDWIDTHS_GBPS = [1, 2, 5, 10] as const;
export type BandwidthGbps = (typeof BANDWIDTHS_GBPS)[number];

export interface Bandwidth {
  gbps: BandwidthGbps;
  /** ExpressRoute serviceProviderProperties.bandwidthInMbps */
  bandwidthInMbps: number;
  /** OCI CreateVirtualCircuitDetails.bandwidthShapeName */
  bandwidthShapeName: string;
}

export function bandwidthFor(gbps: BandwidthGbps): Bandwidth {
  return { gbps, bandwidthInMbps: gbps * 1000, bandwidthShapeName: `${gbps} Gbps` };
}

export const CIRCUIT_TIERS = ["Standard", "Premium", "Local"] as const;
export const CIRCUIT_FAMILIES = ["MeteredData", "UnlimitedData"] as const;
export type CircuitTier = (typeof CIRCUIT_TIERS)[number];
export type CircuitFamily = (typeof CIRCUIT_FAMILIES)[number];

export interface CircuitSku {
  name: `${CircuitTier}_${CircuitFamily}`;
  tier: CircuitTier;
  family: CircuitFamily;
}

export function circuitSku(tier: CircuitTier, family: CircuitFamily): CircuitSku {
  return { name: `${tier}_${family}`, tier, family };
}

/** ExpressRoute Local circuits are sold only with unlimited data. */
export function isValidCircuitSku(tier: CircuitTier, family: CircuitFamily): boolean {
  return tier !== "Local" || family === "UnlimitedData";
}

export const GATEWAY_SKUS = ["Standard", "HighPerformance", "UltraPerformance", "ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"] as const;
export type GatewaySku = (typeof GATEWAY_SKUS)[number];

export const ER_GW_SCALE_UNITS = { min: 1, max: 40 } as const;
/** ErGwScale supports FastPath only from this many scale units. */
export const FASTPATH_MIN_SCALE_UNITS = 10;

const FIXED_SKU_FACTS: Record<Exclude<GatewaySku, "ErGwScale">, { fastPath: boolean; maxCircuitConnections: number }> = {
  Standard: { fastPath: false, maxCircuitConnections: 4 },
  ErGw1AZ: { fastPath: false, maxCircuitConnections: 4 },
  HighPerformance: { fastPath: false, maxCircuitConnections: 8 },
  ErGw2AZ: { fastPath: false, maxCircuitConnections: 8 },
  UltraPerformance: { fastPath: true, maxCircuitConnections: 16 },
  ErGw3AZ: { fastPath: true, maxCircuitConnections: 16 },
};

export function supportsFastPath(sku: GatewaySku, scaleUnits?: number): boolean {
  if (sku === "ErGwScale") return (scaleUnits ?? 0) >= FASTPATH_MIN_SCALE_UNITS;
  return FIXED_SKU_FACTS[sku].fastPath;
}

export function maxCircuitConnections(sku: GatewaySku, scaleUnits?: number): number {
  if (sku === "ErGwScale") {
    const units = scaleUnits ?? ER_GW_SCALE_UNITS.min;
    return units >= 10 ? 16 : units >= 2 ? 8 : 4;
  }
  return FIXED_SKU_FACTS[sku].maxCircuitConnections;
}

/** ARM VirtualNetworkGateway.sku: for ExpressRoute gateways tier equals name. */
export function gatewaySku(sku: GatewaySku): { name: GatewaySku; tier: GatewaySku } {
  return { name: sku, tier: sku };
}

/** Wire constants both clouds use for this interconnect. */
export const EXPRESSROUTE_SERVICE_PROVIDER = "Oracle Cloud FastConnect";
export const FASTCONNECT_PROVIDER_NAME = "Microsoft Azure";
export const AZURE_PRIVATE_PEERING = "AzurePrivatePeering";
export const ORACLE_BGP_ASN = 31898;
export const AZURE_BGP_ASN = 12076;
