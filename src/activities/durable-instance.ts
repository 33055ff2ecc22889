/**
 * The task hub, read through the durable client binding (allowed on any function, activities
 * included): lets a teardown wait until the provisioning it stopped has really stopped.
 */
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { defineActivity } from "./step";

/** The status of an instance, or undefined when the task hub has never heard of it. */
export async function findInstance(
  client: DurableClient,
  instanceId: string,
  options: { showInput?: boolean } = {},
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: options.showInput === true });
  } catch (err) {
    // durable-functions reports 404 only through the message text.
    if (err instanceof Error && /HTTP 404 response/.test(err.message)) return undefined;
    throw err;
  }
}

const FINISHED = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export function isFinished(status: DurableOrchestrationStatus | undefined): boolean {
  return status !== undefined && FINISHED.has(String(status.runtimeStatus));
}

export const provisioningInstanceState = defineActivity("provisioningInstanceState", "read", async (input, ctx) => {
  const status = await findInstance(df.getClient(ctx.invocation), input.instanceId);
  if (status === undefined) return { runtimeStatus: "absent", terminal: true };
  return { runtimeStatus: String(status.runtimeStatus), terminal: isFinished(status) };
});
