import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { settings } from "../config/settings";
import { WATCHDOG_ORCHESTRATOR, type WatchdogInput } from "../workflows/names";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";

/**
 * The watchdog's clock is the Functions timer, not a durable timer: what it watches for is exactly an
 * orchestration whose durable timer never fired, and its own must not be able to get lost the same
 * way. Each occurrence starts one short round (watchdogSweep) under an id of its own, so a round
 * that itself got stuck does not hold up the next.
 */
export function watchdogTimerHandler(getDeps: () => TriggerDeps, marginMinutes: number) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    const client = df.getClient(context);
    const input: WatchdogInput = { marginMinutes, timing: getDeps().timing };
    const instanceId = `watchdog-${new Date().toISOString()}`;
    await client.startNew(WATCHDOG_ORCHESTRATOR, { instanceId, input });
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
