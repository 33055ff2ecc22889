import { afterAll, beforeAll } from "vitest";
import { E2eStack, type Json, type StackOptions } from "./stack";

/**
 * The health watch's stack: at x300 a 5-minute control-plane cadence is one real second and the
 * 30-minute route cadence six; no auto-repair, so a finding stays until the test clears its cause.
 */
export const HEALTH_WATCH_STACK: StackOptions = {
  speed: 300,
  settings: { HEALTH_CONTROL_PLANE_MINUTES: "5", HEALTH_ROUTES_MINUTES: "30", AUTO_REPAIR: "false" },
};
/** The route cadence of HEALTH_WATCH_STACK, in real milliseconds. */
export const ROUTE_CADENCE_MS = 6_000;

/** A health report's findings as `code:subject`, sorted. */
export const findingCodes = (h: Json): string[] => (h.findings as Json[]).map((f) => `${f.code}:${f.subject}`).sort();

export interface HealthWatchStack {
  /** The running stack (started in beforeAll). */
  stack: () => E2eStack;
  /** erp-prod's health over the REST API. */
  health: () => Promise<Json>;
  /** Reads erp-prod's health until `done`; fails naming `what`, with the last report and the host log's folder. */
  healthUntil: (what: string, done: (h: Json) => boolean, timeoutMs?: number) => Promise<Json>;
}

/** One HEALTH_WATCH_STACK for the test file: started in beforeAll, closed in afterAll. */
export function useHealthWatchStack(): HealthWatchStack {
  let running: E2eStack | undefined;
  beforeAll(async () => {
    running = await E2eStack.start(HEALTH_WATCH_STACK);
  }, 240_000);
  afterAll(async () => {
    await running?.close();
  });
  const stack = (): E2eStack => {
    if (!running) throw new Error("the health watch stack is not started yet");
    return running;
  };
  const health = async (): Promise<Json> => (await stack().api("GET", "interconnects/erp-prod/health")).json;
  /** Two route cadences (one to start the next check, one for it to run), doubled, plus slack: on a loaded 2-core machine a route check (six ARM LROs, polled in real time) can outlast a cadence. */
  async function healthUntil(what: string, done: (h: Json) => boolean, timeoutMs = 4 * ROUTE_CADENCE_MS + 30_000): Promise<Json> {
    const until = Date.now() + timeoutMs;
    let last: Json;
    while (Date.now() < until) {
      last = await health();
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}; last health: ${JSON.stringify(last, null, 1)}; host log: ${stack().logDir}`);
  }
  return { stack, health, healthUntil };
}
