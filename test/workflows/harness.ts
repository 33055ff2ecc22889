/**
 * Runs an orchestrator to completion through durable-functions' own replay engine
 * (durable-local-host.md §1): every episode replays the whole history into a fresh context, the
 * new actions become history events, activities run against a scripted boundary, timers fire by
 * moving the clock to their fireAt. The replayed actions are compared with what was scheduled
 * before, as DTFx does, so a non-deterministic orchestrator fails the test.
 */
import * as df from "durable-functions";
import type { OrchestrationContext, Task } from "durable-functions";
import { createOrchestrator } from "durable-functions/lib/src/util/testingUtils";

export type OrchestratorFn = (context: OrchestrationContext) => Generator<Task, unknown, unknown>;
/** The activity boundary: return a result or throw (the Error's message reaches the orchestrator). */
export type ActivityBoundary = (name: string, input: unknown, now: Date) => unknown;

export interface Call {
  name: string;
  input: Record<string, unknown>;
  at: string;
  error?: string;
}

export interface RunResult {
  done: boolean;
  output?: unknown;
  error?: string;
  calls: Call[];
  timers: { createdAt: string; fireAt: string }[];
  statuses: Record<string, unknown>[];
  history: HistoryEvent[];
  episodes: number;
  startedAt: Date;
  endedAt: Date;
  /** The input an eternal orchestration handed to continueAsNew, when it did. */
  continuedAsNew?: unknown;
}

type HistoryEvent = Record<string, unknown> & { EventType: number; Timestamp: string };

const CONTINUE_AS_NEW = 4;
const WAIT_FOR_EXTERNAL_EVENT = 6;
const EVENT_RAISED = 15;

interface Action {
  actionType: number;
  functionName?: string;
  /** The event a waitForExternalEvent waits for. */
  externalEventName?: string;
  input?: unknown;
  fireAt?: string;
  compoundActions?: Action[];
}

interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: Record<string, unknown>;
}

const OUT_OF_PROC = "$OutOfProcData$:";

export interface RunOptions {
  orchestrator: OrchestratorFn;
  input: unknown;
  instanceId: string;
  activities: ActivityBoundary;
  start?: Date;
  /** Virtual seconds an activity takes. */
  activitySeconds?: number;
  maxEpisodes?: number;
  /** External events raised as soon as the orchestrator waits for them (name → payload); others never come. */
  events?: Record<string, unknown>;
}

