import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { settings } from "../config/settings";
import { ensureHealthWatches } from "../requests/health-watch";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";

/**
 * Runs at start-up (so an upgrade watches what was already active) and on HEALTH_KEEPER_SCHEDULE
 * (default every 15 minutes: a watch terminated by hand comes back). The local host runs it on the
 * virtual clock, so a fast clock needs a slower schedule (the e2e stack sets one).
 */
export function healthWatchKeeper(getDeps: () => TriggerDeps) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const outcome = await ensureHealthWatches(getDeps().store.interconnects, df.getClient(context));
    context.log(`healthWatchKeeper: ${outcome.active} active, started ${outcome.started.length ? outcome.started.join(", ") : "none"}`);
  };
}

export function registerHealthWatchKeeper(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  app.timer("healthWatchKeeper", {
    schedule: settings().healthKeeper.schedule,
    runOnStartup: true,
    extraInputs: [df.input.durableClient()],
    handler: healthWatchKeeper(getDeps),
  });
}
