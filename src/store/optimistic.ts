import { BusyError } from "../domain/errors";

/**
 * How long a conditional write (ETag, insert-if-absent, entity-group transaction) is redone when other
 * writers keep winning. Rounds back off exponentially with full jitter, so writers that collided once
 * spread out instead of colliding again in lockstep (a hot row such as the queue's `seq` counter took
 * one winner per round, and 20 writers sent at once outlasted 10 rounds without pause).
 */
export interface ContentionBudget {
  /** The whole budget: after this long, the store gives up with a retryable BusyError. */
  totalMs: number;
  /** The first pause's upper bound; it doubles each round up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A cap on rounds besides the time (tests set it small to reach exhaustion). */
  maxRounds: number;
  /** What the BusyError tells the client to wait before it sends the request again. */
  retryAfterSeconds: number;
}

export const DEFAULT_CONTENTION: ContentionBudget = {
  totalMs: 12_000,
  firstDelayMs: 10,
  maxDelayMs: 1_000,
  maxRounds: 200,
  retryAfterSeconds: 2,
};

/** What `attempt` returns when a writer beat it: read again and try once more. */
export const LOST_RACE: unique symbol = Symbol("lost race");

/**
 * Runs `attempt` until it returns something other than LOST_RACE, pausing between rounds; when the
 * budget runs out, throws a BusyError made by `busy` (a message naming what kept changing).
 */
export async function withOptimisticRounds<T>(
  budget: ContentionBudget,
  busy: (rounds: number, elapsedMs: number) => { message: string; details?: unknown },
  attempt: (round: number) => Promise<T | typeof LOST_RACE>,
): Promise<T> {
  const started = Date.now();
  for (let round = 1; ; round++) {
    const result = await attempt(round);
    if (result !== LOST_RACE) return result;
    const elapsed = Date.now() - started;
    const pause = Math.random() * Math.min(budget.maxDelayMs, budget.firstDelayMs * 2 ** (round - 1));
    if (round >= budget.maxRounds || elapsed + pause >= budget.totalMs) {
      const { message, details } = busy(round, elapsed);
      throw new BusyError(message, budget.retryAfterSeconds, details);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
