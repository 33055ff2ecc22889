/**
 * The health watch of one active interconnect: an eternal orchestration (one check, a durable timer,
 * continueAsNew), one instance per interconnect under a fixed id (`health-<name>`).
 *
 * Why an eternal orchestration and not a timer trigger that fans out: each interconnect keeps its own
 * cadence, its previous health and its repair attempts in its own durable state; the fixed instance id
 * makes "never twice for one interconnect" the task hub's guarantee instead of a lock of ours; a killed
 * worker resumes the instance from its history (the timer is durable); and the task hub spreads the
 * instances over workers, with no fan-out burst every period. continueAsNew keeps each history one
 * check long.
 *
 * It ends when the record is no longer active (teardown also raises `stop`, which wakes it at once).
 */
import type { OrchestrationContext } from "durable-functions";
import { z } from "zod";
import type { HealthTargets, OpContext, TurnHolder } from "../contracts";
import { checkFindings, isEmptyPlan, repairPlan, type RepairPlan } from "../domain/health-check";
import {
  CHECK_TIERS,
  findingKey,
  healthTransition,
  nextHealth,
  type CheckTier,
  type HealthTransition,
  type InterconnectHealth,
} from "../domain/health";
import { ITSM_ACTIVITY, type HealthNoteInput } from "../contracts/itsm";
import type { DesiredSnapshot } from "../domain/desired-snapshot";
import { WorkflowStepError } from "./failure";
import { DEFAULT_WORKFLOW_TIMING } from "./names";
import { HEALTH_WATCH_STOP_EVENT } from "../domain/names";
import { type Flow, WorkflowRun } from "./run";

export const HEALTH_WATCH_STEPS = ["load", "observe", "repair", "save", "wait"] as const;
/** A repair is tried this many times for one finding; then it is left to a person (the finding stays). */
export const MAX_REPAIR_ATTEMPTS = 3;

const inputSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/),
  /** Checks done so far; the route level runs on every n-th. */
  iteration: z.number().int().min(0).default(0),
  /** Repair attempts per finding key, while the finding lasts. */
  repairs: z.record(z.string(), z.number().int().min(0)).default({}),
});
export type HealthWatchInput = z.input<typeof inputSchema>;
export type HealthWatchOutput = { stopped: string };

const TIMING = { ...DEFAULT_WORKFLOW_TIMING, stepMaxAttempts: 3 };

