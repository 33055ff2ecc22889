import {
  decodeFailure,
  permanent,
  type ActivityOutput,
  type CircuitObservation,
  type SharedDeleteOutcome,
  type UsageSeen,
  type VirtualCircuitObservation,
} from "../contracts";
import { removalDecision, type RemovalDecision } from "../domain/sharing";
import { WorkflowStepError } from "./failure";
import { pollCadence } from "./poll";
import {
  deprovisioned,
  REMOVAL_GRAPH,
  type RemovalNode,
  type RemovalStep,
  type RemovalTarget,
  type SharedRef,
  type Watch,
} from "./removal-graph";
import type { ActivityCall, AuditRow, Flow, Settled, WorkflowRun } from "./run";
import { nextPollAt, type WaitName } from "./waits";

export { REMOVABLE_KINDS, REMOVAL_STEPS, type RemovableKind, type RemovalTarget } from "./removal-graph";

/** Appearances of a late virtual circuit (a stopped provisioning's) removed again before the removal gives up. */
const MAX_LATE_REMOVALS = 3;

type Phase = "waiting" | "read" | "release" | "settle" | "delete" | "gone" | "only" | "done" | "kept" | "skipped";

/**
 * Why a node was kept: "shared" (another interconnect uses it: it is that one's to remove),
 * "not-ours" (this service did not create it), "in-use" (the live cloud says something else still
 * uses it), "missing" (what the delete needs is gone).
 */
export type KeptWhy = "shared" | "not-ours" | "in-use" | "missing";

/** What a removal kept: every kept node, and those kept for a reason that leaves something of this interconnect's behind. */
export interface RemovalOutcome {
  kept: string[];
  /** Kept because the live cloud still uses them, or what their delete needs is gone: not handed over to another interconnect. */
  leftBehind: string[];
  /** The usage rows of what it removed: the caller forgets them in its one closing usage call (usage.ts releaseNetworks). */
  forget: UsageRef[];
}

export interface UsageRef {
  kind: SharedRef["kind"];
  resourceId: string;
}
const FINISHED: readonly Phase[] = ["done", "kept", "skipped"];

/** Where one node of the graph stands. */
interface Progress {
  node: RemovalNode;
  phase: Phase;
  /** The removal's target, with what this node learnt (the route table, a late virtual circuit's id). */
  target: RemovalTarget;
  /** When the node's next call is due (orchestration ms). */
  dueMs: number;
  /** The current phase's deadline, and how many minutes the delete was given (for messages). */
  deadlineMs: number;
  deadlineMinutes: number;
  /** The current wait: since when, for how many minutes, and its last poll interval (waits.ts nextPollAt). */
  wait?: { name: WaitName; sinceMs: number; minutes: number; lastIntervalMs?: number };
  /** Attempts of the current call (retryable failures, as WorkflowRun.call). */
  attempt: number;
  /** Back-off between refused deletes, seconds. */
  retrySeconds: number;
  /** The watched resource is gone; the delete is called until it answers "deleted" (node.untilDeleted). */
  watchedGone: boolean;
  waitingFor?: string;
  lastObserved?: string;
  kept?: string;
  keptWhy?: KeptWhy;
  /** Kept because this node was (node.keptWith): its usage is released, nothing is deleted. */
  keptWith?: Progress;
  /** The usage rows the delete released and allowed to go: forgotten once the resource is gone. */
  removing?: SharedRef[];
  /** What the usage rows said (a hand-over names the creator), for the node's last audit row. */
  note?: string;
}

/**
 * The one remover (teardown and provisioning compensation): walks REMOVAL_GRAPH, starting every node
 * whose prerequisites are done at once. Each round makes the calls of every node that is due in one
 * batch, then sleeps on one durable timer until the next node is due; each node polls on its own wait
 * profile, so parallel nodes cost no more reads than one after the other. Every step reads what exists
 * and tolerates "not found", so it works from any state a provisioning can stop in.
 */
