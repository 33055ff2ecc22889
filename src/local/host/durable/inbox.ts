/**
 * Which delivered messages make the next episode. Pure: decides, the engine completes or abandons the
 * leases and runs the episode.
 */
import { isActivityMarker } from "./activity-markers";
import type { Delivery } from "./deliveries";
import { EventType, type HistoryEvent } from "./history";
import { retrySource } from "./scheduling";
import type { StoredHistory } from "./task-hub";

export interface NextEpisode {
  /** Deliveries this episode takes, in order (the rest wait for the next one). */
  batch: Delivery[];
  /** Events new to the history, in order. */
  fresh: HistoryEvent[];
  /** Results for tasks the history has not scheduled (yet): put back until it has. */
  early: Delivery[];
  /** Taken and now in (or already in) the history: deleted after the checkpoint. */
  consumed: Delivery[];
  /** The retry-related event that ends the batch, when it is fresh. */
  retryEvent: HistoryEvent | undefined;
}

/**
 * An episode takes the events up to the next lifecycle message and ends with the first retry-related
 * event, so the host numbers retry timers/attempts exactly where the SDK's RetryableTask does.
 */
export function nextEpisode(history: StoredHistory, leases: Delivery[]): NextEpisode {
  const batch: Delivery[] = [];
  let retryEvent: HistoryEvent | undefined;
  for (const l of leases) {
    const e = l.body.event;
    if (isLifecycle(e.EventType) || e.EventType === EventType.ExecutionStarted || isActivityMarker(l.body)) break;
    batch.push(l);
    if (retrySource(history.events, e) !== undefined) {
      retryEvent = e;
      break;
    }
  }
  const fresh: HistoryEvent[] = [];
  const early: Delivery[] = [];
  for (const l of batch) {
    const e = l.body.event;
    const stale = l.body.executionId !== undefined && l.body.executionId !== history.executionId;
    // A result that arrives before the history records its task (an activity dispatched by a checkpoint
    // that then failed) waits until the re-run episode has scheduled that task again.
    if (!stale && !isScheduled(history.events, e)) early.push(l);
    else if (!stale && !isDuplicate(history.events, fresh, e)) fresh.push(e);
    else if (e === retryEvent) retryEvent = undefined;
  }
  const consumed = batch.filter((l) => !early.includes(l));
  return { batch, fresh, early, consumed, retryEvent };
}

/** Terminate, suspend and resume: handled on their own, between episodes. */
export function isLifecycle(type: number): boolean {
  return type === EventType.ExecutionTerminated || type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed;
}

/** At-least-once delivery may repeat a completion; the replay engine must see each task finish once. */
function isDuplicate(history: HistoryEvent[], fresh: HistoryEvent[], e: HistoryEvent): boolean {
  const key = completionKey(e);
  if (key === undefined) return false;
  return [...history, ...fresh].some((h) => completionKey(h) === key);
}

/** Whether the task, sub-orchestration or timer this event completes is in the history. */
function isScheduled(history: HistoryEvent[], e: HistoryEvent): boolean {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
      return history.some((h) => h.EventType === EventType.TaskScheduled && h.EventId === e.TaskScheduledId);
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return history.some((h) => h.EventType === EventType.SubOrchestrationInstanceCreated && h.EventId === e.TaskScheduledId);
    case EventType.TimerFired:
      return history.some((h) => h.EventType === EventType.TimerCreated && h.EventId === e.TimerId);
    default:
      return true;
  }
}

function completionKey(e: HistoryEvent): string | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return `task:${e.TaskScheduledId}`;
    case EventType.TimerFired:
      return `timer:${e.TimerId}`;
    default:
      return undefined;
  }
}
