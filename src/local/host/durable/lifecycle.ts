/** The lifecycle events a client raises on a running instance: terminate, suspend and resume. */
import type { CheckpointChanges } from "./checkpoint";
import type { Delivery } from "./deliveries";
import { event, EventType, parseJsonField, toJsonField, type HistoryEvent } from "./history";
import { noOutgoing, notifyParent } from "./scheduling";
import type { InstanceRecord, RuntimeStatus, StoredHistory } from "./task-hub";

export interface LifecycleDeps {
  /** The episode time: later than every recorded OrchestratorStarted. */
  now(history: StoredHistory): Date;
  clockDate(): Date;
  checkpoint(changes: CheckpointChanges): Promise<void>;
  transition(record: InstanceRecord, from: RuntimeStatus, to: RuntimeStatus, reason?: string): void;
}

export async function terminate(d: LifecycleDeps, record: InstanceRecord, history: StoredHistory, lease: Delivery): Promise<void> {
  const prev = record.runtimeStatus;
  const now = d.now(history);
  const reason = String(parseJsonField(lease.body.event.Input) ?? "");
  const out = noOutgoing();
  const started = history.events.find((e) => e.EventType === EventType.ExecutionStarted) as HistoryEvent;
  notifyParent(started, out, d.clockDate(), false, null, `terminated: ${reason}`);
  Object.assign(record, { runtimeStatus: "Terminated", output: toJsonField(reason), lastUpdatedTime: now, completedTime: now });
  await d.checkpoint(unchanged(record, history, [event(EventType.ExecutionTerminated, now, { Input: toJsonField(reason) })], out, lease));
  d.transition(record, prev, "Terminated", reason);
}

export async function suspendOrResume(d: LifecycleDeps, record: InstanceRecord, history: StoredHistory, lease: Delivery): Promise<void> {
  const ev = lease.body.event;
  const suspend = ev.EventType === EventType.ExecutionSuspended;
  const prev = record.runtimeStatus;
  if ((suspend && prev === "Suspended") || (!suspend && prev !== "Suspended")) {
    await lease.complete();
    return;
  }
  const now = d.now(history);
  Object.assign(record, { runtimeStatus: suspend ? "Suspended" : "Running", lastUpdatedTime: now });
  await d.checkpoint(unchanged(record, history, [event(ev.EventType, now, { Reason: ev.Reason ?? "" })], noOutgoing(), lease));
  d.transition(record, prev, record.runtimeStatus, ev.Reason);
}

/** A checkpoint that appends `appended` and schedules nothing new (sequence and signatures stay). */
function unchanged(
  record: InstanceRecord,
  history: StoredHistory,
  appended: HistoryEvent[],
  out: CheckpointChanges["out"],
  lease: Delivery,
): CheckpointChanges {
  return {
    record,
    history,
    firstIndex: history.events.length,
    appended,
    nextSequence: history.nextSequence,
    signatures: history.signatures,
    out,
    consumed: [lease],
  };
}
