/** Pre-flight reads: a permanent failure with code NOT_FOUND when the user-named resource does not exist. */
import { z } from "zod";
import { azureScope, compartmentOcid, guid, ocid, opContext, region, text, type ActivityFamily } from "./common";

export const virtualNetworkSummary = z.object({
  id: z.string(),
  location: z.string(),
  addressPrefixes: z.array(z.string()),
  gatewaySubnet: z.object({ id: z.string(), addressPrefix: z.string() }).nullable(),
  /**
   * An ExpressRoute gateway already in this VNet (whatever its name, in whatever resource group: found
   * through the GatewaySubnet's ipConfigurations), or null.
   */
  expressRouteGateway: z
    .object({
      id: z.string(),
      name: z.string(),
      sku: z.string(),
      provisioningState: z.string(),
      /** The gateway's public IP (shared with the gateway); absent in histories written before it. */
      publicIpId: z.string().optional(),
    })
    .nullable(),
  /** Every subnet of the VNet with its prefixes (pre-flight checks gatewaySubnetPrefix against them). */
  subnets: z.array(z.object({ name: z.string(), addressPrefixes: z.array(z.string()) })).optional(),
});
export type VirtualNetworkSummary = z.infer<typeof virtualNetworkSummary>;

export const vcnSummary = z.object({
  id: z.string(),
  compartmentId: z.string(),
  cidrBlocks: z.array(z.string()),
  defaultRouteTableId: z.string(),
  lifecycleState: z.string(),
  /** The VCN's DRG attachments that are not DETACHED (a VCN attaches to one DRG at a time). */
  drgAttachments: z.array(z.object({ id: z.string(), drgId: z.string(), displayName: z.string(), lifecycleState: z.string() })).optional(),
});
export type VcnSummary = z.infer<typeof vcnSummary>;

export const drgSummary = z.object({
  id: z.string(),
  lifecycleState: z.string(),
  /** This DRG's attachment to the VCN named in the read, or null. */
  vcnAttachment: z.object({ id: z.string(), lifecycleState: z.string() }).nullable(),
});
export type DrgSummary = z.infer<typeof drgSummary>;

export const preflightActivities = {
  azureReadVirtualNetwork: { input: z.object({ opContext, azure: azureScope, virtualNetworkName: text }), output: virtualNetworkSummary },
  azureReadProviderOffer: {
    input: z.object({ opContext, subscriptionId: guid, peeringLocation: text, bandwidthInMbps: z.number().int().positive() }),
    /** offered: "Oracle Cloud FastConnect" offers this peering location AND this bandwidth. */
    output: z.object({
      offered: z.boolean(),
      serviceProviderName: z.string(),
      peeringLocations: z.array(z.string()),
      bandwidthsInMbps: z.array(z.number()),
    }),
  },
  ociReadVcn: { input: z.object({ opContext, region, vcnId: ocid("vcn") }), output: vcnSummary },
  ociReadProviderService: {
    input: z.object({ opContext, region, compartmentId: compartmentOcid }),
    /** The "Microsoft Azure" FastConnect provider service. */
    output: z.object({ providerServiceId: z.string(), providerName: z.string(), bandwidthShapeNames: z.array(z.string()) }),
  },
  ociReadDrg: { input: z.object({ opContext, region, drgId: ocid("drg"), vcnId: ocid("vcn") }), output: drgSummary },
} satisfies ActivityFamily;
