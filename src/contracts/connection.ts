/** The connection between the ExpressRoute gateway and the circuit. */
import { z } from "zod";
import { armId, azureScope, deleteOutcome, observed, opContext, resourceTags, text, type ActivityFamily } from "./common";

export const connectionObservation = observed({
  connectionId: z.string(),
  provisioningState: z.string(),
  /** Unknown | Connecting | Connected | NotConnected */
  connectionStatus: z.string(),
  expressRouteGatewayBypass: z.boolean(),
});
export type ConnectionObservation = z.infer<typeof connectionObservation>;

export const connectionActivities = {
  azureEnsureConnection: {
    input: z.object({
      opContext,
      azure: azureScope,
      location: text,
      gatewayId: armId,
      circuitId: armId,
      /** FastPath. */
      expressRouteGatewayBypass: z.boolean(),
      tags: resourceTags.optional(),
    }),
    output: connectionObservation,
  },
  azureGetConnection: { input: z.object({ opContext, azure: azureScope }), output: connectionObservation },
  azureDeleteConnection: { input: z.object({ opContext, azure: azureScope }), output: deleteOutcome },
} satisfies ActivityFamily;