export function* removeResources(run: WorkflowRun, target: RemovalTarget): Flow<RemovalOutcome> {
  const removal = new Removal(run, target);
  for (;;) {
    removal.startReady();
    if (removal.finished()) break;
    const due = removal.due();
    removal.publish();
    if (due.length === 0) {
      yield* run.sleepUntil(new Date(removal.nextDueMs()), removal.takeAudits());
      continue;
    }
    const calls = due.map((p) => removal.callsOf(p));
    const results = yield* run.callAll(calls.flat(), removal.takeAudits());
    let at = 0;
    for (const [i, p] of due.entries()) {
      const mine = results.slice(at, at + calls[i]!.length);
      at += calls[i]!.length;
      const failed = removal.handle(p, mine);
      if (failed) {
        // What is already gone need not wait for a later teardown to lose its rows; best effort, as the
        // removal fails anyway: a row left behind has no users and is forgotten by the next removal.
        yield* run.callAll(removal.forgetCalls(), removal.takeAudits());
        throw failed;
      }
    }
  }
  yield* run.callAll([], removal.takeAudits());
  return removal.outcome();
}

class Removal {
  private readonly progress: Progress[];
  private readonly audits: AuditRow[] = [];
  private lateRemovals = 0;
  private lead: RemovalStep | undefined;

  constructor(
    private readonly run: WorkflowRun,
    target: RemovalTarget,
  ) {
    this.progress = REMOVAL_GRAPH.map((node) => ({
      node,
      phase: node.applies(target) ? "waiting" : "skipped",
      target,
      dueMs: 0,
      deadlineMs: 0,
      deadlineMinutes: 0,
      attempt: 1,
      retrySeconds: 0,
      watchedGone: false,
    }));
  }

  private now(): number {
    return this.run.now().getTime();
  }

  private of(step: RemovalStep): Progress {
    return this.progress.find((p) => p.node.step === step)!;
  }

  finished(): boolean {
    return this.progress.every((p) => FINISHED.includes(p.phase));
  }

  outcome(): RemovalOutcome {
    const kept = this.progress.filter((p) => p.kept !== undefined);
    return {
      kept: kept.filter((p) => p.keptWhy !== "not-ours").map((p) => p.kept!),
      leftBehind: kept.filter((p) => p.keptWhy === "in-use" || p.keptWhy === "missing").map((p) => p.kept!),
      forget: this.removed(),
    };
  }

  /** The usage rows of the resources removed so far. */
  private removed(): UsageRef[] {
    return this.progress
      .filter((p) => p.phase === "done")
      .flatMap((p) => p.removing ?? [])
      .map(({ kind, resourceId }) => ({ kind, resourceId }));
  }

  /** The call that forgets them (none when nothing with a usage row was removed). */
  forgetCalls(): ActivityCall[] {
    const forget = this.removed();
    return forget.length > 0 ? [{ name: "usageRelease", input: { resources: [], forget } }] : [];
  }

  takeAudits(): AuditRow[] {
    return this.audits.splice(0);
  }

  private audit(step: string, event: AuditRow["event"], message: string, details?: Record<string, unknown>): void {
    this.audits.push(details === undefined ? { step, event, message } : { step, event, message, details });
  }

  private active(): Progress[] {
    return this.progress.filter((p) => p.phase !== "waiting" && !FINISHED.includes(p.phase));
  }

  due(): Progress[] {
    return this.active().filter((p) => p.dueMs <= this.now());
  }

  nextDueMs(): number {
    const active = this.active();
    if (active.length === 0) throw new Error("removal: nothing in progress although not finished (a cycle in REMOVAL_GRAPH?)");
    return Math.min(...active.map((p) => p.dueMs));
  }

  /** Every waiting node whose prerequisites are all finished starts now. */
  startReady(): void {
    for (const p of this.progress) {
      if (p.phase !== "waiting" || !p.node.after.every((step) => FINISHED.includes(this.of(step).phase))) continue;
      const keptWith = p.node.keptWith?.map((step) => this.of(step)).find((k) => k.phase === "kept");
      if (keptWith !== undefined) {
        if ((p.node.shared?.(p.target) ?? []).length === 0) {
          p.phase = "skipped";
          continue;
        }
        p.keptWith = keptWith;
      }
      this.audit(p.node.step, "started", p.node.title);
      p.attempt = 1;
      p.watchedGone = false;
      const read = p.node.prerequisiteRead?.call(p.target);
      if (read !== undefined) this.enter(p, "read", this.now());
      else this.afterRead(p);
    }
  }

