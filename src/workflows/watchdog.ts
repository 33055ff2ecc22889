import type { OrchestrationContext, Task } from "durable-functions";
import type { ActivityInput, ActivityOutput, OpContext, WatchedOperationRow } from "../contracts";
import { adoptInstanceId, changeInstanceId, provisionInstanceId, teardownInstanceId } from "../domain/names";
import { findEnded, findStall, type Stall, type StallRule } from "../domain/stall";
import { readWatchdogInput } from "./input";
import {
  ADOPT_ORCHESTRATOR,
  CHANGE_ORCHESTRATOR,
  PROVISION_ORCHESTRATOR,
  TEARDOWN_ORCHESTRATOR,
  type ProvisionInput,
  type TeardownInput,
  type WorkflowSpec,
  type WorkflowTiming,
} from "./names";
import { scopesOf } from "./scopes";
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
 * provisioning still running) is finished by a teardown. A change in place or an adoption that
 * stalled runs again from its own input (a change's steps read first and send only what differs; only
 * a verified change moves the spec). One that ended without finishing (terminated, failed past its own
 * failure handling, lost from the task hub) would hold its record for ever: an adoption is started
 * again once; a change is not (nothing may be changed unasked) but ended on the record, which keeps its
 * spec and says what each side was left in and what to do. An adoption that stalls before it wrote its
 * record (the scan lists those from the task hub, by their id prefix) is started again once too; if
 * that one stalls as well, it is terminated and an audit row under its name says what to do, since
 * there is no record to carry a failure. Time is the orchestration clock, the clock
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
  // Before the scan: every status it reads is at least this recent. Judged against a clock taken after
  // the scan instead, a result that was slow to come back (a busy host) aged every run it read by that
  // much, and quiet-but-healthy runs were taken for stalled and restarted.
  const readNoEarlierThan = context.df.currentUtcDateTime;
  const scan = (yield context.df.callActivity("watchdogScan", {
    opContext: own("watchdog", "teardown"),
  })) as ActivityOutput<"watchdogScan">;
  const now = context.df.currentUtcDateTime;

  const found = scan.operations.flatMap((op) => {
    const stalled = findStall(op, readNoEarlierThan, rule);
    const ended = stalled === undefined && inPlace(op) ? findEnded(op, readNoEarlierThan, rule) : undefined;
    const stall = stalled ?? ended;
    return stall === undefined ? [] : [{ op, stall: { ...stall, detectedAt: now.toISOString() }, ended: ended !== undefined }];
  });
  const decided = found.map((f) => ({
    ...f,
    restart:
      (f.ended && !restartsWhenEnded(f.op)) || (withoutRecord(f.op) && !restartsWithoutRecord(f.op))
        ? undefined
        : restartFor(f.op, f.stall, input.timing),
  }));
  const restarts = decided.filter((d) => d.restart !== undefined);
  const recovered =
    restarts.length === 0
      ? []
      : ((yield context.df.Task.all(
          restarts.map(({ op, stall, restart }) =>
            context.df.callActivity("watchdogRecover", {
              opContext: own(op.name, op.kind),
              stalledInstanceId: op.instanceId,
              stall,
              ...(withoutRecord(op) ? { withoutRecord: true } : {}),
              restart: restart ?? null,
            }),
          ),
        )) as ActivityOutput<"watchdogRecover">[]);
  const outcomes = new Map<string, string>(restarts.map((d, i) => [d.op.instanceId, recovered[i]?.outcome ?? "unknown"]));
  // Ended and not to be run again (a change a person terminated, or whose input is gone): ended on the record.
  for (const { op, stall } of decided.filter((d) => d.restart === undefined)) {
    const kind = op.kind as "change" | "adopt";
    const ctx = { ...own(op.name, kind), ...(op.names ? { names: op.names } : {}) };
    const left = kind === "change" ? yield* readBothSides(context, ctx, op.spec, op.virtualCircuitId) : null;
    const change =
      kind === "change" && op.input && isObject(op.input.from) && isObject(op.input.to) ? { from: op.input.from, to: op.input.to } : null;
    const ended = (yield context.df.callActivity("watchdogEnd", {
      opContext: ctx,
      endedInstanceId: op.instanceId,
      kind,
      stall,
      ...(withoutRecord(op) ? { withoutRecord: true } : {}),
      change,
      left,
    })) as ActivityOutput<"watchdogEnd">;
    outcomes.set(op.instanceId, ended.outcome);
  }
  const turns = (yield context.df.callActivity("networkTurnSweep", {
    opContext: own("watchdog", "teardown"),
  })) as ActivityOutput<"networkTurnSweep">;
  return {
    watched: scan.operations.length,
    releasedTurns: turns.released,
    stalled: found.map(({ op, stall }) => ({
      name: op.name,
      instanceId: op.instanceId,
      reason: stall.reason,
      outcome: outcomes.get(op.instanceId) ?? "unknown",
    })),
  };
}

