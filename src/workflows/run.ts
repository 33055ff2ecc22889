import type { OrchestrationContext, Task } from "durable-functions";
import {
  ACTIVITIES,
  decodeFailure,
  retryLater,
  stepFailureError,
  type ActivityInput,
  type ActivityName,
  type ActivityOutput,
  type AuditEntry,
  type AuditEvent,
  type OpContext,
} from "../contracts";
import { withLogFields } from "../domain/log-fields";
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
  /** "compensating": a failed provisioning removing what it built; its steps number on from the failed one's. */
  phase?: "compensating";
}

/**
 * The per-orchestration toolkit: typed activity calls with retry of retryable failures on durable
 * timers, audit rows per step, custom status. Holds no clock of its own: all time is
 * context.df.currentUtcDateTime, so replays take the same path.
 */
export class WorkflowRun {
  private status: WorkflowStatus;
  /** Retries the orchestrator made (on durable timers) within the current step. */
  private stepRetries = 0;
  /** Calls made so far by this orchestration (shared with a compensation run); with the orchestration time, each call's callKey. */
  private readonly counter: { calls: number };
  /** Steps before this run's first (a compensation counts on from the step that failed), so the step number never goes back. */
  private readonly offset: number;

  constructor(
    readonly context: OrchestrationContext,
    public op: OpContext,
    readonly timing: WorkflowTiming,
    private readonly steps: readonly string[],
    compensating?: WorkflowRun,
  ) {
    this.counter = compensating?.counter ?? { calls: 0 };
    this.offset = compensating?.status.stepNumber ?? 0;
    this.status = {
      operation: op.operation,
      step: compensating ? "compensation" : (steps[0] ?? "start"),
      stepNumber: this.offset + 1,
      totalSteps: this.offset + steps.length,
      since: this.nowIso(),
      message: "starting",
      ...(compensating ? { phase: "compensating" as const } : {}),
    };
  }

  now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  /** An adopted interconnect's own ARM names, once found: every later call looks its resources up under them. */
  useNames(names: NonNullable<OpContext["names"]>): void {
    this.op = { ...this.op, names };
  }

  nowIso(): string {
    return this.now().toISOString();
  }

