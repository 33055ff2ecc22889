import { permanent } from "./failure";
import type { Flow, WorkflowRun } from "./run";

export interface PollSpec<T> {
  step: string;
  /** What is awaited, in words: shown in status and in the deadline failure. */
  waitingFor: string;
  deadlineMinutes: number;
  /** When the awaited operation began (default: now); the deadline counts from it. */
  startedAt?: Date;
  /** One observation (one or a few reads). */
  observe: () => Flow<T>;
  /** Short text of an observation for status, audit and failure messages. */
  describe: (observed: T) => string;
  done: (observed: T) => boolean;
  /** A reason when the observed state can never become done (e.g. FAILED): fail now, not at the deadline. */
  broken?: (observed: T) => string | undefined;
}

/**
 * Poll until done with durable timers: intervals double from the initial to the max setting, the
 * last sleep is cut at the deadline, and one final observation is made at the deadline. So a wait
 * costs at most about log2(max/initial) + deadline/max polls of history, however long it lasts.
 */
export function* pollUntil<T>(run: WorkflowRun, spec: PollSpec<T>): Flow<T> {
  const since = (spec.startedAt ?? run.now()).toISOString();
  const deadline = new Date((spec.startedAt ?? run.now()).getTime() + spec.deadlineMinutes * 60_000);
  let interval = Math.max(1, run.timing.pollInitialIntervalSeconds);
  const maxInterval = Math.max(interval, run.timing.pollMaxIntervalSeconds);
  run.note({ waitingFor: spec.waitingFor, since, deadline: deadline.toISOString(), message: `waiting for ${spec.waitingFor}` });
  for (;;) {
    const observed = yield* spec.observe();
    const text = spec.describe(observed);
    if (spec.done(observed)) {
      run.note({ lastObserved: text, message: `${spec.waitingFor}: done` });
      return observed;
    }
    const reason = spec.broken?.(observed);
    if (reason !== undefined) {
      throw permanent(spec.step, "CLOUD_STATE_FAILED", `while waiting for ${spec.waitingFor}: ${reason} (last observed: ${text})`);
    }
    const now = run.now().getTime();
    if (now >= deadline.getTime()) {
      throw permanent(
        spec.step,
        "DEADLINE_EXCEEDED",
        `gave up waiting for ${spec.waitingFor} after ${spec.deadlineMinutes} min (since ${since}); last observed: ${text}`,
      );
    }
    run.note({ lastObserved: text, message: `waiting for ${spec.waitingFor}` });
    const fireAt = Math.min(now + interval * 1000, deadline.getTime());
    yield run.context.df.createTimer(new Date(fireAt));
    interval = Math.min(interval * 2, maxInterval);
  }
}
