/**
 * History events in the shape durable-functions' replay executor reads (PascalCase, numeric EventType;
 * see durable-functions/lib/src/history). The host writes exactly these and nothing else, so the
 * replay engine, not this host, decides what the orchestrator sees.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type EventTypeName = keyof typeof EventType;
const NAMES = Object.fromEntries(Object.entries(EventType).map(([k, v]) => [v, k])) as Record<number, EventTypeName>;

export function eventTypeName(type: number): EventTypeName {
  const name = NAMES[type];
  if (!name) throw new Error(`unknown history EventType ${type}`);
  return name;
}

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface ParentInstance {
  InstanceId: string;
  ExecutionId: string;
  TaskScheduledId: number;
  Name: string;
}

export interface FailureDetailsDto {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace: string | null;
  IsNonRetriable: boolean;
  Properties: null;
  InnerFailure: null;
}

/** One history event. Optional fields are present only on the event types that carry them. */
export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string;
  Version?: string;
  Result?: string;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetailsDto;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationStatus?: string;
  ParentInstance?: ParentInstance;
  /** Host bookkeeping for Durable Task retry semantics (ignored by the replay engine). */
  RetryOptions?: RetryPolicy;
  Attempt?: number;
  FirstAttemptAt?: string;
  RetryOf?: number;
  RetryExpired?: boolean;
}

export function event(type: number, timestamp: Date | string, extra: Partial<HistoryEvent> = {}): HistoryEvent {
  return {
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    Timestamp: typeof timestamp === "string" ? timestamp : timestamp.toISOString(),
    ...extra,
  };
}

/** JSON string for Input/Result fields; the replay engine JSON.parses them, and "" would throw. */
export function toJsonField(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export function parseJsonField(text: string | undefined): unknown {
  if (text === undefined || text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function failureFrom(error: unknown): { Reason: string; Details: string; FailureDetails: FailureDetailsDto } {
  const err = error instanceof Error ? error : new Error(typeof error === "string" ? error : JSON.stringify(error));
  return {
    Reason: err.message,
    Details: err.stack ?? err.message,
    FailureDetails: {
      ErrorType: err.name || "Error",
      ErrorMessage: err.message,
      StackTrace: err.stack ?? null,
      IsNonRetriable: false,
      Properties: null,
      InnerFailure: null,
    },
  };
}
