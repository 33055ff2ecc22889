import type { VirtualClock } from "../../clock/virtual-clock";
import type { HostLogger } from "../log";
import type { ExtraInputSource } from "../invocation";
import { invocationLogHandler } from "../log";
import type { FunctionRegistry } from "../registry";
import { ActivityDispatcher } from "./activities";
import { ActivityMarkers, isActivityMarker, openActivities } from "./activity-markers";
import { fromControlQueue, type Delivery } from "./deliveries";
import { InstanceQueue } from "./instance-queue";
import { InstanceRows } from "./instance-rows";
import { ActionType, flattenActions, runEpisode, signatureOf, type Action, type OrchestratorCallback } from "./episode";
import { checkpoint, type CheckpointDeps } from "./checkpoint";
import { event, EventType, parseJsonField, type HistoryEvent } from "./history";
import { isLifecycle, nextEpisode } from "./inbox";
import type { ControlMessage, WorkItem } from "./messages";
import { suspendOrResume, terminate, type LifecycleDeps } from "./lifecycle";
import { concludeEpisode, type EpisodeEnd } from "./outcome";
import { Lease, Poller, receiveJson, sendOwned } from "./queues";
import { findMismatch, noOutgoing, scheduleAction, scheduleRetry, type EpisodeDraft } from "./scheduling";
import { TERMINAL, type InstanceRecord, type RuntimeStatus, type StoredHistory, type TaskHubStore } from "./task-hub";
import { dueInMs, HeldTimers } from "./timers";

export type { ControlMessage, WorkItem } from "./messages";

export interface EngineOptions {
  store: TaskHubStore;
  registry: FunctionRegistry;
  clock: VirtualClock;
  logger: HostLogger;
  /** Real seconds a received message stays invisible between renewals; a killed host's work reappears after this. */
  leaseSeconds: number;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
  maxPollingIntervalMs: number;
  /** Called with the real ms between enqueue and start of every activity (benchmarks). */
  onActivityDispatch?: (latencyMs: number) => void;
  /** Extra input bindings activities declared (the durable client binding data). */
  activityExtraInput?: ExtraInputSource;
  /** Real ms within which a running instance's progress reaches its Instances row (default 1000; 0 = every checkpoint). */
  instanceRowDelayMs?: number;
}

interface Loaded {
  record: InstanceRecord | undefined;
  history: StoredHistory | undefined;
}

const DEFER_SECONDS = 1;

export class DurableEngine {
  private readonly cache = new Map<string, Loaded>();
  /** Per instance, the TaskScheduled ids of activities this process runs or holds the result of, not yet in the history. */
  private readonly inFlight = new Map<string, { executionId: string; tasks: Set<number> }>();
  private readonly markers: ActivityMarkers;
  /** Running instances this host picked up from the task hub rather than started. */
  private readonly resumed = new Set<string>();
  /** Instances whose orchestrator logged at info or above: their end is an event a reader follows. */
  private readonly spoke = new Set<string>();
  private readonly instances: InstanceQueue;
  private readonly heldTimers: HeldTimers;
  private readonly controlPollers: Poller[];
  private readonly activities: ActivityDispatcher;
  private readonly rows: InstanceRows;
  private readonly checkpointDeps: CheckpointDeps;
  private readonly lifecycle: LifecycleDeps;

