/** The task hub, read through the durable client binding. */
import type { OpContext } from "./common";

/**
 * A teardown that stopped a provisioning (TeardownInput.stoppedProvisioning) waits until that
 * instance is terminal before removing anything: an activity it started may still be creating.
 */
export interface ProvisioningInstanceStateInput {
  opContext: OpContext;
  instanceId: string;
}
export interface ProvisioningInstanceState {
  /** The task hub's runtimeStatus (Running, Pending, Completed, Failed, Terminated, …), or "absent". */
  runtimeStatus: string;
  /** Completed, Failed, Terminated, Canceled or absent: nothing of it runs any more. */
  terminal: boolean;
}