export async function runOrchestration(opts: RunOptions): Promise<RunResult> {
  const handler = createOrchestrator(opts.orchestrator as never);
  const startedAt = opts.start ?? new Date("2025-06-01T08:00:00Z");
  let now = startedAt.getTime();
  const ev = (EventType: number, extra: Record<string, unknown> = {}): HistoryEvent => ({
    EventType,
    EventId: -1,
    IsPlayed: false,
    Timestamp: new Date(now).toISOString(),
    ...extra,
  });
  const history: HistoryEvent[] = [ev(12), ev(0, { Name: "orchestrator", Input: JSON.stringify(opts.input) })];
  const scheduled: string[] = [];
  const calls: Call[] = [];
  const timers: RunResult["timers"] = [];
  const statuses: Record<string, unknown>[] = [];
  let episodes = 0;

  for (;;) {
    episodes++;
    if (episodes > (opts.maxEpisodes ?? 2000)) throw new Error(`no completion after ${episodes - 1} episodes`);
    const state = await runEpisode(handler, history, opts.input, opts.instanceId);
    if (state.customStatus && JSON.stringify(state.customStatus) !== JSON.stringify(statuses.at(-1))) statuses.push(state.customStatus);
    const leaves = flatten(state.actions);
    const signatures = leaves.map(signature);
    for (let i = 0; i < Math.min(scheduled.length, signatures.length); i++) {
      if (scheduled[i] !== signatures[i]) throw new Error(`non-deterministic replay at action ${i}: scheduled ${scheduled[i]}, replayed ${signatures[i]}`);
    }
    if (state.isDone || state.error !== undefined) {
      const result: RunResult = { done: state.isDone, calls, timers, statuses, history, episodes, startedAt, endedAt: new Date(now) };
      const continued = leaves.find((a) => a.actionType === CONTINUE_AS_NEW);
      if (continued) result.continuedAsNew = typeof continued.input === "string" ? JSON.parse(continued.input) : continued.input;
      if (state.output !== undefined) result.output = state.output;
      if (state.error !== undefined) result.error = state.error;
      return result;
    }
    const fresh = leaves.slice(scheduled.length);
    if (fresh.length === 0) throw new Error("orchestrator is waiting on nothing the harness can complete");
    const completions: (() => HistoryEvent)[] = [];
    for (const action of fresh) {
      const seq = scheduled.length;
      scheduled.push(signature(action));
      if (action.actionType === 0) {
        const input = (typeof action.input === "string" ? JSON.parse(action.input) : action.input) as Record<string, unknown>;
        history.push(ev(4, { EventId: seq, Name: action.functionName, Input: JSON.stringify(input) }));
        const call: Call = { name: action.functionName ?? "", input, at: new Date(now).toISOString() };
        calls.push(call);
        try {
          const result = opts.activities(call.name, structuredClone(input), new Date(now));
          completions.push(() => ev(5, { TaskScheduledId: seq, Result: JSON.stringify(result ?? null) }));
        } catch (error) {
          call.error = error instanceof Error ? error.message : String(error);
          completions.push(() => ev(6, { TaskScheduledId: seq, Reason: call.error, Details: "" }));
        }
      } else if (action.actionType === 5) {
        const fireAt = String(action.fireAt);
        history.push(ev(10, { EventId: seq, FireAt: fireAt }));
        timers.push({ createdAt: new Date(now).toISOString(), fireAt });
        completions.push(() => {
          now = Math.max(now, Date.parse(fireAt));
          return ev(11, { TimerId: seq, FireAt: fireAt });
        });
      } else if (action.actionType === WAIT_FOR_EXTERNAL_EVENT) {
        const name = action.externalEventName ?? "";
        // Raised before anything else completing in this batch, so it wins a Task.any against a timer.
        if (opts.events && name in opts.events) completions.unshift(() => ev(EVENT_RAISED, { Name: name, Input: JSON.stringify(opts.events?.[name] ?? null) }));
      } else {
        throw new Error(`harness does not handle actionType ${action.actionType}`);
      }
    }
    history.push(ev(13));
    now += (opts.activitySeconds ?? 2) * 1000;
    const done = completions.map((complete) => complete());
    history.push(ev(12), ...done);
  }
}

/** One more replay of a finished history: what the orchestrator does with it. */
export async function replayHistory(orchestrator: OrchestratorFn, history: HistoryEvent[], input: unknown, instanceId: string): Promise<{ actions: string[]; output?: unknown; error?: string }> {
  const state = await runEpisode(createOrchestrator(orchestrator as never), history, input, instanceId);
  const out: { actions: string[]; output?: unknown; error?: string } = { actions: flatten(state.actions).map(signature) };
  if (state.output !== undefined) out.output = state.output;
  if (state.error !== undefined) out.error = state.error;
  return out;
}

async function runEpisode(
  handler: (trigger: unknown, context: never) => Promise<unknown>,
  history: HistoryEvent[],
  input: unknown,
  instanceId: string,
): Promise<OrchestratorState> {
  const trigger = {
    history: structuredClone(history),
    input,
    instanceId,
    isReplaying: false,
    parentInstanceId: "",
    upperSchemaVersion: 2,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00",
    maximumShortTimerDuration: "6.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  const context = new df.DummyOrchestrationContext("orchestrator", "invocation", () => undefined);
  try {
    return JSON.parse(JSON.stringify(await handler(trigger, context as never))) as OrchestratorState;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = message.indexOf(OUT_OF_PROC);
    if (at < 0) throw error;
    return JSON.parse(message.slice(at + OUT_OF_PROC.length)) as OrchestratorState;
  }
}

function flatten(actions: Action[][]): Action[] {
  const out: Action[] = [];
  const visit = (a: Action) => (a.compoundActions ? a.compoundActions.forEach(visit) : out.push(a));
  actions.flat().forEach(visit);
  return out;
}

function signature(a: Action): string {
  return a.actionType === 5 ? `timer@${String(a.fireAt)}` : `${a.actionType}:${a.functionName ?? ""}`;
}
