/** The ExpressRoute circuit, its provider-made private peering and the peering's ARP and route tables. */
import { z } from "zod";
import { azureScope, deleteOutcome, observed, opContext, resourceTags, text, type ActivityFamily } from "./common";

const peeringSummary = z.object({
  name: z.string(),
  peeringType: z.string(),
  provisioningState: z.string(),
  peerASN: z.number().nullable(),
  primaryPeerAddressPrefix: z.string().nullable(),
  secondaryPeerAddressPrefix: z.string().nullable(),
  vlanId: z.number().nullable(),
});
export type PeeringSummary = z.infer<typeof peeringSummary>;

export const circuitObservation = observed({
  circuitId: z.string(),
  provisioningState: z.string(),
  /** NotProvisioned | Provisioning | Provisioned | Deprovisioning */
  serviceProviderProvisioningState: z.string(),
  circuitProvisioningState: z.string(),
  /** e.g. "****-****-****-1a2b"; never the full key. */
  serviceKeyMasked: z.string(),
  /** AzurePrivatePeering as the provider configured it, or null. */
  privatePeering: peeringSummary.nullable(),
  peeringCount: z.number(),
});
export type CircuitObservation = z.infer<typeof circuitObservation>;

export const DEVICE_PATHS = ["primary", "secondary"] as const;
export type DevicePath = (typeof DEVICE_PATHS)[number];

export const peeringTables = z.object({
  arp: z.array(
    z.object({ ipAddress: z.string(), macAddress: z.string().optional(), age: z.number().optional(), interface: z.string().optional() }),
  ),
  routes: z.array(z.object({ network: z.string(), nextHop: z.string(), path: z.string() })),
});
export type PeeringTables = z.infer<typeof peeringTables>;

export const circuitActivities = {
  azureEnsureCircuit: {
    input: z.object({
      opContext,
      azure: azureScope,
      location: text,
      peeringLocation: text,
      bandwidthInMbps: z.number().int().positive(),
      sku: z.object({ tier: z.enum(["Standard", "Premium", "Local"]), family: z.enum(["MeteredData", "UnlimitedData"]) }),
      tags: resourceTags.optional(),
    }),
    output: circuitObservation,
  },
  azureGetCircuit: { input: z.object({ opContext, azure: azureScope }), output: circuitObservation },
  azureDeleteCircuit: { input: z.object({ opContext, azure: azureScope }), output: deleteOutcome },
  azureReadPeeringTables: { input: z.object({ opContext, azure: azureScope, devicePath: z.enum(DEVICE_PATHS) }), output: peeringTables },
} satisfies ActivityFamily;