  /**
   * Enter a step: status shows it as n of N from now on. n never goes down (steps that run side by
   * side, a compensation after a failure): it counts how far the operation got.
   */
  enter(step: string, message: string): void {
    const index = this.steps.indexOf(step);
    this.status = {
      operation: this.op.operation,
      step,
      stepNumber: index >= 0 ? Math.max(this.status.stepNumber, this.offset + index + 1) : this.status.stepNumber,
      totalSteps: this.offset + this.steps.length,
      since: this.nowIso(),
      message,
      ...(this.status.phase ? { phase: this.status.phase } : {}),
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

  /**
   * One line in the function log per event, written once: a replay runs this code again with
   * isReplaying set, and logs nothing (the Durable Functions way to log from an orchestrator).
   */
  log(level: "debug" | "info" | "warn" | "error", message: string, step: string = this.status.step): void {
    if (this.context.df.isReplaying) return;
    const { interconnect, operation, instanceId } = this.op;
    this.context[level](withLogFields(`${operation} ${interconnect}: ${message}`, { interconnect, operation, instanceId, step }));
  }

  /** The op context of the next activity call. Replays make the same calls in the same order, so the keys repeat exactly. */
  private callContext(): OpContext {
    return { ...this.op, callKey: `${this.nowIso()}#${this.op.operation}#${this.counter.calls++}` };
  }

  private publish(): void {
    const s = this.status;
    const clean: WorkflowStatus = {
      operation: s.operation,
      step: s.step,
      stepNumber: s.stepNumber,
      totalSteps: s.totalSteps,
      since: s.since,
      message: s.message,
    };
    if (s.phase !== undefined) clean.phase = s.phase;
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
    for (let attempt = 1; ; attempt++) {
      try {
        return checkedOutput(
          name,
          yield this.context.df.callActivity(name, { ...input, opContext: this.callContext() }),
        ) as ActivityOutput<N>;
      } catch (error) {
        const next = this.afterFailure(step, name, error, attempt);
        if (next.audit) yield* this.audit(next.audit.step, next.audit.event, next.audit.message, next.audit.details);
        if ("error" in next) throw next.error;
        yield* this.sleep(next.retryInSeconds);
      }
    }
  }

  /**
   * What follows a failed activity call: another attempt after a delay, or the step's failure once it
   * is permanent or the attempts are used up; with the audit row that says so. Pure, so callers that
   * run several calls at once (the remover) retry exactly as call() does.
   */
  afterFailure(
    step: string,
    name: ActivityName,
    error: unknown,
    attempt: number,
  ): { retryInSeconds: number; audit: AuditRow } | { error: WorkflowStepError; audit?: AuditRow } {
    const failure = maskedFailure(decodeFailure(error));
    const maxAttempts = Math.max(1, this.timing.stepMaxAttempts);
    if (!failure.retryable || attempt >= maxAttempts) {
      const stepError = new WorkflowStepError(
        step,
        attempt > 1 ? { ...failure, message: `${failure.message} (after ${attempt} attempts)` } : failure,
      );
      // The activity audited a retryable outcome as "retrying"; giving up on it is the failure.
      if (!failure.retryable) return { error: stepError };
      return {
        error: stepError,
        audit: {
          step: name,
          event: "failed",
          message: `${name}: ${failure.code}: ${failure.message} (gave up after ${attempt} attempts)`,
          details: { code: failure.code, attempt },
        },
      };
    }
    const backoff = this.timing.stepFirstRetrySeconds * 2 ** (attempt - 1);
    const delaySeconds = Math.min(Math.max(failure.retryAfterSeconds ?? 0, backoff), Math.max(this.timing.pollMaxIntervalSeconds, backoff));
    this.stepRetries++;
    // Mostly an expected wait (a resource still updating, throttling past the SDK's own retries): not a failure.
    this.note({
      message: `${name} answered ${failure.code}, retry ${attempt + 1}/${maxAttempts} in ${delaySeconds}s`,
      lastObserved: failure.message,
    });
    this.log(
      "info",
      `${step}: ${name} answered ${failure.code} (${failure.message}); retry ${attempt + 1}/${maxAttempts} in ${delaySeconds}s`,
    );
    return {
      retryInSeconds: delaySeconds,
      audit: {
        step,
        event: "retrying",
        message: `${name}: ${failure.code}: ${failure.message}`,
        details: { attempt, delaySeconds, requestId: failure.requestId ?? null },
      },
    };
  }

  /**
   * Several activities at once, each answered on its own (a failure of one does not hide the others'
   * results), with audit rows written alongside (best effort, as in audit()).
   */
  *callAll(calls: readonly ActivityCall[], audits: readonly AuditRow[] = []): Flow<Settled[]> {
    const tasks = calls.map((c) => this.context.df.callActivity(c.name, { ...c.input, opContext: this.callContext() }));
    const settled = (yield* this.settle([...tasks, ...this.auditTasks(audits)])).slice(0, tasks.length);
    return settled.map((r, i): Settled => {
      if (!r.ok) return r;
      try {
        return { ok: true, value: checkedOutput(calls[i]!.name, r.value) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  /** A durable timer, with audit rows written meanwhile (best effort). */
  *sleepUntil(at: Date, audits: readonly AuditRow[] = []): Flow<void> {
    yield* this.settle([this.context.df.createTimer(at), ...this.auditTasks(audits)]);
  }

  private auditTasks(audits: readonly AuditRow[]): Task[] {
    return audits.map((a) =>
      this.context.df.callActivity("auditAppend", { opContext: this.callContext(), entry: auditEntry(a, this.nowIso()) }),
    );
  }

  /**
   * Every task is fresh when yielded together: a task already scheduled must never go into another
   * Task.all/any (durable-functions would schedule it again, azure-functions-durable-js#574), so after
   * a failure the remaining tasks are awaited one by one, which only ever re-yields single tasks.
   */
  private *settle(tasks: Task[]): Flow<Settled[]> {
    if (tasks.length === 0) return [];
    try {
      return ((yield this.context.df.Task.all(tasks)) as unknown[]).map((value) => ({ ok: true as const, value }));
    } catch {
      const settled: Settled[] = [];
      for (const task of tasks) {
        try {
          settled.push({ ok: true, value: yield task });
        } catch (error) {
          settled.push({ ok: false, error });
        }
      }
      return settled;
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
        this.context.df.callActivity(a[0], { ...a[1], opContext: this.callContext() }),
        this.context.df.callActivity(b[0], { ...b[1], opContext: this.callContext() }),
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
    try {
      yield this.context.df.callActivity("auditAppend", {
        opContext: this.callContext(),
        entry: auditEntry({ step, event, message, ...(details === undefined ? {} : { details }) }, this.nowIso()),
      });
    } catch {
      this.note({ message: `${message} (audit row not written)` });
    }
  }

  /** Run a named step: status, audit started/succeeded/failed around the body. */
  *step<T>(step: string, message: string, body: () => Flow<T>): Flow<T> {
    this.enter(step, message);
    const { stepNumber, totalSteps } = this.status;
    const startedMs = this.now().getTime();
    this.stepRetries = 0;
    this.log("debug", `step ${stepNumber}/${totalSteps} ${step} started: ${message}`, step);
    yield* this.audit(step, "started", message);
    try {
      const result = yield* body();
      const took = { durationSeconds: Math.round((this.now().getTime() - startedMs) / 1000), retries: this.stepRetries };
      this.log(
        "info",
        `step ${stepNumber}/${totalSteps} ${step} done in ${formatSeconds(took.durationSeconds)}${retriesText(took.retries)}`,
        step,
      );
      yield* this.audit(step, "succeeded", `${step} done`, took);
      return result;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.log("error", `step ${stepNumber}/${totalSteps} ${step} failed: ${text}`, step);
      yield* this.audit(step, "failed", text, {
        ...(error instanceof WorkflowStepError ? { code: error.failure.code } : {}),
        durationSeconds: Math.round((this.now().getTime() - startedMs) / 1000),
        retries: this.stepRetries,
      });
      throw error;
    }
  }
}

/** "45 s", "3 min 20 s": simulated durations as a reader of the log wants them. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

function retriesText(retries: number): string {
  return retries === 0 ? "" : ` after ${retries} retr${retries === 1 ? "y" : "ies"}`;
}

/**
 * An activity's result as its contract declares it. The history is an outside input like any other:
 * a result that is not what the activity returns (a corrupted or foreign history) is a retryable
 * failure, so the idempotent activity is simply called again instead of the workflow reading nonsense.
 */
function checkedOutput(name: ActivityName, value: unknown): unknown {
  const parsed = ACTIVITIES[name].output.safeParse(value);
  if (parsed.success) return value;
  const issue = parsed.error.issues[0];
  throw stepFailureError(
    retryLater(
      "ACTIVITY_OUTPUT_INVALID",
      `${name} returned a result its contract does not allow (${issue ? `${issue.path.join(".") || "(result)"}: ${issue.message}` : "invalid"})`,
    ),
  );
}

/** One activity call of callAll(). */
export type ActivityCall = { [N in ActivityName]: { name: N; input: Omit<ActivityInput<N>, "opContext"> } }[ActivityName];

export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** An audit row before it is stamped with the orchestration time. */
export interface AuditRow {
  step: string;
  event: AuditEvent;
  message: string;
  details?: Record<string, unknown>;
}

function auditEntry(row: AuditRow, at: string): AuditEntry {
  return row.details === undefined
    ? { step: row.step, event: row.event, message: row.message, at }
    : { step: row.step, event: row.event, message: row.message, at, details: row.details };
}

/** Drops undefined values (exactOptional-style) so the activity inputs stay plain JSON. */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
