import { z } from "zod";
import type { BgpPlan } from "./bgp-plan";
import type { InterconnectResources } from "./resources";
import { EXPRESSROUTE_SERVICE_PROVIDER, ORACLE_BGP_ASN, bandwidthFor } from "./skus";
import type { InterconnectSpec } from "./spec";

/**
 * What was built, as the health watch diffs live state against it (day2-operations.md §2): circuit SKU,
 * bandwidth and location; the provider's peering prefixes and ASN; FastPath; the virtual circuit's shape
 * and DRG; the VNet and VCN prefix sets; the route rules the service created.
 */
const text = z.string().min(1);
export const desiredSnapshotSchema = z.strictObject({
  takenAt: z.string(),
  circuit: z.strictObject({
    skuTier: text,
    skuFamily: text,
    bandwidthInMbps: z.number(),
    peeringLocation: text,
    serviceProviderName: text,
  }),
  peering: z.strictObject({ peerASN: z.number(), primaryPeerAddressPrefix: text, secondaryPeerAddressPrefix: text }),
  connection: z.strictObject({ fastPath: z.boolean() }),
  virtualCircuit: z.strictObject({ bandwidthShapeName: text, drgId: text }),
  /** The VNet prefixes routed to the DRG when the interconnect was built (the rules below). */
  vnetPrefixes: z.array(text),
  /** The VCN CIDRs Oracle advertises to Azure; empty until the watch's first read fills them in. */
  vcnPrefixes: z.array(text),
  /** The VCN route rules this service created: each destination → the DRG, in this table. */
  routeRules: z.strictObject({ routeTableId: text, networkEntityId: text, destinations: z.array(text) }),
});
export type DesiredSnapshot = z.infer<typeof desiredSnapshotSchema>;

export interface BuiltInterconnect {
  spec: InterconnectSpec;
  bgpPlan: BgpPlan;
  resources: InterconnectResources;
}

/** The snapshot of an active interconnect's record; fails naming what an active record must have but lacks. */
export function desiredSnapshot(built: BuiltInterconnect, takenAt: string, vcnPrefixes: readonly string[] = []): DesiredSnapshot {
  const { spec, bgpPlan, resources } = built;
  const drgId = required(resources.drgId, "resources.drgId");
  const bandwidth = bandwidthFor(spec.bandwidthGbps);
  const prefixes = [...(resources.routedPrefixes ?? [])];
  return {
    takenAt,
    circuit: {
      skuTier: spec.azure.circuitSku.tier,
      skuFamily: spec.azure.circuitSku.family,
      bandwidthInMbps: bandwidth.bandwidthInMbps,
      peeringLocation: spec.azure.peeringLocation,
      serviceProviderName: EXPRESSROUTE_SERVICE_PROVIDER,
    },
    peering: {
      peerASN: ORACLE_BGP_ASN,
      primaryPeerAddressPrefix: bgpPlan.primary.cidr,
      secondaryPeerAddressPrefix: bgpPlan.secondary.cidr,
    },
    connection: { fastPath: spec.azure.gateway.fastPath },
    virtualCircuit: { bandwidthShapeName: bandwidth.bandwidthShapeName, drgId },
    vnetPrefixes: prefixes,
    vcnPrefixes: [...vcnPrefixes],
    routeRules: {
      routeTableId: required(resources.routeTableId, "resources.routeTableId"),
      networkEntityId: drgId,
      destinations: prefixes,
    },
  };
}

function required(value: string | undefined, field: string): string {
  if (!value) throw new RangeError(`an active interconnect's record needs ${field} for its desired snapshot`);
  return value;
}
