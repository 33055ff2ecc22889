/** The ExpressRoute virtual network gateway and its GatewaySubnet. */
import { z } from "zod";
import { GATEWAY_SKUS } from "../domain/skus";
import { armId, azureScope, cidr, observed, opContext, resourceTags, text, type ActivityFamily } from "./common";
import { releaseBeforeDelete, sharedDeleteOutcome } from "./usage";

export const gatewayObservation = observed({
  gatewayId: z.string(),
  name: z.string(),
  /** ARM provisioningState: Creating | Updating | Succeeded | Failed | Deleting ... */
  provisioningState: z.string(),
  sku: z.string(),
  /** The gateway's public IP, shared with it. */
  publicIpId: z.string().optional(),
});
export type GatewayObservation = z.infer<typeof gatewayObservation>;

export const gatewayActivities = {
  azureEnsureGatewaySubnet: {
    input: z.object({ opContext, azure: azureScope, virtualNetworkName: text, addressPrefix: cidr }),
    output: z.object({ subnetId: z.string(), addressPrefix: z.string(), provisioningState: z.string() }),
  },
  azureEnsureGateway: {
    input: z.object({
      opContext,
      azure: azureScope,
      location: text,
      virtualNetworkName: text,
      gatewaySubnetId: armId,
      sku: z.enum(GATEWAY_SKUS),
      scaleUnits: z.number().int().min(1).max(40).optional(),
      /** On the gateway and its public IP. */
      tags: resourceTags.optional(),
    }),
    output: gatewayObservation,
  },
  azureGetGateway: {
    /** gatewayId is given when an existing (not ours) gateway is used; otherwise the derived name is read. */
    input: z.object({ opContext, azure: azureScope, gatewayId: armId.optional() }),
    output: gatewayObservation,
  },
  azureDeleteGateway: {
    /**
     * The gateway named by gatewayId (the usage rows allowed its removal; absent: the derived name) and
     * then its public IP (publicIpId, or the derived name); "in-use" when another connection still uses it,
     * "busy" while its deployment runs. release: the gateway's usage row first (its IP's after it: the IP
     * follows the gateway's decision).
     */
    input: z.object({
      opContext,
      azure: azureScope,
      gatewayId: armId.optional(),
      publicIpId: armId.optional(),
      release: releaseBeforeDelete.optional(),
    }),
    output: sharedDeleteOutcome,
  },
  azureDeleteGatewaySubnet: {
    /**
     * gatewayId/publicIpId: the gateway removed before it (its IP configuration may still be releasing the subnet) and its IP.
     * release: the GatewaySubnet's usage row, released and decided on before anything is asked of the cloud.
     */
    input: z.object({
      opContext,
      azure: azureScope,
      virtualNetworkName: text,
      gatewayId: armId.optional(),
      publicIpId: armId.optional(),
      release: releaseBeforeDelete.optional(),
    }),
    output: sharedDeleteOutcome,
  },
} satisfies ActivityFamily;
