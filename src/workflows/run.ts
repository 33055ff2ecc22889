import type { OrchestrationContext, Task } from "durable-functions";
import {
  decodeFailure,
  type ActivityInput,
  type ActivityName,
  type ActivityOutput,
  type AuditEvent,
  type OpContext,
} from "../contracts";
import { maskedFailure, WorkflowStepError } from "./failure";
import type { WorkflowTiming } from "./names";

/** What a generator step yields and receives: durable tasks in, their results back. */
export type Flow<T> = Generator<Task, T, unknown>;

/** The custom status every orchestration shows at every step. */
export interface WorkflowStatus {
  operation: OpContext["operation"];
  step: string;
  stepNumber: number;
  totalSteps: number;
  waitingFor?: string;
  /** When the current step (or wait) began, orchestration time. */
  since: string;
  lastObserved?: string;
  deadline?: string;
  message: string;
}

/**
 * The per-orchestration toolkit: typed activity calls with retry of retryable failures on durable
 * timers, audit rows per step, custom status. Holds no clock of its own: all time is
 * context.df.currentUtcDateTime, so replays take the same path.
 */
export class WorkflowRun {
  private status: WorkflowStatus;

  constructor(
    readonly context: OrchestrationContext,
    readonly op: OpContext,
    readonly timing: WorkflowTiming,
    private readonly steps: readonly string[],
  ) {
    this.status = {
      operation: op.operation,
      step: steps[0] ?? "start",
      stepNumber: 1,
      totalSteps: steps.length,
      since: this.nowIso(),
      message: "starting",
    };
  }

  now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  /** Enter a step: status shows it as n of N from now on. */
  enter(step: string, message: string): void {
    const index = this.steps.indexOf(step);
    this.status = {
      operation: this.op.operation,
      step,
      stepNumber: index >= 0 ? index + 1 : this.status.stepNumber,
      totalSteps: this.steps.length,
      since: this.nowIso(),
      message,
    };
    this.publish();
  }

  /** Update the current step's status (waiting, last observation, deadline) without changing the step. */
  note(patch: Partial<Omit<WorkflowStatus, "operation" | "step" | "stepNumber" | "totalSteps">>): void {
    this.status = { ...this.status, ...patch };
    this.publish();
  }

  currentStatus(): WorkflowStatus {
    return this.status;
  }

  private publish(): void {
    const s = this.status;
    const clean: WorkflowStatus = { operation: s.operation, step: s.step, stepNumber: s.stepNumber, totalSteps: s.totalSteps, since: s.since, message: s.message };
    if (s.waitingFor !== undefined) clean.waitingFor = s.waitingFor;
    if (s.lastObserved !== undefined) clean.lastObserved = s.lastObserved;
    if (s.deadline !== undefined) clean.deadline = s.deadline;
    this.context.df.setCustomStatus(clean);
  }

  /**
   * Call one activity. Retryable failures are retried after a durable timer (the cloud's
   * Retry-After when it gave one, otherwise exponential from stepFirstRetrySeconds) up to
   * stepMaxAttempts; permanent ones fail the step at once.
   */
  *call<N extends ActivityName>(step: string, name: N, input: Omit<ActivityInput<N>, "opContext">): Flow<ActivityOutput<N>> {
    const full = { ...input, opContext: this.op };
    const maxAttempts = Math.max(1, this.timing.stepMaxAttempts);
    for (let attempt = 1; ; attempt++) {
      try {
        return (yield this.context.df.callActivity(name, full)) as ActivityOutput<N>;
      } catch (error) {
        const failure = maskedFailure(decodeFailure(error));
        if (!failure.retryable || attempt >= maxAttempts) {
          // The activity audited a retryable outcome as "retrying"; giving up on it is the failure.
          if (failure.retryable) yield* this.audit(name, "failed", `${name}: ${failure.code}: ${failure.message} (gave up after ${attempt} attempts)`, { code: failure.code, attempt });
          throw new WorkflowStepError(step, attempt > 1 ? { ...failure, message: `${failure.message} (after ${attempt} attempts)` } : failure);
        }
        const backoff = this.timing.stepFirstRetrySeconds * 2 ** (attempt - 1);
        const delaySeconds = Math.min(Math.max(failure.retryAfterSeconds ?? 0, backoff), Math.max(this.timing.pollMaxIntervalSeconds, backoff));
        this.note({ message: `${name} failed (${failure.code}), retry ${attempt + 1}/${maxAttempts} in ${delaySeconds}s`, lastObserved: failure.message });
        yield* this.audit(step, "retrying", `${name}: ${failure.code}: ${failure.message}`, { attempt, delaySeconds, requestId: failure.requestId ?? null });
        yield* this.sleep(delaySeconds);
      }
    }
  }

  /**
   * Two independent reads in one round trip of history (they would otherwise wait on each other).
   * When either fails, both are redone through call(), so retries and failure decoding are the
   * same as for single calls; a read repeated once costs nothing but the read.
   */
  *readPair<A extends ActivityName, B extends ActivityName>(
    step: string,
    a: [A, Omit<ActivityInput<A>, "opContext">],
    b: [B, Omit<ActivityInput<B>, "opContext">],
  ): Flow<[ActivityOutput<A>, ActivityOutput<B>]> {
    try {
      return (yield this.context.df.Task.all([
        this.context.df.callActivity(a[0], { ...a[1], opContext: this.op }),
        this.context.df.callActivity(b[0], { ...b[1], opContext: this.op }),
      ])) as [ActivityOutput<A>, ActivityOutput<B>];
    } catch {
      const first = yield* this.call(step, a[0], a[1]);
      const second = yield* this.call(step, b[0], b[1]);
      return [first, second];
    }
  }

  *sleep(seconds: number): Flow<void> {
    yield this.context.df.createTimer(new Date(this.now().getTime() + seconds * 1000));
  }

  /**
   * Append an audit row. Best effort: the record (updated through recordUpdate) is the authority,
   * and a provisioning must not stop half-way, nor a compensation leave a circuit billing, because
   * the audit table is unavailable.
   *
   * Two times per row: `entry.at` (kept as the row's `details.at`) is the orchestration time, the
   * clock of the custom status's `since`/`deadline` (the virtual clock on the local stack), and the
   * same on every replay; the row's own `at` is when the store wrote it (wall clock, later by the
   * activity's queueing). Compare a workflow row with the status by `details.at`.
   */
  *audit(step: string, event: AuditEvent, message: string, details?: Record<string, unknown>): Flow<void> {
    const entry = details === undefined ? { step, event, message, at: this.nowIso() } : { step, event, message, at: this.nowIso(), details };
    try {
      yield this.context.df.callActivity("auditAppend", { opContext: this.op, entry });
    } catch {
      this.note({ message: `${message} (audit row not written)` });
    }
  }

  /** Run a named step: status, audit started/succeeded/failed around the body. */
  *step<T>(step: string, message: string, body: () => Flow<T>): Flow<T> {
    this.enter(step, message);
    yield* this.audit(step, "started", message);
    try {
      const result = yield* body();
      yield* this.audit(step, "succeeded", `${step} done`);
      return result;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      yield* this.audit(step, "failed", text, error instanceof WorkflowStepError ? { code: error.failure.code } : undefined);
      throw error;
    }
  }
}

/** Drops undefined values (exactOptional-style) so the activity inputs stay plain JSON. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
