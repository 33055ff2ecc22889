import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { findInstance, isFinished } from "../activities/durable-instance";
import type { InterconnectOperation } from "../store";

export { findInstance, isFinished };

/** The word for an instance the task hub does not know (never started, or purged), as the record view shows it. */
export const ABSENT_RUNTIME_STATUS = "Absent";

/**
 * Why the record's operation is not running, or undefined while it is (or may still be: an instance
 * absent for less than the start grace is a start in flight). A record in an in-flight state whose
 * operation stopped is moved on by nothing: a repeated request starts a new one over it.
 */
export function stoppedOperation(
  op: InterconnectOperation,
  status: DurableOrchestrationStatus | undefined,
  now: number,
  stalledStartMs: number,
): string | undefined {
  if (status !== undefined) return isFinished(status) ? String(status.runtimeStatus) : undefined;
  return now - Date.parse(op.startedAt) >= stalledStartMs ? ABSENT_RUNTIME_STATUS : undefined;
}

/**
 * Terminate and wait (briefly) until the instance is no longer running, so that a teardown started
 * next does not race the provisioning's next steps. True when it is terminal (or gone) within the
 * wait; false when it still runs: an activity it started may still be finishing its cloud call.
 */
export async function terminateAndWait(
  client: DurableClient,
  instanceId: string,
  reason: string,
  wait: { waitMs: number; pollMs: number },
): Promise<boolean> {
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