export function* healthWatch(context: OrchestrationContext): Flow<HealthWatchOutput> {
  const input = inputSchema.parse(context.df.getInput());
  const op: OpContext = { interconnect: input.name, instanceId: context.df.instanceId, operation: "watch" };
  const run = new WorkflowRun(context, op, TIMING, HEALTH_WATCH_STEPS);
  let repairs = input.repairs;
  let minutes = 5;
  try {
    run.enter("load", "reading the record");
    const load = yield* run.call("load", "healthLoad", { name: input.name });
    if (!load.watching) return { stopped: `the interconnect is ${load.state}` };
    minutes = load.settings.controlPlaneMinutes;
    if (load.busy) {
      // A change flaps BGP and moves bandwidth on purpose, against a spec not yet committed: no check, no
      // finding, no ticket, no repair until it has ended; the next check compares with what it committed.
      run.note({ message: `paused: ${load.busy.kind} ${load.busy.instanceId} runs on the interconnect` });
      return yield* waitForNext(context, run, input, repairs, minutes, "paused while an operation runs");
    }
    const every = Math.max(1, Math.round(load.settings.routesMinutes / load.settings.controlPlaneMinutes));
    const tiers: CheckTier[] = input.iteration % every === 0 ? [...CHECK_TIERS] : ["control-plane"];

    run.enter("observe", tiers.length > 1 ? "control plane and routes" : "control plane");
    const live = yield* run.call("observe", "healthObserveControlPlane", { targets: load.targets });
    const routes = tiers.includes("routes")
      ? yield* run.call("observe", "healthObserveRoutes", {
          targets: load.targets,
          peeringPresent: live.peering.found,
          ...(live.drgAttachment.found && live.drgAttachment.drgRouteTableId
            ? { drgRouteTableId: live.drgAttachment.drgRouteTableId }
            : {}),
        })
      : undefined;
    // The end-to-end probe's results over the window since the last route check, on the same slower cadence.
    const monitor =
      routes && load.targets.connectionMonitorId
        ? yield* run.call("observe", "healthObserveMonitor", {
            subscriptionId: load.targets.subscriptionId,
            connectionMonitorId: load.targets.connectionMonitorId,
            at: run.nowIso(),
            windowMinutes: load.settings.routesMinutes,
          })
        : undefined;
    // The VCN CIDRs Oracle advertises are taken at the first check (the record never had them).
    let desired: DesiredSnapshot =
      load.desired.vcnPrefixes.length === 0 && live.vcn.found ? { ...load.desired, vcnPrefixes: [...live.vcn.cidrBlocks] } : load.desired;
    const health = nextHealth(load.health, checkFindings(desired, live, routes, monitor), { at: run.nowIso(), tiers });
    const transition = healthTransition(load.health, health);

    const current = new Set(health.findings.map(findingKey));
    repairs = Object.fromEntries(Object.entries(repairs).filter(([k]) => current.has(k)));
    if (load.settings.autoRepair) {
      const plan = withinAttempts(repairPlan(health.findings), repairs);
      if (!isEmptyPlan(plan)) {
        run.enter("repair", "AUTO_REPAIR");
        // Never repair under a teardown that began during this check: it removes these very rules.
        const still = yield* run.call("repair", "healthLoad", { name: input.name, vcnQueue: plan.routeRules.length > 0 });
        if (!still.watching) return { stopped: `the interconnect is ${still.state}` };
        // Nor under an operation that began meanwhile: a change's own flap is not broken, and this check is not saved.
        if (still.busy) return yield* waitForNext(context, run, input, repairs, minutes, "an operation began during the check");
        // Nor beside a provisioning or teardown that holds or waits for the VCN's turn: those change its
        // route tables too (a run that joins after this look reaches its route rules only many steps later).
        const queued = still.vcnQueue ?? [];
        if (plan.routeRules.length > 0 && queued.length > 0) yield* deferRouteRules(run, load.targets, plan.routeRules, queued);
        const done = yield* repair(run, load.targets, desired, queued.length > 0 ? { ...plan, routeRules: [] } : plan, repairs);
        repairs = done.attempts;
        // A rule the service added for a grown VNet is the service's from now on: its removal is a finding too.
        const added = done.routeRules.filter((d) => !desired.routeRules.destinations.includes(d));
        if (added.length) {
          desired = {
            ...desired,
            vnetPrefixes: [...desired.vnetPrefixes, ...added],
            routeRules: { ...desired.routeRules, destinations: [...desired.routeRules.destinations, ...added] },
          };
        }
      }
    }

    run.enter("save", `health ${health.status}`);
    const saved = yield* run.call("save", "healthSave", {
      name: input.name,
      health,
      desired,
      ...(load.operationId !== undefined ? { operationId: load.operationId } : {}),
      ...(transition
        ? {
            transition: {
              ...(transition.from ? { from: transition.from } : {}),
              to: transition.to,
              raised: transition.raised.map(findingKey),
              cleared: transition.cleared.map(findingKey),
            },
          }
        : {}),
    });
    if (!saved.saved) return { stopped: "the interconnect left active during the check" };
    if (transition && saved.outdated !== true) yield* noteTickets(context, run, { name: input.name, health, transition });
  } catch (error) {
    // A check that failed (a cloud unreachable past its retries) is not the end of the watch: the next one runs on time.
    if (!(error instanceof WorkflowStepError)) throw error;
    run.note({ message: `check failed: ${error.failure.code}: ${error.failure.message}` });
  }

  return yield* waitForNext(context, run, input, repairs, minutes);
}

/** The durable timer to the next check (or the stop event), then the next generation. */
function* waitForNext(
  context: OrchestrationContext,
  run: WorkflowRun,
  input: z.output<typeof inputSchema>,
  repairs: Record<string, number>,
  minutes: number,
  why?: string,
): Flow<HealthWatchOutput> {
  run.enter("wait", `${why ? `${why}; ` : ""}next check in ${minutes} min`);
  const timer = context.df.createTimer(new Date(run.now().getTime() + minutes * 60_000));
  const stop = context.df.waitForExternalEvent(HEALTH_WATCH_STOP_EVENT);
  const winner = yield context.df.Task.any([timer, stop]);
  if (winner === stop) {
    timer.cancel();
    return { stopped: "stop requested" };
  }
  // A paused check does not count: the route level comes on the next one that runs.
  context.df.continueAsNew({ name: input.name, iteration: input.iteration + (why ? 0 : 1), repairs });
  return { stopped: "continued as new" };
}

/**
 * The transition, noted on the tickets that provisioned the interconnect (through the ITSM outbox, once
 * per transition). A failure here costs the note, never the check.
 */
function* noteTickets(
  context: OrchestrationContext,
  run: WorkflowRun,
  t: { name: string; health: InterconnectHealth; transition: HealthTransition },
): Flow<void> {
  const input: HealthNoteInput = {
    interconnect: t.name,
    checkedAt: t.health.checkedAt,
    ...(t.transition.from ? { from: t.transition.from } : {}),
    to: t.transition.to,
    raised: t.transition.raised.map(findingKey),
    cleared: t.transition.cleared.map(findingKey),
    findings: t.health.findings.map((f) => ({ code: f.code, subject: f.subject, severity: f.severity, action: f.action })),
  };
  try {
    yield context.df.callActivity(ITSM_ACTIVITY.healthNote, input);
  } catch (error) {
    run.note({ message: `ticket note not queued: ${error instanceof Error ? error.message : String(error)}` });
  }
}

