import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";

/** The status of an instance, or undefined when the task hub has never heard of it. */
export async function findInstance(client: DurableClient, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: false });
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

/**
 * Terminate and wait (briefly) until the instance is no longer running, so that a teardown started
 * next does not race the provisioning's next steps. A gone or finished instance is fine.
 */
export async function terminateAndWait(client: DurableClient, instanceId: string, reason: string, waitMs = 5_000): Promise<void> {
  const status = await findInstance(client, instanceId);
  if (status === undefined || isFinished(status)) return;
  try {
    // The client puts the reason into the query string as is.
    await client.terminate(instanceId, encodeURIComponent(reason));
  } catch (err) {
    if (!(err instanceof Error && /No instance with ID/.test(err.message))) throw err;
    return;
  }
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if (isFinished(await findInstance(client, instanceId))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