  private enter(p: Progress, phase: Phase, dueMs: number): void {
    p.phase = phase;
    p.dueMs = dueMs;
  }

  /** A node kept with another only releases its usage rows; any other releases them in its delete. */
  private afterRead(p: Progress): void {
    if (p.keptWith !== undefined) return this.enter(p, "release", this.now());
    if (p.node.remove) this.startDelete(p);
    else if (p.node.only) this.startWait(p, "only", p.node.only, this.now(), this.now() + p.node.deadline(this.run.timing) * 60_000);
    else this.finish(p, "done");
  }

  private startDelete(p: Progress): void {
    p.deadlineMinutes = p.node.deadline(this.run.timing);
    p.deadlineMs = this.now() + p.deadlineMinutes * 60_000;
    p.retrySeconds = Math.max(1, this.run.timing.pollInitialIntervalSeconds);
    delete p.wait;
    this.enter(p, "delete", this.now());
  }

  /** A wait as pollUntil has it: the first look at the profile's earliest completion, then nextPollAt. */
  private startWait(
    p: Progress,
    phase: Phase,
    watch: Watch<unknown>,
    sinceMs: number,
    deadlineMs: number,
    name: WaitName = watch.wait,
  ): void {
    p.wait = { name, sinceMs, minutes: Math.round(((deadlineMs - sinceMs) / 60_000) * 10) / 10 };
    p.deadlineMs = deadlineMs;
    p.waitingFor = watch.waitingFor;
    // The audit keeps each durable wait as pollUntil writes it (what, since, until when at most), so a timeline can shade it.
    this.audit(p.node.step, "waiting", `waiting for ${watch.waitingFor}`, {
      wait: name,
      waitingFor: watch.waitingFor,
      since: new Date(sinceMs).toISOString(),
      deadline: new Date(deadlineMs).toISOString(),
    });
    const firstLook = Math.min(sinceMs + this.run.timing.waits[name].earliestSeconds * 1000, deadlineMs);
    this.enter(p, phase, Math.max(firstLook, this.now()));
  }

  /** What the node waited for is seen: the wait's end row, as pollUntil writes it. */
  private waited(p: Progress, waitingFor: string): void {
    const wait = p.wait;
    if (wait === undefined) return;
    this.audit(p.node.step, "waiting", `${waitingFor}: done`, {
      wait: wait.name,
      waitingFor,
      outcome: "done",
      lastObserved: p.lastObserved ?? null,
    });
  }

  private finish(p: Progress, phase: "done" | "kept", kept?: string, why: KeptWhy = "in-use"): void {
    if (phase === "kept") p.keptWhy = why;
    p.phase = phase;
    delete p.waitingFor;
    delete p.lastObserved;
    if (kept !== undefined) p.kept = `${p.node.step}: ${kept}`;
    this.audit(p.node.step, "succeeded", phase === "done" && p.note ? `${p.node.step} done: ${p.note}` : `${p.node.step} done`);
  }

  callsOf(p: Progress): ActivityCall[] {
    const { node, target } = p;
    switch (p.phase) {
      case "read":
        return [node.prerequisiteRead!.call(target)!];
      case "release":
        return [{ name: "usageRelease", input: { resources: node.shared!(target) } }];
      case "settle":
        return [node.settle!.observe(target)];
      case "delete":
        return [node.remove!(target)];
      case "gone":
        return [node.gone!.observe(target)];
      default: {
        const watch = node.only!.observe(target);
        const late = node.lateVirtualCircuit === "while-waiting" && target.watchLateVirtualCircuit === true;
        return late ? [watch, { name: "ociGetVirtualCircuit", input: { oci: target.oci } }] : [watch];
      }
    }
  }

