import { z } from "zod";

/**
 * What the health watch reads from both clouds, reduced to the fields health and drift are judged on
 * (day2-operations.md §1.1, §1.2, §1.4). Plain JSON: it travels from the read activities through the
 * orchestration history.
 */
const absent = z.strictObject({ found: z.literal(false) });
function present<T extends z.ZodRawShape>(shape: T) {
  return z.discriminatedUnion("found", [absent, z.strictObject({ found: z.literal(true), ...shape })]);
}
const text = z.string();

export const controlPlaneObservationSchema = z.strictObject({
  circuit: present({
    provisioningState: text,
    circuitProvisioningState: text,
    serviceProviderProvisioningState: text,
    skuTier: text,
    skuFamily: text,
    bandwidthInMbps: z.number(),
    peeringLocation: text,
    serviceProviderName: text,
  }),
  /** AzurePrivatePeering, which the provider owns (never written by the service). */
  peering: present({
    state: text,
    provisioningState: text,
    peerASN: z.number(),
    primaryPeerAddressPrefix: text,
    secondaryPeerAddressPrefix: text,
  }),
  gateway: present({ provisioningState: text }),
  connection: present({ provisioningState: text, connectionStatus: text, fastPath: z.boolean() }),
  virtualNetwork: present({ addressPrefixes: z.array(text) }),
  virtualCircuit: present({
    lifecycleState: text,
    providerState: text,
    bgpSessionState: text,
    bgpAdminState: text,
    bandwidthShapeName: text,
    gatewayId: text,
  }),
  drg: present({ lifecycleState: text }),
  drgAttachment: present({ lifecycleState: text, vcnId: text, drgRouteTableId: text.optional() }),
  vcn: present({ cidrBlocks: z.array(text) }),
});
export type ControlPlaneObservation = z.infer<typeof controlPlaneObservationSchema>;

export const DEVICE_PATHS = ["primary", "secondary"] as const;
export type DevicePath = (typeof DEVICE_PATHS)[number];

/** One path of the private peering: ARP, the BGP neighbour summary, and the routes Azure learned on it. */
export const pathObservationSchema = z.strictObject({
  /** The peer's ("On-Prem", Oracle's edge) ARP entry is there with a MAC address. */
  arpPeer: z.boolean(),
  /** statePfxRcd as ARM answers it: a number of prefixes when BGP is Established, else Idle/Active. */
  statePfxRcd: text,
  routes: z.array(text),
});
export type PathObservation = z.infer<typeof pathObservationSchema>;

export const routeObservationSchema = z.strictObject({
  paths: z.strictObject({ primary: pathObservationSchema, secondary: pathObservationSchema }),
  /** The VCN route table's rules (undefined: the table is gone). */
  vcnRouteRules: z.array(z.strictObject({ destination: text, networkEntityId: text })).optional(),
  /** Destinations of the VIRTUAL_CIRCUIT rules in the DRG route table of the VCN attachment (undefined: not readable). */
  drgVirtualCircuitRoutes: z.array(text).optional(),
});
export type RouteObservation = z.infer<typeof routeObservationSchema>;

/** "12" → Established with 12 prefixes; anything else (Idle, Active, empty) → not established. */
export function bgpEstablished(statePfxRcd: string): boolean {
  return /^\d+$/.test(statePfxRcd);
}