function withinAttempts(plan: RepairPlan, attempts: Record<string, number>): RepairPlan {
  const ok = (key: string): boolean => (attempts[key] ?? 0) < MAX_REPAIR_ATTEMPTS;
  return {
    routeRules: plan.routeRules.filter(
      (d) => ok(findingKey({ code: "route-rule-missing", subject: d })) && ok(findingKey({ code: "vnet-prefix-unrouted", subject: d })),
    ),
    refreshCircuit: plan.refreshCircuit && ok(findingKey({ code: "circuit-failed", subject: "circuit" })),
    refreshConnection: plan.refreshConnection && ok(findingKey({ code: "connection-failed", subject: "connection" })),
  };
}

/** The audit row of a route-rule repair put off to the next check (not counted as an attempt: nothing was tried). */
function* deferRouteRules(
  run: WorkflowRun,
  targets: HealthTargets,
  destinations: readonly string[],
  queued: readonly TurnHolder[],
): Flow<void> {
  const runs = queued.map((q) => `${q.operation} of ${q.owner} (${q.instanceId}, ${q.holds ? "holding the turn" : "waiting"})`);
  const message = `route rule repair of ${destinations.join(", ")} deferred: VCN ${targets.vcnId} is in use by ${runs.join("; ")}; the next check tries again`;
  run.note({ message });
  yield* run.audit("repair", "skipped", message, {
    vcnId: targets.vcnId,
    destinations: destinations.join(","),
    queuedInstanceIds: queued.map((q) => q.instanceId).join(","),
  });
}

/** Runs what AUTO_REPAIR may (each activity writes its own audit row); a failed repair stays a finding. */
function* repair(
  run: WorkflowRun,
  targets: HealthTargets,
  desired: DesiredSnapshot,
  plan: RepairPlan,
  attempts: Record<string, number>,
): Flow<{ attempts: Record<string, number>; routeRules: string[] }> {
  const next = { ...attempts };
  let routeRules: string[] = [];
  const count = (key: string): void => void (next[key] = (next[key] ?? 0) + 1);
  const attempt = function* (body: () => Flow<unknown>): Flow<boolean> {
    try {
      yield* body();
      return true;
    } catch (error) {
      if (!(error instanceof WorkflowStepError)) throw error;
      run.note({ message: `repair failed: ${error.failure.code}: ${error.failure.message}` });
      return false;
    }
  };
  if (plan.routeRules.length) {
    for (const d of plan.routeRules) {
      count(findingKey({ code: desired.routeRules.destinations.includes(d) ? "route-rule-missing" : "vnet-prefix-unrouted", subject: d }));
    }
    const ok = yield* attempt(() =>
      run.call("repair", "ociEnsureRouteRules", {
        region: targets.region,
        routeTableId: desired.routeRules.routeTableId,
        drgId: desired.routeRules.networkEntityId,
        destinations: plan.routeRules,
      }),
    );
    if (ok) routeRules = plan.routeRules;
  }
  if (plan.refreshCircuit) {
    count(findingKey({ code: "circuit-failed", subject: "circuit" }));
    yield* attempt(() => run.call("repair", "healthRefreshCircuit", { targets }));
  }
  if (plan.refreshConnection) {
    count(findingKey({ code: "connection-failed", subject: "connection" }));
    yield* attempt(() => run.call("repair", "healthRefreshConnection", { targets }));
  }
  return { attempts: next, routeRules };
}

/**
 * Called once an interconnect is active. The watch is not part of the provisioning's outcome: if it
 * cannot be started now, the keeper (healthWatchKeeper) starts it later, so this only notes why.
 */
export function* startHealthWatch(run: WorkflowRun, name: string): Flow<void> {
  try {
    const started = yield* run.call("activate", "healthWatchEnsure", { name });
    yield* run.audit(
      "health-watch",
      "succeeded",
      started.started
        ? `health watch ${started.instanceId} started`
        : `health watch ${started.instanceId} already ${started.runtimeStatus}`,
    );
  } catch (error) {
    if (!(error instanceof WorkflowStepError)) throw error;
    yield* run.audit("health-watch", "skipped", `health watch not started: ${error.failure.code}: ${error.failure.message}`);
  }
}

/** Called as a teardown begins: wakes the watch so it ends now. Best effort; the watch also ends on seeing the record leave active. */
export function* stopHealthWatch(run: WorkflowRun, name: string): Flow<void> {
  try {
    const stop = yield* run.call("record", "healthWatchStop", { name });
    if (stop.signalled) yield* run.audit("health-watch", "succeeded", `health watch ${stop.instanceId} asked to stop`);
  } catch (error) {
    if (!(error instanceof WorkflowStepError)) throw error;
    yield* run.audit("health-watch", "skipped", `health watch not signalled: ${error.failure.code}: ${error.failure.message}`);
  }
}