  /** One node's results of this round; a WorkflowStepError when the node (and so the removal) fails. */
  handle(p: Progress, results: Settled[]): WorkflowStepError | undefined {
    const calls = this.callsOf(p);
    for (const [i, r] of results.entries()) {
      if (r.ok) continue;
      if (p.phase === "read" && decodeFailure(r.error).code === "NOT_FOUND") {
        this.finish(p, "kept", p.node.prerequisiteRead!.missing, "missing");
        return undefined;
      }
      const next = this.run.afterFailure(p.node.step, calls[i]!.name, r.error, p.attempt);
      if (next.audit) this.audits.push(next.audit);
      if ("error" in next) return this.failed(p, next.error);
      p.attempt++;
      p.dueMs = this.now() + next.retryInSeconds * 1000;
      return undefined;
    }
    p.attempt = 1;
    try {
      this.advance(
        p,
        results.map((r) => (r as { value: unknown }).value),
      );
    } catch (error) {
      if (error instanceof WorkflowStepError) return this.failed(p, error);
      throw error;
    }
    return undefined;
  }

  private failed(p: Progress, error: WorkflowStepError): WorkflowStepError {
    this.audit(p.node.step, "failed", error.message, { code: error.failure.code });
    return error;
  }

  private advance(p: Progress, values: unknown[]): void {
    const { node } = p;
    const [value, extra] = values;
    switch (p.phase) {
      case "read":
        p.target = node.prerequisiteRead!.apply(p.target, value);
        this.afterRead(p);
        return;
      case "release":
        return this.keptWithOther(p, value as ActivityOutput<"usageRelease">);
      case "settle": {
        const settle = node.settle!;
        p.lastObserved = settle.describe(value);
        if (settle.done(value)) {
          this.waited(p, settle.waitingFor);
          return this.startDelete(p);
        }
        return this.pollAgain(p, settle.waitingFor);
      }
      case "delete":
        return this.afterDelete(p, value as SharedDeleteOutcome);
      case "gone": {
        const gone = node.gone!;
        p.lastObserved = gone.describe(value);
        if (gone.done(value)) {
          this.waited(p, gone.waitingFor);
          if (node.untilDeleted === undefined) return this.finish(p, "done");
          p.watchedGone = true;
          return this.enter(p, "delete", this.now());
        }
        if (gone.deleteFailed?.(value) === true) {
          p.phase = "delete";
          return this.retryDelete(
            p,
            undefined,
            `${node.step} delete to be retried`,
            p.lastObserved,
            `the delete was accepted and then failed (${p.lastObserved})`,
          );
        }
        return this.pollAgain(p, gone.waitingFor);
      }
      default: {
        const only = node.only!;
        p.lastObserved = only.describe(value);
        if (only.done(value)) {
          this.waited(p, only.waitingFor);
          return this.finish(p, "done");
        }
        if (node.lateVirtualCircuit === "sweep") return this.removeLate(p, value as VirtualCircuitObservation);
        const late = extra as VirtualCircuitObservation | undefined;
        if (late !== undefined && late.found && late.lifecycleState !== "TERMINATED" && !deprovisioned(value as CircuitObservation)) {
          p.lastObserved += `; virtual circuit ${late.virtualCircuitId} ${late.lifecycleState} appeared`;
          return this.removeLate(p, late);
        }
        return this.pollAgain(p, only.waitingFor);
      }
    }
  }

  /** What the domain says of each of the node's usage rows, as its delete (or its release) left them. */
  private decisions(p: Progress, usage: readonly UsageSeen[]): { ref: SharedRef; decision: RemovalDecision }[] {
    const self = this.run.op.interconnect;
    return p.node.shared!(p.target).map((r, i) => {
      const row = usage[i];
      const seen =
        row === undefined ? undefined : { users: row.sharedWith, ...(row.createdBy === null ? {} : { createdBy: row.createdBy }) };
      return { ref: r, decision: removalDecision(r.kind, r.resourceId, seen, self, r.createdBySelf) };
    });
  }

  /** A "skipped" row per resource the rows keep, naming who still uses it. */
  private auditKept(p: Progress, decided: { decision: RemovalDecision }[]): { decision: RemovalDecision & { remove: false } }[] {
    const keptOnes = decided.filter((d): d is { decision: RemovalDecision & { remove: false } } => !d.decision.remove);
    for (const { decision } of keptOnes) {
      this.audit(p.node.step, "skipped", decision.message, decision.users.length > 0 ? { sharedWith: decision.users } : undefined);
    }
    return keptOnes;
  }

