import type { OrchestrationContext, Task } from "durable-functions";
import type { ActivityOutput, OpContext, WatchedOperationRow } from "../contracts";
import { provisionInstanceId, teardownInstanceId } from "../domain/names";
import { findStall, type Stall, type StallRule } from "../domain/stall";
import { readWatchdogInput } from "./input";
import { PROVISION_ORCHESTRATOR, TEARDOWN_ORCHESTRATOR, type ProvisionInput, type TeardownInput, type WorkflowTiming } from "./names";
import { WAIT_NAMES } from "./waits";

export interface WatchdogOutput {
  watched: number;
  stalled: { name: string; instanceId: string; reason: string; outcome: string }[];
  /** Turns and places in the VNet/VCN queues whose run had ended (or never started), given up so the next in line proceeds. */
  releasedTurns: { owner: string; instanceId: string; runtimeStatus: string }[];
}

const WATCHDOG_ACTOR = "watchdog";

/**
 * One round of the watchdog, started by its timer trigger: every operation the task hub says is
 * running is checked against what it promised (findStall); a stalled one is flagged on its record
 * and a fresh operation is started over it, which picks up from what exists on the clouds (every
 * activity reads before it acts). A teardown restarts as a teardown; a provisioning as a new attempt
 * that keeps owning what the earlier one created; a compensation that stalled (record failed, its
 * provisioning still running) is finished by a teardown. Time is the orchestration clock, the clock
 * of the deadlines and progress times it compares. No timers: a round never waits on anything that
 * could be lost, and the next round comes from the schedule, not from the task hub.
 *
 * A run waiting for its turn in a VNet/VCN queue is not stalled: its status carries the queue's
 * deadline and it looks again at least every pollMaxIntervalSeconds (one of the pauses counted in
 * longestPauseMinutes). What the watchdog does for the queues is give up the turns and places of
 * runs that have ended without doing so themselves (terminated, failed, never started), and wake the
 * next in line.
 */
export function* watchdogSweep(context: OrchestrationContext): Generator<Task, WatchdogOutput, unknown> {
  const input = readWatchdogInput(context.df.getInput());
  const rule: StallRule = { marginMinutes: input.marginMinutes, longestPauseMinutes: longestPauseMinutes(input.timing) };
  const own = (interconnect: string, operation: OpContext["operation"]): OpContext => ({
    interconnect,
    instanceId: context.df.instanceId,
    operation,
    actor: WATCHDOG_ACTOR,
  });
  const scan = (yield context.df.callActivity("watchdogScan", {
    opContext: own("watchdog", "teardown"),
  })) as ActivityOutput<"watchdogScan">;
  // After the scan: no status it read is newer than this.
  const now = context.df.currentUtcDateTime;

  const found = scan.operations.flatMap((op) => {
    const stall = findStall(op, now, rule);
    return stall === undefined ? [] : [{ op, stall }];
  });
  const outcomes =
    found.length === 0
      ? []
      : ((yield context.df.Task.all(
          found.map(({ op, stall }) =>
            context.df.callActivity("watchdogRecover", {
              opContext: own(op.name, op.kind),
              stalledInstanceId: op.instanceId,
              stall: { ...stall, detectedAt: now.toISOString() },
              restart: restartFor(op, stall, input.timing),
            }),
          ),
        )) as ActivityOutput<"watchdogRecover">[]);
  const turns = (yield context.df.callActivity("networkTurnSweep", {
    opContext: own("watchdog", "teardown"),
  })) as ActivityOutput<"networkTurnSweep">;
  return {
    watched: scan.operations.length,
    releasedTurns: turns.released,
    stalled: found.map(({ op, stall }, i) => ({
      name: op.name,
      instanceId: op.instanceId,
      reason: stall.reason,
      outcome: outcomes[i]?.outcome ?? "unknown",
    })),
  };
}

function restartFor(op: WatchedOperationRow, stall: Stall, timing: WorkflowTiming) {
  const attempt = op.attempt + 1;
  const reason = `restarted by the watchdog: ${op.instanceId} stalled (${stall.reason})`;
  if (op.kind === "teardown" || op.state === "failed") {
    const input: TeardownInput = { name: op.name, reason, actor: WATCHDOG_ACTOR, timing };
    return {
      kind: "teardown" as const,
      instanceId: teardownInstanceId(op.name, attempt),
      attempt,
      orchestrator: TEARDOWN_ORCHESTRATOR,
      input: { ...input },
    };
  }
  const input: ProvisionInput = {
    name: op.name,
    spec: op.spec as ProvisionInput["spec"],
    bgpPlan: op.bgpPlan as ProvisionInput["bgpPlan"],
    actor: WATCHDOG_ACTOR,
    attempt,
    ...(op.owned ? { ownedBefore: op.owned } : {}),
    timing,
  };
  return {
    kind: "provision" as const,
    instanceId: provisionInstanceId(op.name, attempt),
    attempt,
    orchestrator: PROVISION_ORCHESTRATOR,
    input: { ...input },
  };
}

/**
 * The longest a healthy operation stays quiet: its longest durable timer. That is the first look of
 * the slowest wait (the gateway's), the longest poll interval, or the last retry back-off of a step.
 */
export function longestPauseMinutes(t: WorkflowTiming): number {
  const firstLook = Math.max(...WAIT_NAMES.map((w) => t.waits[w].earliestSeconds));
  const retry = t.stepFirstRetrySeconds * 2 ** Math.max(0, t.stepMaxAttempts - 2);
  return Math.ceil(Math.max(firstLook, t.pollMaxIntervalSeconds, retry) / 60);
}
