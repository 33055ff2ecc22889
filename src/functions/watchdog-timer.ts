import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { settings } from "../config/settings";
import { WATCHDOG_ORCHESTRATOR, type WatchdogInput } from "../workflows/names";
import { findInstance, isFinished } from "../requests/durable";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";

/**
 * The watchdog's clock is the Functions timer, not a durable timer: what it watches for is exactly an
 * orchestration whose durable timer never fired, and its own must not be able to get lost the same
 * way. Each occurrence starts one short round (watchdogSweep) under an id of its own, so a round
 * that itself got stuck does not hold up the next for long.
 *
 * An occurrence while the previous round still runs is skipped (up to MAX_SKIPS in a row): on a
 * platform slowed down (a busy storage account, the local stack at x60), rounds that pile up each scan
 * every run and restart what looks stalled, which slows the platform further, and the runs that wait
 * their turn in a queue then look stalled too. One round at a time keeps the watchdog from feeding that.
 */
export const MAX_SKIPS = 3;

export function watchdogTimerHandler(getDeps: () => TriggerDeps, marginMinutes: number) {
  // The timer runs on one instance of the app at a time (its schedule lease); after a restart nothing is
  // remembered, which costs at most one overlapping round.
  let previous: string | undefined;
  let skipped = 0;
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const client = df.getClient(context);
    if (previous !== undefined && skipped < MAX_SKIPS) {
      const status = await findInstance(client, previous);
      if (status !== undefined && !isFinished(status)) {
        skipped += 1;
        context.log(`watchdog: round ${previous} still runs; this occurrence is skipped (${skipped} of at most ${MAX_SKIPS} in a row)`);
        return;
      }
    }
    skipped = 0;
    const input: WatchdogInput = { marginMinutes, timing: getDeps().timing };
    const instanceId = `watchdog-${new Date().toISOString()}`;
    await client.startNew(WATCHDOG_ORCHESTRATOR, { instanceId, input });
    previous = instanceId;
    // A routine round is housekeeping every few minutes, not an event a reader follows (what it finds, it
    // logs itself); a late one is worth a line.
    if (timer.isPastDue) context.log(`watchdog: round ${instanceId} started (past due)`);
    else context.debug(`watchdog: round ${instanceId} started`);
  };
}

export function registerWatchdogTimer(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  const { schedule, marginMinutes } = settings().watchdog;
  app.timer("watchdogTimer", {
    schedule,
    extraInputs: [df.input.durableClient()],
    handler: watchdogTimerHandler(getDeps, marginMinutes),
  });
}
