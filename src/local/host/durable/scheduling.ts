/**
 * Turning an episode's new actions into history events and outgoing messages, as the Durable Task
 * framework does: pure, so an episode re-run after a crash produces the same events and ids.
 */
import { createHash } from "node:crypto";
import { actionInputValue, ActionType, signatureOf, type Action } from "./episode";
import { event, EventType, failureFrom, parseJsonField, toJsonField, type HistoryEvent, type RetryPolicy } from "./history";
import type { ControlMessage, WorkItem } from "./messages";
import { pendingInstance, type InstanceRecord } from "./task-hub";

/** What a checkpoint sends: control messages, activity work items and new child instances. */
export interface Outgoing {
  control: ControlMessage[];
  work: WorkItem[];
  children: InstanceRecord[];
}

export function noOutgoing(): Outgoing {
  return { control: [], work: [], children: [] };
}

/** The episode being built: new events go to `appended`, messages to `out`, event ids come from `seq`. */
export interface EpisodeDraft {
  record: InstanceRecord;
  executionId: string;
  appended: HistoryEvent[];
  now: Date;
  out: Outgoing;
  seq: () => number;
}

/** Turns one new action into history and messages. Returns a reason when the local host cannot run it. */
export function scheduleAction(d: EpisodeDraft, a: Action): string | undefined {
  switch (a.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      scheduleActivity(d, d.seq(), a.functionName as string, actionInputValue(a.input), a.retryOptions, 1, d.now);
      return undefined;
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      scheduleSubOrchestration(d, d.seq(), a.functionName as string, a.instanceId, a.input, a.version, a.retryOptions, 1, d.now);
      return undefined;
    case ActionType.CreateTimer: {
      const id = d.seq();
      const fireAt = new Date(a.fireAt as string);
      d.appended.push(event(EventType.TimerCreated, d.now, { EventId: id, FireAt: fireAt.toISOString() }));
      d.out.control.push({
        instanceId: d.record.instanceId,
        executionId: d.executionId,
        event: event(EventType.TimerFired, fireAt, { TimerId: id, FireAt: fireAt.toISOString() }),
      });
      return undefined;
    }
    case ActionType.WaitForExternalEvent:
    case ActionType.ContinueAsNew:
      return undefined;
    default:
      d.seq();
      return `action type ${a.actionType} (entities, durable HTTP, locks) is not supported by the local host`;
  }
}

function scheduleActivity(
  d: EpisodeDraft,
  id: number,
  name: string,
  input: unknown,
  retry: RetryPolicy | undefined,
  attempt: number,
  firstAttemptAt: Date,
  expired = false,
): void {
  d.appended.push(
    event(EventType.TaskScheduled, d.now, {
      EventId: id,
      Name: name,
      Input: toJsonField(input),
      ...(retry ? { RetryOptions: retry, Attempt: attempt, FirstAttemptAt: firstAttemptAt.toISOString() } : {}),
    }),
  );
  if (expired) {
    const f = failureFrom(
      new Error(`retry timeout of ${retry?.retryTimeoutInMilliseconds} ms expired after ${attempt - 1} attempts of '${name}'`),
    );
    d.out.control.push({
      instanceId: d.record.instanceId,
      executionId: d.executionId,
      event: event(EventType.TaskFailed, d.now, { TaskScheduledId: id, ...f }),
    });
  } else {
    d.out.work.push({ instanceId: d.record.instanceId, executionId: d.executionId, taskScheduledId: id, name, input, enqueuedAt: 0 });
  }
}

function scheduleSubOrchestration(
  d: EpisodeDraft,
  id: number,
  name: string,
  childId: string | undefined,
  input: unknown,
  version: string | undefined,
  retry: RetryPolicy | undefined,
  attempt: number,
  firstAttemptAt: Date,
): void {
  const { record, now } = d;
  const instanceId = childId || `${record.instanceId}:${id}`;
  const inputJson = toJsonField(input);
  d.appended.push(
    event(EventType.SubOrchestrationInstanceCreated, now, {
      EventId: id,
      Name: name,
      InstanceId: instanceId,
      Input: inputJson,
      ...(retry ? { RetryOptions: retry, Attempt: attempt, FirstAttemptAt: firstAttemptAt.toISOString() } : {}),
    }),
  );
  // Deterministic, so a re-run of this episode after a crash recognises the child it already started.
  const executionId = deterministicId(`${d.executionId}:${id}`);
  d.out.children.push(
    pendingInstance({ instanceId, name, version: version ?? "", input: inputJson, executionId, parentInstanceId: record.instanceId }, now),
  );
  d.out.control.push({
    instanceId,
    executionId,
    event: event(EventType.ExecutionStarted, now, {
      Name: name,
      Input: inputJson,
      Version: version ?? "",
      ParentInstance: { InstanceId: record.instanceId, ExecutionId: d.executionId, TaskScheduledId: id, Name: record.name },
    }),
  });
}

/** For a failure of a retried task, or a fired retry timer: the scheduling event of the attempt. */
export function retrySource(history: HistoryEvent[], e: HistoryEvent): HistoryEvent | undefined {
  const byId = (id: number | undefined) => history.find((h) => h.EventId === id && h.EventId >= 0);
  if (e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed) {
    const s = byId(e.TaskScheduledId);
    return s?.RetryOptions ? s : undefined;
  }
  if (e.EventType === EventType.TimerFired) {
    const t = byId(e.TimerId);
    return t?.RetryOf !== undefined ? byId(t.RetryOf) : undefined;
  }
  return undefined;
}