  /**
   * A node kept with another (keptWith) deletes nothing: this interconnect is only taken off its rows.
   * Its own rule's reason when that says keep; otherwise what it was kept for still needs it.
   */
  private keptWithOther(p: Progress, released: ActivityOutput<"usageRelease">): void {
    const decided = this.decisions(p, released.resources);
    this.auditKept(p, decided);
    const message = `kept with the ${p.keptWith!.node.step} (${p.keptWith!.kept ?? "kept"})`;
    this.audit(p.node.step, "skipped", message);
    const own = decided[0]!.decision;
    return this.finish(p, "kept", message, own.remove ? "in-use" : own.why);
  }

  /**
   * The delete released this interconnect's use of the node's rows and decided with them (the
   * activity's own removalDecision, made here again on the same rows for the audit): "kept" ends the
   * node; otherwise what it removes is noted, once, and forgotten when the node is done.
   */
  private usageDecided(p: Progress, outcome: SharedDeleteOutcome): boolean {
    if (outcome.usage === undefined || (p.removing !== undefined && outcome.status !== "kept")) return false;
    const decided = this.decisions(p, outcome.usage);
    const keptOnes = this.auditKept(p, decided);
    if (outcome.status === "kept") {
      const first = keptOnes[0]?.decision;
      const message = keptOnes.map((k) => k.decision.message).join(" ") || (outcome.message ?? "kept by its usage rows");
      this.finish(p, "kept", message, first?.why ?? "shared");
      return true;
    }
    const removing = decided.filter((d) => d.decision.remove);
    p.removing = removing.map((d) => d.ref);
    p.note = removing.map((d) => d.decision.message).join(" ");
    return false;
  }

  private afterDelete(p: Progress, outcome: SharedDeleteOutcome): void {
    const { node } = p;
    if (this.usageDecided(p, outcome)) return;
    if (outcome.status === "deleted") return this.finish(p, "done");
    if (outcome.status === "in-use" || outcome.status === "kept") {
      this.audit(node.step, "skipped", outcome.message ?? `${node.step} is in use; kept`);
      return this.finish(p, "kept", outcome.message ?? "something else uses it", "in-use");
    }
    if (outcome.status === "busy" && node.settle !== undefined) return this.settleFirst(p, outcome.message ?? "busy");
    if (outcome.status === "conflict" || outcome.status === "busy") {
      return this.retryDelete(
        p,
        outcome,
        `${node.step} delete to be accepted`,
        `${outcome.status}: ${outcome.message ?? "refused for now"}`,
        `delete refused for now (${outcome.message ?? outcome.status})`,
      );
    }
    if (node.gone === undefined) return this.finish(p, "done");
    if (p.watchedGone) {
      const what = node.untilDeleted ?? node.step;
      return this.retryDelete(p, outcome, `${what} to be deleted`, outcome.message ?? "deleting", `${what} still being deleted`);
    }
    this.startWait(p, "gone", node.gone, this.now(), p.deadlineMs);
  }

  /**
   * The delete found the resource's own operation running (the gateway's deployment): wait it out on
   * the settle profile, counted from the operation's start when known, and delete again after. The
   * delete's answer was the first look, so the first poll follows the profile from now.
   */
  private settleFirst(p: Progress, observed: string): void {
    const settle = p.node.settle!;
    const startedAt = settle.startedAt(p.target);
    const since = startedAt === undefined ? this.now() : Date.parse(startedAt);
    p.lastObserved = observed;
    this.startWait(
      p,
      "settle",
      settle,
      since,
      since + p.node.deadline(this.run.timing) * 60_000,
      startedAt === undefined ? settle.wait : settle.sinceStart,
    );
    if (p.dueMs <= this.now()) this.pollAgain(p, settle.waitingFor);
  }

