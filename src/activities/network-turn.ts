/**
 * The per-network queue's hands: the store's rows and the task hub (whether the run holding a turn, or
 * waiting ahead, is still alive; waking the next in line). The order rule is domain/network-queue.ts.
 */
import * as df from "durable-functions";
import type { DurableClient } from "durable-functions";
import { nextInLine, turnOf } from "../domain/network-queue";
import type { NetworkTurns, TurnRow } from "../store";
import { LOST_RACE, withOptimisticRounds } from "../store/optimistic";
import { findInstance, isFinished } from "./durable-instance";
import { defineActivity } from "./step";

/** How long a row may name an instance the task hub does not know yet: a request writes the row just before it starts the instance. */
export const TURN_START_GRACE_MS = 15_000;

/** Why the run of `row` is over (its runtimeStatus, or "Absent"), or undefined while it runs or may be starting. */
export async function endedRun(
  client: DurableClient,
  row: Pick<TurnRow, "instanceId" | "writtenAt">,
  now = Date.now(),
): Promise<string | undefined> {
  const status = await findInstance(client, row.instanceId);
  if (status !== undefined) return isFinished(status) ? String(status.runtimeStatus) : undefined;
  return now - Date.parse(row.writtenAt) >= TURN_START_GRACE_MS ? "Absent" : undefined;
}

/**
 * Wakes the first run waiting on each of `networks` by the event its orchestration waits for (it then
 * tries to take its turn). Best effort: a lost wake-up is caught by the waiting run's own timer.
 */
export async function wakeNextInLine(
  client: DurableClient,
  turns: NetworkTurns,
  networks: readonly string[],
  except?: string,
): Promise<string[]> {
  if (networks.length === 0) return [];
  const woke: string[] = [];
  for (const next of nextInLine(networks, await turns.list(networks))) {
    const row = next as TurnRow;
    if (row.instanceId === except || !row.wakeEvent) continue;
    try {
      await client.raiseEvent(row.instanceId, row.wakeEvent, { reason: "a turn was released" });
      woke.push(row.instanceId);
    } catch {
      // Not running (any more): its own end, or the next look at the queue, frees its place.
    }
  }
  return woke;
}

export const networkTurnTake = defineActivity("networkTurnTake", "read", async (input, ctx) => {
  const { interconnect: owner, instanceId, operation } = input.opContext;
  const record = await ctx.deps.store.interconnects.get(owner);
  if (!record || record.state === "deleted" || record.currentOperation?.instanceId !== instanceId) {
    const now = record ? `${record.state}, operation ${record.currentOperation?.instanceId ?? "none"}` : "no record";
    return { outcome: "superseded" as const, reason: `the interconnect's record moved on (${now})` };
  }
  const client = df.getClient(ctx.invocation);
  const turns = ctx.deps.store.turns;
  const request = { owner, operation, instanceId, networks: input.networks, wakeEvent: input.wakeEvent };
  const released: string[] = [];
  // Exhausted, the BusyError is a retryable step failure: the orchestrator's retry policy looks again later.
  return withOptimisticRounds(
    turns.contention,
    (rounds, ms) => ({
      message: `the queue of ${input.networks.join(", ")} kept changing under ${instanceId} (${rounds} rounds in ${ms} ms)`,
    }),
    async () => {
      const rows = await turns.join(request);
      const turn = turnOf(owner, input.networks, rows);
      if (turn.granted) return (await turns.take(request, rows)) ? { outcome: "granted" as const } : LOST_RACE;
      const blocker = turn.behind as TurnRow;
      const ended = await endedRun(client, blocker);
      if (ended !== undefined) {
        // A dead run ahead (terminated, failed, or never started) would hold the queue for ever: its places go.
        const freed = await turns.leave(blocker.owner, blocker.instanceId);
        released.push(blocker.instanceId);
        await wakeNextInLine(client, turns, freed, instanceId);
        return LOST_RACE;
      }
      const ahead = new Set(
        rows
          .filter(
            (r) =>
              r.owner !== owner && (r.holds || r.seq < (rows.find((m) => m.owner === owner && m.network === r.network)?.seq ?? Infinity)),
          )
          .map((r) => r.instanceId),
      );
      return {
        outcome: "waiting" as const,
        behind: {
          owner: blocker.owner,
          operation: blocker.operation,
          instanceId: blocker.instanceId,
          since: blocker.since,
          holds: blocker.holds,
        },
        position: Math.max(1, ahead.size),
        released,
      };
    },
  );
});

export const networkTurnRelease = defineActivity("networkTurnRelease", "read", async (input, ctx) => {
  const { interconnect: owner, instanceId } = input.opContext;
  const turns = ctx.deps.store.turns;
  const networks = await turns.leave(owner, instanceId);
  return { networks, woke: await wakeNextInLine(df.getClient(ctx.invocation), turns, networks) };
});

export const networkTurnSweep = defineActivity("networkTurnSweep", "read", async (_input, ctx) => {
  const client = df.getClient(ctx.invocation);
  const turns = ctx.deps.store.turns;
  const runs = new Map<string, TurnRow>();
  for (const row of await turns.list()) if (!runs.has(row.instanceId)) runs.set(row.instanceId, row);
  const released: { owner: string; instanceId: string; runtimeStatus: string }[] = [];
  const freed = new Set<string>();
  for (const row of runs.values()) {
    const ended = await endedRun(client, row);
    if (ended === undefined) continue;
    for (const network of await turns.leave(row.owner, row.instanceId)) freed.add(network);
    released.push({ owner: row.owner, instanceId: row.instanceId, runtimeStatus: ended });
  }
  return { released, woke: await wakeNextInLine(client, turns, [...freed]) };
});
