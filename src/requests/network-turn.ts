import type { DurableClient } from "durable-functions";
import { wakeNextInLine } from "../activities/network-turn";
import { BusyError } from "../domain/errors";
import { turnNetworks } from "../domain/network-queue";
import type { NetworksOfSpec } from "../domain/networks";
import type { RequestDeps } from "./deps";
import { REQUEST_TIMING } from "./timing";

/**
 * Takes the run's place in the queue of its VNet and VCN before its orchestration starts, so the order
 * of the queue is the order in which the requests were accepted (the orchestration's first step then
 * waits for the turn). A place or turn the interconnect already has passes to this run: a teardown
 * takes over the turn of the provisioning it stops, before it stops it, so no other run slips in between.
 */
export async function joinQueue(
  deps: RequestDeps,
  name: string,
  spec: NetworksOfSpec,
  operation: string,
  instanceId: string,
): Promise<void> {
  try {
    await deps.store.turns.join({ owner: name, operation, instanceId, networks: turnNetworks(spec) });
  } catch (err) {
    if (!(err instanceof BusyError)) throw err;
    // The record already names this run, which never started: a request repeated sooner would be told
    // that run exists; once stalledStartMs has passed it is taken for stalled and a new attempt starts.
    const seconds = Math.ceil((deps.requestTiming ?? REQUEST_TIMING).stalledStartMs / 1000) + 1;
    throw err.withRetryAfter(seconds, `${err.message} ${instanceId} was not started; send the request again after ${seconds} s.`);
  }
}

/**
 * Takes a queued run out of the queue if it is still waiting: "withdrawn" (it never had its turn, so it
 * built nothing; the next in line is woken), or "holding"/"absent" when it has its turn or no place.
 */
export async function withdrawQueued(
  deps: RequestDeps,
  client: DurableClient,
  name: string,
  instanceId: string,
): Promise<"withdrawn" | "holding" | "absent"> {
  const result = await deps.store.turns.withdraw(name, instanceId);
  if (result.outcome !== "withdrawn") return result.outcome;
  await wakeNextInLine(client, deps.store.turns, result.networks).catch((err: unknown) =>
    deps.log(`could not wake the next in line after ${instanceId}: ${err instanceof Error ? err.message : String(err)}`),
  );
  return "withdrawn";
}
