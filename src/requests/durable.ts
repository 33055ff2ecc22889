import type { DurableClient } from "durable-functions";
import { findInstance, isFinished } from "../activities/durable-instance";

export { findInstance, isFinished };

/**
 * Terminate and wait (briefly) until the instance is no longer running, so that a teardown started
 * next does not race the provisioning's next steps. True when it is terminal (or gone) within the
 * wait; false when it still runs: an activity it started may still be finishing its cloud call.
 */
export async function terminateAndWait(client: DurableClient, instanceId: string, reason: string, wait: { waitMs: number; pollMs: number }): Promise<boolean> {
  const status = await findInstance(client, instanceId);
  if (status === undefined || isFinished(status)) return true;
  try {
    // The client puts the reason into the query string as is.
    await client.terminate(instanceId, encodeURIComponent(reason));
  } catch (err) {
    if (!(err instanceof Error && /No instance with ID/.test(err.message))) throw err;
    return true;
  }
  const until = Date.now() + wait.waitMs;
  for (;;) {
    const now = await findInstance(client, instanceId);
    if (now === undefined || isFinished(now)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
  }
}