  constructor(private readonly o: EngineOptions) {
    const onError = (e: unknown) => o.logger.error(`Durable task hub ${o.store.hubName}: polling failed: ${(e as Error).message}`);
    this.controlPollers = o.store.controlQueues.map((_, i) => new Poller(() => this.pollControl(i), o.maxPollingIntervalMs, onError));
    this.instances = new InstanceQueue({
      maxConcurrentOrchestrations: o.maxConcurrentOrchestrations,
      handle: (id, deliveries) => this.handle(id, deliveries),
      failed: async (id, deliveries, e) => {
        // The checkpoint did not complete: forget what we believed and let the messages come back.
        this.cache.delete(id);
        o.logger.error(`Orchestration (InstanceId=${id}) checkpoint failed, will retry: ${(e as Error).stack ?? e}`);
        await this.markers.disown(id, deliveries);
        await Promise.all(deliveries.map((l) => l.abandon(DEFER_SECONDS)));
      },
    });
    this.heldTimers = new HeldTimers(o.clock, (lease) => this.deliver(fromControlQueue(lease)));
    this.markers = new ActivityMarkers(o.store, o.leaseSeconds, (o.leaseSeconds * 1000) / 3, (id, e) =>
      o.logger.warn(
        `Orchestration (InstanceId=${id}): its activity marker could not be deleted and will be redelivered: ${(e as Error)?.message ?? e}`,
      ),
    );
    this.rows = new InstanceRows(o.store, o.instanceRowDelayMs ?? 1000, o.logger);
    this.activities = new ActivityDispatcher({
      store: o.store,
      registry: o.registry,
      clock: o.clock,
      logger: o.logger,
      leaseSeconds: o.leaseSeconds,
      maxConcurrent: o.maxConcurrentActivities,
      maxPollingIntervalMs: o.maxPollingIntervalMs,
      onDispatch: o.onActivityDispatch,
      extraInput: o.activityExtraInput,
      deliver: (d) => this.deliver(d),
      alreadyDone: (w) => this.activityAlreadyDone(w),
    });
    this.checkpointDeps = {
      store: o.store,
      clock: o.clock,
      logger: o.logger,
      rows: this.rows,
      heldTimers: this.heldTimers,
      enqueueControl: (m) => this.enqueueControl(m),
      startActivities: (record, executionId, items, candidate) => this.startActivities(record.instanceId, executionId, items, candidate),
      settled: (record, history) => this.settled(record, history),
      forget: (id) => this.cache.delete(id),
      wakeControl: (id) => this.wakeControl(id),
    };
    this.lifecycle = {
      now: (history) => this.now(history, []),
      clockDate: () => this.clockDate(),
      checkpoint: (changes) => checkpoint(this.checkpointDeps, changes),
      transition: (record, from, to, reason) => this.logTransition(record, from, to, reason),
    };
  }

  start(): void {
    this.controlPollers.forEach((p) => p.start());
    this.activities.start();
  }

  async stop(): Promise<void> {
    this.instances.stop();
    this.heldTimers.stop();
    await Promise.all([...this.controlPollers.map((p) => p.stop()), this.activities.stop()]);
    this.instances.releasePending();
    this.markers.stop();
    await this.rows.stop();
  }

  /** Drops cached state, e.g. after a purge, so the next message reloads from the task hub. */
  forget(instanceId: string): void {
    this.cache.delete(instanceId);
  }

  /**
   * A client just wrote this new execution's instance row: cache it, so handling its ExecutionStarted
   * reads nothing back (the history of an earlier execution under the same id is never replayed).
   */
  created(record: InstanceRecord): void {
    this.rows.forget(record.instanceId);
    this.cache.set(record.instanceId, { record: { ...record }, history: undefined });
  }

  /** The instance's checkpointed row when it is newer than the Instances table's (written within instanceRowDelayMs). */
  pendingRow(instanceId: string): InstanceRecord | undefined {
    const row = this.rows.pending(instanceId);
    return row && { ...row };
  }

  /** Enqueues control messages due now and delivers them in-process (they stay durable in the queue until handled). */
  async enqueueControl(messages: ControlMessage[]): Promise<void> {
    const owned = await Promise.all(messages.map((m) => sendOwned(this.o.store.controlQueueFor(m.instanceId), m, this.o.leaseSeconds)));
    for (const m of owned) this.deliver(fromControlQueue(new Lease(m, this.o.leaseSeconds)));
  }

  /**
   * Starts the activities at once. What makes them durable is the instance's activity marker, written
   * (if the instance has none yet) before the checkpoint writes the history; an activity's result is
   * only accepted once the marker is durable.
   */
  private startActivities(
    instanceId: string,
    executionId: string,
    items: WorkItem[],
    candidate: Delivery | undefined,
  ): { durable: Promise<unknown>[]; keptCandidate: boolean } {
    if (items.length === 0) return { durable: [], keptCandidate: false };
    const keptCandidate = candidate !== undefined && !this.markers.holds(instanceId, executionId);
    const durable = this.markers.ensure(instanceId, executionId, this.clockDate(), keptCandidate ? candidate : undefined);
    // The checkpoint awaits it too and fails if the write did.
    durable.catch(() => undefined);
    for (const item of items) {
      this.trackInFlight(instanceId, executionId).add(item.taskScheduledId);
      this.activities.dispatch({ item, durable });
    }
    return { durable: [durable], keptCandidate };
  }

  private trackInFlight(instanceId: string, executionId: string): Set<number> {
    let entry = this.inFlight.get(instanceId);
    if (entry?.executionId !== executionId) {
      entry = { executionId, tasks: new Set() };
      this.inFlight.set(instanceId, entry);
    }
    return entry.tasks;
  }