function restartFor(op: WatchedOperationRow, stall: Stall, timing: WorkflowTiming) {
  const attempt = op.attempt + 1;
  const reason = `restarted by the watchdog: ${op.instanceId} stalled (${stall.reason})`;
  const names = op.names ? { names: op.names } : {};
  if (op.kind === "change" || op.kind === "adopt") {
    // Run again from its own input: every step of a change reads first and sends only what differs, and
    // only a verified change moves the spec; an adoption re-verifies and changes nothing but tags and the record.
    if (!op.input) return undefined;
    if (op.kind === "change") {
      const input = { ...op.input, actor: WATCHDOG_ACTOR, ...names, timing };
      return { kind: "change" as const, instanceId: changeInstanceId(op.name, attempt), attempt, orchestrator: CHANGE_ORCHESTRATOR, input };
    }
    // Adoption ids count apart from the record's attempts (adopt-<name>-<n> of every try under that name).
    const n = Math.max(op.attempt, trailingAttempt(op.instanceId)) + 1;
    const input = { ...op.input, actor: WATCHDOG_ACTOR, timing };
    return { kind: "adopt" as const, instanceId: adoptInstanceId(op.name, n), attempt: n, orchestrator: ADOPT_ORCHESTRATOR, input };
  }
  if (op.kind === "teardown" || op.state === "failed") {
    // An adopted interconnect's resources keep their builder's names; what may be removed (its grants) the teardown reads from the record.
    const input: TeardownInput = { name: op.name, reason, actor: WATCHDOG_ACTOR, ...names, timing };
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

const inPlace = (op: WatchedOperationRow): boolean => op.kind === "change" || op.kind === "adopt";

/**
 * Of the in-place operations that ended without finishing, only an adoption is started again, once: a
 * change that ended was terminated (a person's decision) or failed past its own failure handling, and
 * running it again unasked could change a circuit nobody wants changed now. A restarted adoption that
 * ends again (its actor is the watchdog) is ended on the record instead.
 */
function restartsWhenEnded(op: WatchedOperationRow): boolean {
  return op.kind === "adopt" && op.input !== null && op.input !== undefined && op.input.actor !== WATCHDOG_ACTOR;
}

/** An adoption that has not written its record yet (its name has none, or a deleted one): the scan lists it from the task hub. */
const withoutRecord = (op: WatchedOperationRow): boolean => op.kind === "adopt" && (op.state === null || op.state === "deleted");

/**
 * An adoption without a record that stalled is started again once, from its own input. One that the
 * watchdog started (its actor) and that stalled again is not: it is ended instead (terminated, with an
 * audit row under its name saying what to do), so that neither it nor a third run holds the name.
 */
function restartsWithoutRecord(op: WatchedOperationRow): boolean {
  return op.input !== null && op.input !== undefined && op.input.actor !== WATCHDOG_ACTOR;
}

function trailingAttempt(instanceId: string): number {
  const m = /-(\d+)$/.exec(instanceId);
  return m ? Number(m[1]) : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** What each side of a change was left in, for the record; a read that fails leaves it unread, not the round failed. */
function* readBothSides(
  context: OrchestrationContext,
  opContext: OpContext,
  spec: unknown,
  virtualCircuitId: string | undefined,
): Generator<Task, ActivityInput<"watchdogEnd">["left"], unknown> {
  try {
    const { azure, oci } = scopesOf(spec as WorkflowSpec);
    const [circuit, virtualCircuit] = (yield context.df.Task.all([
      context.df.callActivity("azureReadCircuitSettings", { opContext, azure }),
      context.df.callActivity("ociReadVirtualCircuitSettings", { opContext, oci, ...(virtualCircuitId ? { virtualCircuitId } : {}) }),
    ])) as [ActivityOutput<"azureReadCircuitSettings">, ActivityOutput<"ociReadVirtualCircuitSettings">];
    return { circuit: circuit.circuit, virtualCircuit };
  } catch {
    return null;
  }
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
