import type { HistoryEvent } from "./history";

/** A message on a control queue: one history event for one instance (DTFx TaskMessage). */
export interface ControlMessage {
  instanceId: string;
  /** Set on messages that belong to one execution (completions, timers, starts); absent for client events. */
  executionId?: string;
  event: HistoryEvent;
  /** EventRaised events carried over by continueAsNew, delivered with the new execution's start. */
  carried?: HistoryEvent[];
}

/** A message on the work-item queue: one activity invocation. */
export interface WorkItem {
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
  name: string;
  input: unknown;
  /** Real epoch ms of the enqueue, to measure dispatch latency. */
  enqueuedAt: number;
}