/**
 * Durable Task RetryInterceptor: a timer after every failed attempt, then the next attempt if any remain.
 * `history` is the whole history including this episode's events.
 */
export function scheduleRetry(d: EpisodeDraft, history: HistoryEvent[], e: HistoryEvent): void {
  const { record, now } = d;
  const source = retrySource(history, e) as HistoryEvent;
  const policy = source.RetryOptions as RetryPolicy;
  const attempt = source.Attempt ?? 1;
  const firstAttemptAt = new Date(source.FirstAttemptAt ?? now.toISOString());
  if (e.EventType !== EventType.TimerFired) {
    const timeout = policy.retryTimeoutInMilliseconds ?? 0;
    const expired = timeout > 0 && now.getTime() >= firstAttemptAt.getTime() + timeout;
    const backoff = policy.backoffCoefficient ?? 1;
    let delay = policy.firstRetryIntervalInMilliseconds * Math.pow(backoff, attempt - 1);
    if (policy.maxRetryIntervalInMilliseconds && policy.maxRetryIntervalInMilliseconds > 0)
      delay = Math.min(delay, policy.maxRetryIntervalInMilliseconds);
    if (expired) delay = 0;
    const id = d.seq();
    const fireAt = new Date(now.getTime() + delay);
    d.appended.push(
      event(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt.toISOString(), RetryOf: source.EventId, RetryExpired: expired }),
    );
    d.out.control.push({
      instanceId: record.instanceId,
      executionId: d.executionId,
      event: event(EventType.TimerFired, fireAt, { TimerId: id, FireAt: fireAt.toISOString() }),
    });
    return;
  }
  if (attempt + 1 > policy.maxNumberOfAttempts) return;
  const timer = history.find((h) => h.EventId === e.TimerId && h.EventType === EventType.TimerCreated);
  const id = d.seq();
  const name = source.Name as string;
  if (source.EventType === EventType.TaskScheduled) {
    scheduleActivity(d, id, name, parseJsonField(source.Input), policy, attempt + 1, firstAttemptAt, timer?.RetryExpired === true);
  } else {
    const retryChild = source.InstanceId?.startsWith(`${record.instanceId}:`) ? undefined : source.InstanceId;
    scheduleSubOrchestration(d, id, name, retryChild, parseJsonField(source.Input), undefined, policy, attempt + 1, firstAttemptAt);
  }
}

/** A sub-orchestration's end, as the message its parent receives (none for a top-level instance). */
export function notifyParent(
  started: HistoryEvent,
  out: Outgoing,
  now: Date,
  succeeded: boolean,
  output: string | null,
  reason: string,
): void {
  const p = started.ParentInstance;
  if (!p) return;
  out.control.push({
    instanceId: p.InstanceId,
    executionId: p.ExecutionId,
    event: succeeded
      ? event(EventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: p.TaskScheduledId, Result: output ?? "null" })
      : event(EventType.SubOrchestrationInstanceFailed, now, { TaskScheduledId: p.TaskScheduledId, ...failureFrom(new Error(reason)) }),
  });
}

/** DTFx raises NonDeterministicOrchestrationException here; the JS SDK does not check at all. */
export function findMismatch(recorded: string[], actions: Action[]): string | undefined {
  for (let i = 0; i < recorded.length; i++) {
    const now = actions[i];
    if (!now) {
      return `Non-deterministic workflow detected: the history has ${recorded.length} scheduled actions but the orchestrator code now produces only ${actions.length}; action #${i} was ${describe(recorded[i] as string)}`;
    }
    if (signatureOf(now) !== recorded[i]) {
      return `Non-deterministic workflow detected: action #${i} was ${describe(recorded[i] as string)} in the history, but the orchestrator code now yields ${describe(signatureOf(now))}. Was the orchestrator changed while this instance was running?`;
    }
  }
  return undefined;
}

const ACTION_NAMES: Record<string, string> = Object.fromEntries(Object.entries(ActionType).map(([k, v]) => [String(v), k]));
function describe(signature: string): string {
  const [type, name] = signature.split(":", 2);
  return `${ACTION_NAMES[type as string] ?? `action ${type}`}${name ? ` '${name}'` : ""}`;
}

/** EventRaised events no WaitForExternalEvent consumed: continueAsNew carries them into the next execution. */
export function unconsumedEvents(history: HistoryEvent[], signatures: string[]): HistoryEvent[] {
  const waits = new Map<string, number>();
  for (const s of signatures) {
    const [type, name] = s.split(":", 2);
    if (Number(type) === ActionType.WaitForExternalEvent) waits.set(name as string, (waits.get(name as string) ?? 0) + 1);
  }
  const carried: HistoryEvent[] = [];
  for (const e of history) {
    if (e.EventType !== EventType.EventRaised) continue;
    const left = waits.get(e.Name as string) ?? 0;
    if (left > 0) waits.set(e.Name as string, left - 1);
    else carried.push(e);
  }
  return carried;
}

function deterministicId(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
