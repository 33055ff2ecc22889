import { permanent } from "../contracts";
import { WorkflowStepError } from "./failure";
import type { Flow, WorkflowRun } from "./run";
import { nextPollAt, type PollCadence, type WaitName } from "./waits";

export interface PollSpec<T> {
  step: string;
  /** Which profile (timing.waits) says when the awaited operation usually completes. */
  wait: WaitName;
  /** What is awaited, in words: shown in status and in the deadline failure. */
  waitingFor: string;
  deadlineMinutes: number;
  /** When the awaited operation began (default: now); the profile and the deadline count from it. */
  startedAt?: Date;
  /** The observation that started the wait (e.g. what a create returned), shown until the first poll. */
  initiallyObserved?: string;
  /** One observation (one or a few reads). */
  observe: () => Flow<T>;
  /** Short text of an observation for status, audit and failure messages. */
  describe: (observed: T) => string;
  done: (observed: T) => boolean;
  /** A reason when the observed state can never become done (e.g. FAILED): fail now, not at the deadline. */
  broken?: (observed: T) => string | undefined;
}

/**
 * Poll until done on durable timers, as the wait's profile says (waits.ts nextPollAt): the first
 * look at the earliest plausible completion, dense polls inside the expected window, back-off
 * past it, and one final observation at the deadline.
 */
export function* pollUntil<T>(run: WorkflowRun, spec: PollSpec<T>): Flow<T> {
  const started = spec.startedAt ?? run.now();
  const since = started.toISOString();
  const deadlineMs = started.getTime() + spec.deadlineMinutes * 60_000;
  const deadline = new Date(deadlineMs).toISOString();
  const profile = run.timing.waits[spec.wait];
  const cadence = pollCadence(run);
  const schedule = (lastIntervalMs: number | undefined) =>
    nextPollAt(profile, cadence, { startedMs: started.getTime(), nowMs: run.now().getTime(), deadlineMs, lastIntervalMs });

  run.note({ waitingFor: spec.waitingFor, since, deadline, message: `waiting for ${spec.waitingFor}` });
  run.log("info", `waiting for ${spec.waitingFor} (deadline in ${spec.deadlineMinutes} min)`, spec.step);
  // The audit keeps each durable wait (what, since when, until when at most), so a timeline can show it after the fact.
  yield* run.audit(spec.step, "waiting", `waiting for ${spec.waitingFor}`, {
    wait: spec.wait,
    waitingFor: spec.waitingFor,
    since,
    deadline,
  });
  if (spec.initiallyObserved !== undefined) run.note({ lastObserved: spec.initiallyObserved });
  let lastIntervalMs: number | undefined;
  const firstLookMs = Math.min(started.getTime() + profile.earliestSeconds * 1000, deadlineMs);
  if (firstLookMs > run.now().getTime()) {
    run.note({ message: `waiting for ${spec.waitingFor}; first look at ${new Date(firstLookMs).toISOString()}` });
    yield run.context.df.createTimer(new Date(firstLookMs));
  }
  for (;;) {
    const observed = yield* spec.observe();
    const text = spec.describe(observed);
    if (spec.done(observed)) {
      run.note({ lastObserved: text, message: `${spec.waitingFor}: done` });
      yield* run.audit(spec.step, "waiting", `${spec.waitingFor}: done`, {
        wait: spec.wait,
        waitingFor: spec.waitingFor,
        outcome: "done",
        lastObserved: text,
      });
      return observed;
    }
    const reason = spec.broken?.(observed);
    if (reason !== undefined) {
      throw new WorkflowStepError(
        spec.step,
        permanent("CLOUD_STATE_FAILED", `while waiting for ${spec.waitingFor}: ${reason} (last observed: ${text})`),
      );
    }
    if (run.now().getTime() >= deadlineMs) {
      throw new WorkflowStepError(
        spec.step,
        permanent(
          "DEADLINE_EXCEEDED",
          `gave up waiting for ${spec.waitingFor} after ${spec.deadlineMinutes} min (since ${since}); last observed: ${text}`,
        ),
      );
    }
    const next = schedule(lastIntervalMs);
    lastIntervalMs = next.intervalMs;
    run.note({ lastObserved: text, message: `waiting for ${spec.waitingFor}; next look at ${new Date(next.fireAtMs).toISOString()}` });
    yield run.context.df.createTimer(new Date(next.fireAtMs));
  }
}

export function pollCadence(run: WorkflowRun): PollCadence {
  const t = run.timing;
  return {
    minIntervalSeconds: t.pollMinIntervalSeconds,
    windowFraction: t.pollWindowFraction,
    backoffInitialSeconds: t.pollInitialIntervalSeconds,
    maxIntervalSeconds: t.pollMaxIntervalSeconds,
  };
}