  /** After a checkpoint: results now in the history are no longer in flight; no open activity, no marker. */
  private settled(record: InstanceRecord, history: StoredHistory): void {
    const id = record.instanceId;
    const over = TERMINAL.has(record.runtimeStatus) || record.runtimeStatus === "ContinuedAsNew";
    const open = over ? [] : openActivities(history);
    const entry = this.inFlight.get(id);
    if (entry) {
      const stillOpen = new Set(open.map((e) => e.EventId));
      for (const t of entry.tasks) if (!stillOpen.has(t)) entry.tasks.delete(t);
      if (entry.tasks.size === 0 || entry.executionId !== history.executionId) this.inFlight.delete(id);
    }
    if (open.length === 0) this.markers.release(id, over);
  }

  /**
   * An activity marker came back from the queue: the host that held it died (or this host's lease
   * lapsed). Runs again every open activity of the execution that this process is not running itself.
   */
  private async resumeActivities(state: Loaded, marker: Delivery): Promise<void> {
    const { record, history } = state;
    const executionId = marker.body.executionId;
    const live =
      record &&
      history &&
      record.executionId === executionId &&
      history.executionId === executionId &&
      !TERMINAL.has(record.runtimeStatus) &&
      record.runtimeStatus !== "ContinuedAsNew";
    const open = live ? openActivities(history) : [];
    if (!live || open.length === 0) {
      await marker.complete();
      return;
    }
    await this.markers.adopt(record.instanceId, executionId, marker);
    const tasks = this.trackInFlight(record.instanceId, executionId);
    for (const s of open) {
      if (tasks.has(s.EventId)) continue;
      tasks.add(s.EventId);
      const item: WorkItem = {
        instanceId: record.instanceId,
        executionId,
        taskScheduledId: s.EventId,
        name: s.Name as string,
        input: parseJsonField(s.Input),
        enqueuedAt: Date.now(),
      };
      this.activities.dispatch({ item, durable: Promise.resolve() });
    }
  }

  /** For a work item found in the queue: its result is already in the history, or its execution is over. */
  private async activityAlreadyDone(w: WorkItem): Promise<boolean> {
    // Reads without filling the cache: only the instance's own (serialized) episodes may put state there.
    const cached = this.cache.get(w.instanceId);
    const [record, history] = cached
      ? [cached.record, cached.history]
      : await Promise.all([this.o.store.getInstance(w.instanceId), this.o.store.loadHistory(w.instanceId)]);
    if (!record || TERMINAL.has(record.runtimeStatus)) return true;
    if (!history || history.executionId !== w.executionId) return record.executionId !== w.executionId;
    return history.events.some(
      (h) => (h.EventType === EventType.TaskCompleted || h.EventType === EventType.TaskFailed) && h.TaskScheduledId === w.taskScheduledId,
    );
  }

  private wakeControl(instanceId: string): void {
    const i = this.o.store.controlQueues.indexOf(this.o.store.controlQueueFor(instanceId));
    this.controlPollers[i]?.wake();
  }

  // ---------------------------------------------------------------- control queues

  private async pollControl(partition: number): Promise<number> {
    const queue = this.o.store.controlQueues[partition];
    if (!queue || this.instances.isStopped) return 0;
    const messages = await receiveJson<ControlMessage>(queue, 32, this.o.leaseSeconds);
    for (const m of messages) {
      const lease = new Lease(m, this.o.leaseSeconds);
      const ev = m.body.event;
      if (typeof m.body.instanceId !== "string" || typeof ev?.EventType !== "number") {
        this.o.logger.warn(`Durable: dropped a malformed control message ${m.messageId}`);
        await lease.complete();
        continue;
      }
      const dueIn = dueInMs(m.body, this.o.clock);
      if (dueIn > 0) {
        this.heldTimers.hold(lease, dueIn);
        continue;
      }
      this.deliver(fromControlQueue(lease));
    }
    return messages.length;
  }

  private deliver(delivery: Delivery): void {
    this.instances.deliver(delivery);
  }

