/** The task hub, read through the durable client binding. */
import { z } from "zod";
import { opContext, type ActivityFamily } from "./common";

export const taskHubActivities = {
  /**
   * A teardown that stopped a provisioning (TeardownInput.stoppedProvisioning) waits until that
   * instance is terminal before removing anything: an activity it started may still be creating.
   */
  provisioningInstanceState: {
    input: z.object({ opContext, instanceId: z.string().min(1).max(200) }),
    output: z.object({
      /** The task hub's runtimeStatus (Running, Pending, Completed, Failed, Terminated, …), or "absent". */
      runtimeStatus: z.string(),
      /** Completed, Failed, Terminated, Canceled or absent: nothing of it runs any more. */
      terminal: z.boolean(),
    }),
  },
} satisfies ActivityFamily;
