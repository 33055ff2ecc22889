import { InvocationContext } from "@azure/functions";
import type { HistoryEvent } from "./history";

/** What durable-functions' Orchestrator returns for one episode (orchestrations/OrchestratorState.js). */
export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

/** A JSON round-tripped action (actions/*.js); only the fields the host reads. */
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  version?: string;
  retryOptions?: {
    firstRetryIntervalInMilliseconds: number;
    maxNumberOfAttempts: number;
    backoffCoefficient?: number;
    maxRetryIntervalInMilliseconds?: number;
    retryTimeoutInMilliseconds?: number;
  };
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: Action[];
}

export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export type OrchestratorCallback = (trigger: unknown, context: InvocationContext) => Promise<unknown>;

export interface EpisodeInput {
  functionName: string;
  instanceId: string;
  parentInstanceId: string;
  input: unknown;
  history: HistoryEvent[];
  log: (level: string, message: string) => void;
}

export type EpisodeResult =
  { kind: "state"; state: OrchestratorState } | { kind: "failed"; state: OrchestratorState | undefined; message: string; details: string };

const OUT_OF_PROC_MARKER = "$OutOfProcData$:";

/**
 * Runs one episode through the package's own Orchestrator (the callback df.app.orchestration
 * registered), with the trigger JSON the Durable extension sends (schema V3, Azure Storage's timer limits).
 */
export async function runEpisode(callback: OrchestratorCallback, e: EpisodeInput): Promise<EpisodeResult> {
  const trigger = {
    // The SDK turns Timestamp strings into Dates in place; it must not touch the host's copy.
    history: JSON.parse(JSON.stringify(e.history)) as unknown,
    input: e.input,
    instanceId: e.instanceId,
    isReplaying: false,
    parentInstanceId: e.parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00",
    maximumShortTimerDuration: "6.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  // A fresh context per call: the SDK builds context.df only when absent, so a reused one would replay a stale instance.
  const context = new InvocationContext({
    invocationId: `${e.instanceId}:${Date.now()}`,
    functionName: e.functionName,
    logHandler: (level, ...args) => e.log(level, args.map(String).join(" ")),
    options: { trigger: { type: "orchestrationTrigger", name: "context" }, extraInputs: [], extraOutputs: [] },
  });
  try {
    const raw = await callback(trigger, context);
    return { kind: "state", state: JSON.parse(JSON.stringify(raw)) as OrchestratorState };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = message.indexOf(OUT_OF_PROC_MARKER);
    if (at >= 0) {
      const state = JSON.parse(message.slice(at + OUT_OF_PROC_MARKER.length)) as OrchestratorState;
      return { kind: "failed", state, message: state.error ?? "orchestrator failed", details: state.error ?? "" };
    }
    return { kind: "failed", state: undefined, message, details: err instanceof Error ? (err.stack ?? message) : message };
  }
}

/** Leaf actions in the order the SDK numbers them (compound WhenAll/WhenAny children in array order). */
export function flattenActions(actions: Action[][]): Action[] {
  const out: Action[] = [];
  const walk = (a: Action) => {
    if (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) (a.compoundActions ?? []).forEach(walk);
    else out.push(a);
  };
  actions.flat().forEach(walk);
  return out;
}

export function signatureOf(a: Action): string {
  return `${a.actionType}:${a.functionName ?? a.externalEventName ?? ""}`;
}

/** The worker's tryJsonParse: the SDK JSON.stringifies string inputs (Utils.processInput). */
export function actionInputValue(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