  private async load(instanceId: string): Promise<Loaded> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    const [record, history] = await Promise.all([this.o.store.getInstance(instanceId), this.o.store.loadHistory(instanceId)]);
    const loaded = { record, history };
    this.cache.set(instanceId, loaded);
    if (record?.runtimeStatus === "Running" && history && !this.resumed.has(instanceId)) {
      // Work a previous host left in flight (or a lapsed lease): say which operations carry on here.
      this.resumed.add(instanceId);
      this.o.logger.info(
        `Orchestration '${record.name}' (InstanceId=${instanceId}) resumed from its history (${history.events.length} events)`,
      );
    }
    return loaded;
  }

  /** Handles the first episode's worth of `leases`; returns the leases left for the next episode. */
  private async handle(instanceId: string, leases: Delivery[]): Promise<Delivery[]> {
    const state = await this.load(instanceId);
    const first = leases[0] as Delivery;
    const ev = first.body.event;
    const { record, history } = state;

    if (isActivityMarker(first.body)) {
      await this.resumeActivities(state, first);
      return leases.slice(1);
    }
    if (ev.EventType === EventType.ExecutionStarted) {
      const executionId = first.body.executionId;
      if (record && executionId === record.executionId && history?.executionId === executionId) {
        // Already started: the message stayed as its activity marker and came back (see activity-markers.ts).
        await this.resumeActivities(state, first);
      } else if (!record || executionId !== record.executionId) {
        await first.complete();
      } else {
        await this.startExecution(state, first);
      }
      return leases.slice(1);
    }
    if (!record || !history || history.executionId !== record.executionId) {
      if (record && (record.runtimeStatus === "Pending" || record.runtimeStatus === "ContinuedAsNew")) {
        await Promise.all(leases.map((l) => l.abandon(DEFER_SECONDS)));
        return [];
      }
      await Promise.all(leases.map((l) => l.complete()));
      return [];
    }
    if (TERMINAL.has(record.runtimeStatus)) {
      await Promise.all(leases.map((l) => l.complete()));
      return [];
    }
    if (ev.EventType === EventType.ExecutionTerminated) {
      await terminate(this.lifecycle, record, history, first);
      return leases.slice(1);
    }
    if (ev.EventType === EventType.ExecutionSuspended || ev.EventType === EventType.ExecutionResumed) {
      await suspendOrResume(this.lifecycle, record, history, first);
      return leases.slice(1);
    }
    if (record.runtimeStatus === "Suspended") {
      // Durable Task buffers everything but resume/terminate while suspended; the queue is our buffer.
      const control = leases.filter((l) => isLifecycle(l.body.event.EventType));
      await Promise.all(leases.filter((l) => !control.includes(l)).map((l) => l.abandon(DEFER_SECONDS)));
      return control;
    }

    const { batch, fresh, early, consumed, retryEvent } = nextEpisode(history, leases);
    await Promise.all(early.map((l) => l.abandon(DEFER_SECONDS)));
    if (fresh.length > 0) await this.runEpisode(state, fresh, consumed, retryEvent);
    else await Promise.all(consumed.map((l) => l.complete()));
    return leases.slice(batch.length);
  }

  private now(history: StoredHistory, events: HistoryEvent[]): Date {
    // Each episode's OrchestratorStarted must be later than the last one, and not before a timer it fires.
    let t = this.o.clock.now();
    for (const h of history.events) if (h.EventType === EventType.OrchestratorStarted) t = Math.max(t, Date.parse(h.Timestamp) + 1);
    for (const e of events) if (e.EventType === EventType.TimerFired && e.FireAt) t = Math.max(t, Date.parse(e.FireAt));
    return new Date(t);
  }

  private async startExecution(state: Loaded, lease: Delivery): Promise<void> {
    const record = state.record as InstanceRecord;
    const started = lease.body.event;
    const history: StoredHistory = { executionId: record.executionId, events: [], nextSequence: 0, signatures: [] };
    state.history = history;
    this.o.logger.debug(`Orchestration '${record.name}' (InstanceId=${record.instanceId}, ExecutionId=${record.executionId}) started`);
    await this.runEpisode(state, [started, ...(lease.body.carried ?? [])], [lease], undefined, lease);
  }

  private async runEpisode(
    state: Loaded,
    newEvents: HistoryEvent[],
    consumed: Delivery[],
    retryEvent: HistoryEvent | undefined,
    markerCandidate?: Delivery,
  ): Promise<void> {
    const record = state.record as InstanceRecord;
    const history = state.history as StoredHistory;
    const firstIndex = history.events.length;
    const now = this.now(history, newEvents);
    const appended: HistoryEvent[] = [event(EventType.OrchestratorStarted, now), ...newEvents];
    const all = [...history.events, ...appended];
    let nextSequence = history.nextSequence;
    const draft: EpisodeDraft = { record, executionId: history.executionId, appended, now, out: noOutgoing(), seq: () => nextSequence++ };
    const signatures = [...history.signatures];
    const started = all.find((e) => e.EventType === EventType.ExecutionStarted) as HistoryEvent;
    const prevStatus = record.runtimeStatus;

    const { end, customStatus } = await this.replay(draft, started, all, signatures, retryEvent);
    const status = concludeEpisode(draft, end, { started, history: all, signatures, customStatus, clockNow: this.clockDate() });
    await checkpoint(this.checkpointDeps, {
      record,
      history,
      firstIndex,
      appended,
      nextSequence,
      signatures,
      out: draft.out,
      consumed,
      markerCandidate,
    });
    if (status !== prevStatus) this.logTransition(record, prevStatus, status, end.kind === "failed" ? end.message : undefined);
  }

  /**
   * Runs the orchestrator over the history through durable-functions' own replay, checks it still yields
   * the recorded actions, and schedules its new ones (and, after a retry-related event, the retry).
   * `signatures` grows by the new actions.
   */
  private async replay(
    draft: EpisodeDraft,
    started: HistoryEvent,
    all: HistoryEvent[],
    signatures: string[],
    retryEvent: HistoryEvent | undefined,
  ): Promise<{ end: EpisodeEnd; customStatus: unknown }> {
    const { record } = draft;
    const fn = this.o.registry.get(record.name, "orchestrationTrigger");
    if (!fn) {
      return {
        end: { kind: "failed", message: `The orchestrator function '${record.name}' is not registered in this app`, details: "" },
        customStatus: undefined,
      };
    }
    const result = await runEpisode(fn.callback as OrchestratorCallback, {
      functionName: record.name,
      instanceId: record.instanceId,
      parentInstanceId: started.ParentInstance?.InstanceId ?? "",
      input: parseJsonField(started.Input),
      history: all,
      log: invocationLogHandler(this.noting(record.instanceId), `[${record.name}]`),
    });
    const st = result.state;
    const customStatus = st?.customStatus;
    const actions = st ? flattenActions(st.actions) : [];
    const mismatch = st ? findMismatch(signatures, actions) : undefined;
    if (mismatch) return { end: { kind: "failed", message: mismatch, details: "NonDeterministicOrchestrationException" }, customStatus };
    let unsupported: string | undefined;
    let continueAsNew: Action | undefined;
    for (const a of actions.slice(signatures.length)) {
      signatures.push(signatureOf(a));
      unsupported = scheduleAction(draft, a) ?? unsupported;
      if (a.actionType === ActionType.ContinueAsNew) continueAsNew = a;
    }
    if (unsupported) return { end: { kind: "failed", message: unsupported, details: "" }, customStatus };
    if (result.kind === "failed") return { end: { kind: "failed", message: result.message, details: result.details }, customStatus };
    if (continueAsNew) return { end: { kind: "continuedAsNew", action: continueAsNew }, customStatus };
    if (st?.isDone) return { end: { kind: "completed", output: st.output }, customStatus };
    if (retryEvent) scheduleRetry(draft, all, retryEvent);
    return { end: { kind: "running" }, customStatus };
  }

  private clockDate(): Date {
    return new Date(this.o.clock.now());
  }

  /** The host logger, noting that the instance's orchestrator said something at info or above. */
  private noting(instanceId: string): HostLogger {
    const note = () => this.spoke.add(instanceId);
    const l = this.o.logger;
    return {
      debug: (line) => l.debug(line),
      info: (line) => (note(), l.info(line)),
      warn: (line) => (note(), l.warn(line)),
      error: (line) => (note(), l.error(line)),
    };
  }

  private logTransition(record: InstanceRecord, from: RuntimeStatus, to: RuntimeStatus, reason?: string): void {
    const id = record.instanceId;
    const line = `Orchestration '${record.name}' (InstanceId=${id}) ${from} -> ${to}${reason ? `: ${reason}` : ""}`;
    const spoke = this.spoke.has(id) || this.resumed.has(id);
    if (TERMINAL.has(to) || to === "ContinuedAsNew") this.spoke.delete(id);
    if (to === "Failed") this.o.logger.error(line);
    // Pending -> Running is the start the app logs itself; a reader wants the ends (and suspend/resume).
    else if (from === "Pending" && to === "Running") this.o.logger.debug(line);
    // A housekeeping orchestration that said nothing (a watchdog round that found nothing) ends quietly too,
    // and an eternal one's continueAsNew (history truncation, every round of a watch loop) is no event.
    else if ((to === "Completed" && !spoke) || to === "ContinuedAsNew" || from === "ContinuedAsNew") this.o.logger.debug(line);
    else this.o.logger.info(line);
  }
}
