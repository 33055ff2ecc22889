/**
 * Runs an orchestrator to completion through durable-functions' own replay engine
 * (durable-local-host.md §1): every episode replays the whole history into a fresh context, the
 * new actions become history events, activities run against a scripted boundary, timers fire by
 * moving the clock to their fireAt. The replayed actions are compared with what was scheduled
 * before, as DTFx does, so a non-deterministic orchestrator fails the test.
 */
import type { OrchestrationContext, Task } from "durable-functions";
import { createOrchestrator } from "durable-functions/lib/src/util/testingUtils";
import {
  flattenActions,
  runEpisode,
  signatureOf,
  type EpisodeInput,
  type OrchestratorCallback,
  type OrchestratorState,
} from "../../src/local/host/durable/episode";

export type OrchestratorFn = (context: OrchestrationContext) => Generator<Task, unknown, unknown>;
/** The activity boundary: return a result or throw (the Error's message reaches the orchestrator). */
export type ActivityBoundary = (name: string, input: unknown, now: Date) => unknown;

export interface Call {
  name: string;
  input: Record<string, unknown>;
  at: string;
  /** What the boundary answered (absent when it threw). */
  output?: unknown;
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
  const handler = createOrchestrator(opts.orchestrator as never) as unknown as OrchestratorCallback;
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
  const fireAts: (string | undefined)[] = [];
  const calls: Call[] = [];
  const timers: RunResult["timers"] = [];
  const statuses: Record<string, unknown>[] = [];
  let episodes = 0;

  for (;;) {
    episodes++;
    if (episodes > (opts.maxEpisodes ?? 2000)) throw new Error(`no completion after ${episodes - 1} episodes`);
    const state = await replayOnce(handler, history, opts.input, opts.instanceId);
    if (state.customStatus && JSON.stringify(state.customStatus) !== JSON.stringify(statuses.at(-1)))
      statuses.push(state.customStatus as Record<string, unknown>);
    const leaves = flattenActions(state.actions);
    const signatures = leaves.map(signatureOf);
    for (let i = 0; i < Math.min(scheduled.length, signatures.length); i++) {
      if (scheduled[i] !== signatures[i])
        throw new Error(`non-deterministic replay at action ${i}: scheduled ${scheduled[i]}, replayed ${signatures[i]}`);
      // Stricter than the host (and DTFx): a replayed timer must also fire at the same moment.
      const fireAt = leaves[i]?.fireAt;
      if (fireAt !== undefined && fireAts[i] !== fireAt)
        throw new Error(`non-deterministic replay at action ${i}: timer at ${fireAts[i]}, replayed at ${fireAt}`);
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
      // durable-functions numbers activities and timers only; a wait for an external event is known by its name.
      const seq = scheduled.filter((s) => !s.startsWith(`${WAIT_FOR_EXTERNAL_EVENT}:`)).length;
      scheduled.push(signatureOf(action));
      fireAts.push(action.fireAt);
      if (action.actionType === 0) {
        const input = (typeof action.input === "string" ? JSON.parse(action.input) : action.input) as Record<string, unknown>;
        history.push(ev(4, { EventId: seq, Name: action.functionName, Input: JSON.stringify(input) }));
        const call: Call = { name: action.functionName ?? "", input, at: new Date(now).toISOString() };
        calls.push(call);
        try {
          const result = opts.activities(call.name, structuredClone(input), new Date(now));
          call.output = result;
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
        if (opts.events && name in opts.events)
          completions.unshift(() => ev(EVENT_RAISED, { Name: name, Input: JSON.stringify(opts.events?.[name] ?? null) }));
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
export async function replayHistory(
  orchestrator: OrchestratorFn,
  history: HistoryEvent[],
  input: unknown,
  instanceId: string,
): Promise<{ actions: string[]; output?: unknown; error?: string }> {
  const state = await replayOnce(createOrchestrator(orchestrator as never) as unknown as OrchestratorCallback, history, input, instanceId);
  const out: { actions: string[]; output?: unknown; error?: string } = { actions: flattenActions(state.actions).map(signatureOf) };
  if (state.output !== undefined) out.output = state.output;
  if (state.error !== undefined) out.error = state.error;
  return out;
}

/** One episode through the local host's own driver (src/local/host/durable/episode.ts), so both replay alike. */
async function replayOnce(
  handler: OrchestratorCallback,
  history: HistoryEvent[],
  input: unknown,
  instanceId: string,
): Promise<OrchestratorState> {
  const result = await runEpisode(handler, {
    functionName: "orchestrator",
    instanceId,
    parentInstanceId: "",
    input,
    history: history as unknown as EpisodeInput["history"],
    log: () => undefined,
  });
  if (result.state) return result.state;
  throw new Error(result.kind === "failed" ? result.message : "the orchestrator returned no state");
}
