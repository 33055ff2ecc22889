import type { QueueClient } from "@azure/storage-queue";
import type { ControlMessage, WorkItem } from "./messages";
import { sendJson, type Lease } from "./queues";

/**
 * A control message waiting for its instance's next episode, together with what keeps it durable
 * until the episode is checkpointed: its own leased control-queue message, or, for an activity
 * result delivered in-process, the activity's still-leased work item.
 */
export interface Delivery {
  /** Identifies the durable message, so a redelivery of one already pending is dropped. */
  readonly id: string;
  readonly body: ControlMessage;
  /** The episode that consumed it is checkpointed: delete what held it. */
  complete(): Promise<void>;
  /** Not handled now: make it come back after `seconds`, without losing it. */
  abandon(seconds: number): Promise<void>;
  /** The host is stopping: stop renewing; the lease lapses and the message reappears. */
  stop(): void;
}

export function fromControlQueue(lease: Lease<ControlMessage>): Delivery {
  return {
    id: lease.message.messageId,
    body: lease.message.body,
    complete: () => lease.complete(),
    abandon: (seconds) => lease.abandon(seconds),
    stop: () => lease.stop(),
  };
}

/**
 * An activity result handed straight to its orchestration. Durable Task sends it through the control
 * queue and then deletes the work item; here the work item stays leased until the history that holds
 * the result is written, so a kill -9 before that re-runs the activity (at least once) and nothing is lost,
 * with two storage calls fewer per activity.
 */
export function activityResult(work: Lease<WorkItem>, message: ControlMessage, controlQueue: QueueClient): Delivery {
  return {
    id: `workitem:${work.message.messageId}`,
    body: message,
    complete: () => work.complete(),
    abandon: async (seconds) => {
      try {
        // Deferred (instance suspended, checkpoint failed): park the result durably instead of re-running the activity.
        await sendJson(controlQueue, message, seconds);
      } catch {
        await work.abandon(seconds);
        return;
      }
      await work.complete();
    },
    stop: () => work.stop(),
  };
}

/**
 * The result of an activity this host dispatched itself: no message holds it, the instance's activity
 * marker does (a kill -9 before the history holds the result re-runs the activity from the history).
 */
export function inProcessResult(message: ControlMessage, controlQueue: QueueClient, runAgain: () => void): Delivery {
  return {
    id: `activity:${message.instanceId}:${message.executionId}:${message.event.TaskScheduledId}`,
    body: message,
    complete: async () => undefined,
    // Deferred (instance suspended, checkpoint failed): park the result durably instead of re-running the activity.
    // If even that fails, the result is lost: run the activity again (at least once).
    abandon: (seconds) => sendJson(controlQueue, message, seconds).catch(runAgain),
    stop: () => undefined,
  };
}
