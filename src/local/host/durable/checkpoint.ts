/**
 * One instance's checkpoint in DTFx order: start its sub-orchestrations, enqueue its new messages and
 * work items, append its history, then delete the messages it consumed.
 */
import type { VirtualClock } from "../../clock/virtual-clock";
import type { HostLogger } from "../log";
import type { Delivery } from "./deliveries";
import { event, EventType, failureFrom, type HistoryEvent } from "./history";
import type { InstanceRows } from "./instance-rows";
import type { ControlMessage, WorkItem } from "./messages";
import { sendJson } from "./queues";
import type { Outgoing } from "./scheduling";
import { TERMINAL, type InstanceRecord, type StoredHistory, type TaskHubStore } from "./task-hub";
import { fireAtOf, surfaceDelaySeconds, type HeldTimers } from "./timers";

/** What one episode (or lifecycle event) adds to an instance. */
export interface CheckpointChanges {
  record: InstanceRecord;
  history: StoredHistory;
  /** Index in the stored history where `appended` starts. */
  firstIndex: number;
  appended: HistoryEvent[];
  nextSequence: number;
  signatures: string[];
  out: Outgoing;
  consumed: Delivery[];
  /** A consumed ExecutionStarted message, which may stay (leased) as the new execution's activity marker. */
  markerCandidate?: Delivery;
}

export interface CheckpointDeps {
  store: TaskHubStore;
  clock: VirtualClock;
  logger: HostLogger;
  rows: InstanceRows;
  heldTimers: HeldTimers;
  /** Enqueues control messages due now and delivers them in-process. */
  enqueueControl(messages: ControlMessage[]): Promise<void>;
  /** Starts the activities; the promises settle once what keeps them durable (the instance's activity marker) is written. */
  startActivities(
    record: InstanceRecord,
    executionId: string,
    items: WorkItem[],
    markerCandidate: Delivery | undefined,
  ): { durable: Promise<unknown>[]; keptCandidate: boolean };
  /** The history holds this checkpoint: let go of what kept finished activities durable. */
  settled(record: InstanceRecord, history: StoredHistory): void;
  /** Drops an instance's cached state (a child just (re)created, or an execution that continued as new). */
  forget(instanceId: string): void;
  wakeControl(instanceId: string): void;
}

export async function checkpoint(d: CheckpointDeps, c: CheckpointChanges): Promise<void> {
  const { record, history, out } = c;
  await startChildren(d, record, history, out);
  const enqueuedAt = Date.now();
  const now = d.clock.now();
  const dueNow = out.control.filter((m) => fireAtOf(m, now) <= now);
  const activities = d.startActivities(
    record,
    history.executionId,
    out.work.map((w) => ({ ...w, enqueuedAt })),
    c.markerCandidate,
  );
  const consumed = activities.keptCandidate ? c.consumed.filter((l) => l !== c.markerCandidate) : c.consumed;
  const later = out.control.filter((m) => fireAtOf(m, now) > now);
  await Promise.all([
    d.enqueueControl(dueNow),
    ...activities.durable,
    // Surface a second early: queue visibility is whole real seconds, the rest is held in memory precisely.
    ...later.map((m) => sendJson(d.store.controlQueueFor(m.instanceId), m, surfaceDelaySeconds(fireAtOf(m, now), now, d.clock))),
  ]);
  // The Instances row is a status view (eventually consistent in the Azure provider too); History is the truth.
  // Written after the history: a row that is ahead of the history would show a step that a crash can still undo.
  await d.store.appendHistory(record.instanceId, history.executionId, c.firstIndex, c.appended, c.nextSequence, c.signatures);
  await d.rows.checkpointed(record);
  history.events.push(...c.appended);
  history.nextSequence = c.nextSequence;
  history.signatures = c.signatures;
  d.settled(record, history);
  if (record.runtimeStatus === "ContinuedAsNew") d.forget(record.instanceId);
  // History holds their events now, so deleting the consumed messages is cleanup, kept off the instance's
  // critical path. A delete that fails (or a crash before it) redelivers one; completions are deduplicated.
  void Promise.all(consumed.map((l) => l.complete())).catch((e: unknown) =>
    d.logger.warn(
      `Orchestration (InstanceId=${record.instanceId}): a consumed message could not be deleted and will be redelivered: ${(e as Error)?.message ?? e}`,
    ),
  );
  for (const m of later) d.heldTimers.wakeBefore(fireAtOf(m, now), () => d.wakeControl(m.instanceId));
}

/** Writes each new child's instance row; a child id already running answers the parent with a failure instead. */
async function startChildren(d: CheckpointDeps, record: InstanceRecord, history: StoredHistory, out: Outgoing): Promise<void> {
  for (const child of out.children) {
    const existing = await d.store.getInstance(child.instanceId);
    if (existing?.executionId === child.executionId) continue;
    if (existing && !TERMINAL.has(existing.runtimeStatus)) {
      const failed = out.control.findIndex((m) => m.instanceId === child.instanceId && m.event.EventType === EventType.ExecutionStarted);
      const parentRef = out.control[failed]?.event.ParentInstance;
      out.control.splice(failed, 1, {
        instanceId: record.instanceId,
        executionId: history.executionId,
        event: event(EventType.SubOrchestrationInstanceFailed, new Date(d.clock.now()), {
          TaskScheduledId: parentRef?.TaskScheduledId,
          ...failureFrom(new Error(`an orchestration with instance id '${child.instanceId}' is already ${existing.runtimeStatus}`)),
        }),
      });
      continue;
    }
    await d.store.putInstance(child);
    d.rows.forget(child.instanceId);
    d.forget(child.instanceId);
  }
}
