import { randomUUID } from "node:crypto";
import { actionInputValue, type Action } from "./episode";
import { event, EventType, toJsonField, type HistoryEvent } from "./history";
import { notifyParent, unconsumedEvents, type EpisodeDraft } from "./scheduling";
import type { RuntimeStatus } from "./task-hub";

/** How the orchestrator left an episode. */
export type EpisodeEnd =
  | { kind: "running" }
  | { kind: "failed"; message: string; details: string }
  | { kind: "completed"; output: unknown }
  | { kind: "continuedAsNew"; action: Action };

export interface EpisodeFacts {
  /** The execution's ExecutionStarted event. */
  started: HistoryEvent;
  /** The whole history including this episode's events. */
  history: HistoryEvent[];
  /** Action signatures including this episode's. */
  signatures: string[];
  customStatus: unknown;
  /** Clock time for the parent's notification. */
  clockNow: Date;
}

/**
 * Closes the episode as Durable Task does: the end event, the instance row's status/output, the
 * parent's notification, the next execution's ExecutionStarted for continueAsNew. Returns the new status.
 */
export function concludeEpisode(d: EpisodeDraft, end: EpisodeEnd, f: EpisodeFacts): RuntimeStatus {
  const { record, appended, now, out } = d;
  let status: RuntimeStatus = "Running";
  if (end.kind === "failed") {
    status = "Failed";
    // A failed instance schedules nothing more: drop what this episode's actions would have started.
    out.control = [];
    out.work = [];
    out.children = [];
    appended.push(event(EventType.ExecutionFailed, now, { OrchestrationStatus: "Failed", Reason: end.message, Details: end.details }));
    record.output = toJsonField(`Orchestrator function '${record.name}' failed: ${end.message}`);
    notifyParent(f.started, out, f.clockNow, false, record.output, end.message);
  } else if (end.kind === "completed") {
    status = "Completed";
    appended.push(event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "Completed", Result: toJsonField(end.output) }));
    record.output = toJsonField(end.output);
    notifyParent(f.started, out, f.clockNow, true, record.output, "");
  } else if (end.kind === "continuedAsNew") {
    status = "ContinuedAsNew";
    appended.push(event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "ContinuedAsNew" }));
    const newExecutionId = randomUUID();
    const input = toJsonField(actionInputValue(end.action.input));
    out.control.push({
      instanceId: record.instanceId,
      executionId: newExecutionId,
      event: event(EventType.ExecutionStarted, now, {
        Name: record.name,
        Input: input,
        Version: record.version,
        ParentInstance: f.started.ParentInstance,
      }),
      carried: unconsumedEvents(f.history, f.signatures),
    });
    record.executionId = newExecutionId;
    record.input = input;
    record.generation += 1;
  }
  appended.push(event(EventType.OrchestratorCompleted, now));
  record.runtimeStatus = status;
  record.customStatus = f.customStatus === undefined ? record.customStatus : toJsonField(f.customStatus);
  record.lastUpdatedTime = now;
  if (status === "Completed" || status === "Failed") record.completedTime = now;
  return status;
}