  /**
   * "conflict" (the cloud refuses for now, e.g. the circuit's ConflictError while the provider
   * deprovisions) and a delete that was accepted and then failed are both retried on durable timers,
   * backing off, until the deadline.
   */
  private retryDelete(p: Progress, outcome: SharedDeleteOutcome | undefined, waitingFor: string, observed: string, why: string): void {
    const now = this.now();
    if (now >= p.deadlineMs) {
      throw new WorkflowStepError(
        p.node.step,
        permanent("DEADLINE_EXCEEDED", `could not delete ${p.node.step} within ${p.deadlineMinutes} min: ${why}`),
      );
    }
    const t = this.run.timing;
    const waitSeconds = Math.min(
      Math.max(outcome?.retryAfterSeconds ?? 0, p.retrySeconds),
      t.pollMaxIntervalSeconds,
      (p.deadlineMs - now) / 1000,
    );
    p.waitingFor = waitingFor;
    p.lastObserved = observed;
    delete p.wait;
    this.audit(p.node.step, "waiting", `${why}; retrying in ${Math.round(waitSeconds)}s`);
    p.dueMs = now + waitSeconds * 1000;
    p.retrySeconds = Math.min(p.retrySeconds * 2, Math.max(p.retrySeconds, t.pollMaxIntervalSeconds));
  }

  private pollAgain(p: Progress, waitingFor: string): void {
    const wait = p.wait!;
    const now = this.now();
    if (now >= p.deadlineMs) {
      const since = new Date(wait.sinceMs).toISOString();
      throw new WorkflowStepError(
        p.node.step,
        permanent(
          "DEADLINE_EXCEEDED",
          `gave up waiting for ${waitingFor} after ${wait.minutes} min (since ${since}); last observed: ${p.lastObserved ?? "nothing"}`,
        ),
      );
    }
    const next = nextPollAt(this.run.timing.waits[wait.name], pollCadence(this.run), {
      startedMs: wait.sinceMs,
      nowMs: now,
      deadlineMs: p.deadlineMs,
      lastIntervalMs: wait.lastIntervalMs,
    });
    wait.lastIntervalMs = next.intervalMs;
    p.dueMs = next.fireAtMs;
  }

  /**
   * A stopped provisioning's activity may create our virtual circuit after it was removed (it had read
   * the service key before): the circuit would then never deprovision, and the virtual circuit would
   * bill unseen. It is removed again, and what depends on it after it.
   */
  private removeLate(p: Progress, late: VirtualCircuitObservation): void {
    if (!late.found) return;
    this.lateRemovals++;
    const seenBy = p.node.step === "sweep" ? "sweep" : "virtual-circuit";
    if (this.lateRemovals > MAX_LATE_REMOVALS) {
      throw new WorkflowStepError(
        seenBy,
        permanent(
          "LATE_VIRTUAL_CIRCUIT",
          `virtual circuit ${late.virtualCircuitId} (${late.lifecycleState}) keeps reappearing after ${MAX_LATE_REMOVALS} removals`,
        ),
      );
    }
    this.audit(
      seenBy,
      "retrying",
      `virtual circuit ${late.virtualCircuitId} (${late.lifecycleState}) appeared after its removal (a stopped provisioning); removing it and its circuit again`,
    );
    for (const step of ["virtual-circuit", "circuit-deprovisioning", "circuit", "sweep"] as const) {
      const again = this.of(step);
      if (!again.node.applies(again.target)) continue;
      again.phase = "waiting";
      delete again.kept;
      if (step === "virtual-circuit") again.target = { ...again.target, virtualCircuitId: late.virtualCircuitId };
    }
  }

  /** One custom status for all that runs at once: the earliest in the safe order leads. */
  publish(): void {
    const active = this.active();
    const lead = active[0];
    if (lead === undefined) return;
    if (lead.node.step !== this.lead) {
      this.lead = lead.node.step;
      this.run.enter(lead.node.step, lead.node.title);
    }
    const waiting = active.filter((p) => p.waitingFor !== undefined);
    const observed = active.filter((p) => p.lastObserved !== undefined);
    this.run.note({
      ...(waiting.length > 0 ? { waitingFor: waiting.map((p) => p.waitingFor).join("; ") } : {}),
      ...(observed.length > 0 ? { lastObserved: observed.map((p) => p.lastObserved).join("; ") } : {}),
      ...(active.some((p) => p.deadlineMs > 0)
        ? { deadline: new Date(Math.min(...active.filter((p) => p.deadlineMs > 0).map((p) => p.deadlineMs))).toISOString() }
        : {}),
      message:
        active.length > 1
          ? `${lead.node.title}; at the same time: ${active
              .slice(1)
              .map((p) => p.node.step)
              .join(", ")}`
          : lead.node.title,
    });
  }
}
