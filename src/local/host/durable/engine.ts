import { createHash, randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { HostLogger } from "../log";
import type { ExtraInputSource } from "../invocation";
import { invocationLogHandler } from "../log";
import type { FunctionRegistry } from "../registry";
import { ActivityDispatcher, type ActivityJob } from "./activities";
import { fromControlQueue, type Delivery } from "./deliveries";
import { InstanceRows } from "./instance-rows";
import { actionInputValue, ActionType, flattenActions, runEpisode, signatureOf, type Action, type OrchestratorCallback } from "./episode";
import { event, EventType, failureFrom, parseJsonField, toJsonField, type HistoryEvent, type RetryPolicy } from "./history";
import type { ControlMessage, WorkItem } from "./messages";
import { Lease, Poller, receiveJson, sendJson, sendOwned } from "./queues";
import { TERMINAL, type InstanceRecord, type RuntimeStatus, type StoredHistory, type TaskHubStore } from "./task-hub";

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
  /** Real ms within which a running instance's progress reaches its Instances row (default 500; 0 = every checkpoint). */
  instanceRowDelayMs?: number;
}

interface Loaded {
  record: InstanceRecord | undefined;
  history: StoredHistory | undefined;
}

interface Outgoing {
  control: ControlMessage[];
  work: WorkItem[];
  children: InstanceRecord[];
}

/** Timers further away than this are left in the queue (invisible) instead of being held in memory. */
const HOLD_TIMER_MS = 20_000;
const DEFER_SECONDS = 1;

export class DurableEngine {
  private readonly cache = new Map<string, Loaded>();
  private readonly pending = new Map<string, Delivery[]>();
  private readonly busy = new Set<string>();
  private readonly waitingForSlot: string[] = [];
  private readonly heldTimers = new Map<string, NodeJS.Timeout>();
  private readonly controlPollers: Poller[];
  private readonly activities: ActivityDispatcher;
  private readonly rows: InstanceRows;
  private stopped = false;

  constructor(private readonly o: EngineOptions) {
    const onError = (e: unknown) => o.logger.error(`Durable task hub ${o.store.hubName}: polling failed: ${(e as Error).message}`);
    this.controlPollers = o.store.controlQueues.map((_, i) => new Poller(() => this.pollControl(i), o.maxPollingIntervalMs, onError));
    this.rows = new InstanceRows(o.store, o.instanceRowDelayMs ?? 500, o.logger);
    this.activities = new ActivityDispatcher({
      store: o.store, registry: o.registry, clock: o.clock, logger: o.logger, leaseSeconds: o.leaseSeconds,
      maxConcurrent: o.maxConcurrentActivities, maxPollingIntervalMs: o.maxPollingIntervalMs, onDispatch: o.onActivityDispatch, extraInput: o.activityExtraInput,
      deliver: (d) => this.deliver(d),
      alreadyDone: (w) => this.activityAlreadyDone(w),
    });
  }

  start(): void {
    this.controlPollers.forEach((p) => p.start());
    this.activities.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.heldTimers.values()) clearTimeout(t);
    await Promise.all([...this.controlPollers.map((p) => p.stop()), this.activities.stop()]);
    for (const leases of this.pending.values()) leases.forEach((l) => l.stop());
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
   * Writes the work items and starts the activities at once, without waiting for the writes: the queue
   * is the crash-recovery path. An activity's result is only accepted once its work item is durable.
   */
  private startActivities(items: WorkItem[]): Promise<unknown>[] {
    return items.map((item) => {
      const lease = sendOwned(this.o.store.workItems, item, this.o.leaseSeconds).then((m) => new Lease(m, this.o.leaseSeconds));
      // The checkpoint awaits it too and fails if the write did.
      lease.catch(() => undefined);
      const job: ActivityJob = { item, lease, recovered: false };
      this.activities.dispatch(job);
      return lease;
    });
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
    return history.events.some((h) => (h.EventType === EventType.TaskCompleted || h.EventType === EventType.TaskFailed) && h.TaskScheduledId === w.taskScheduledId);
  }

  private wakeControl(instanceId: string): void {
    const i = this.o.store.controlQueues.indexOf(this.o.store.controlQueueFor(instanceId));
    this.controlPollers[i]?.wake();
  }

  // ---------------------------------------------------------------- control queues

  private async pollControl(partition: number): Promise<number> {
    const queue = this.o.store.controlQueues[partition];
    if (!queue || this.stopped) return 0;
    const messages = await receiveJson<ControlMessage>(queue, 32, this.o.leaseSeconds);
    for (const m of messages) {
      const lease = new Lease(m, this.o.leaseSeconds);
      const ev = m.body.event;
      if (typeof m.body.instanceId !== "string" || typeof ev?.EventType !== "number") {
        this.o.logger.warn(`Durable: dropped a malformed control message ${m.messageId}`);
        await lease.complete();
        continue;
      }
      const dueIn = ev.EventType === EventType.TimerFired && ev.FireAt ? Date.parse(ev.FireAt) - this.o.clock.now() : 0;
      if (dueIn > 0) {
        this.holdTimer(lease, dueIn);
        continue;
      }
      this.deliver(fromControlQueue(lease));
    }
    return messages.length;
  }

  /** A durable timer surfaced early (queue visibility is in whole real seconds): wait the rest precisely. */
  private holdTimer(lease: Lease<ControlMessage>, dueInVirtualMs: number): void {
    const realMs = Math.ceil(dueInVirtualMs / this.o.clock.speed);
    if (realMs > HOLD_TIMER_MS) {
      void lease.abandon(realMs / 1000 - HOLD_TIMER_MS / 2000);
      return;
    }
    const key = lease.message.messageId;
    if (this.heldTimers.has(key)) return;
    const t = setTimeout(() => {
      this.heldTimers.delete(key);
      const remaining = Date.parse(lease.message.body.event.FireAt as string) - this.o.clock.now();
      if (remaining > 0) this.holdTimer(lease, remaining);
      else this.deliver(fromControlQueue(lease));
    }, realMs);
    this.heldTimers.set(key, t);
  }

  private deliver(delivery: Delivery): void {
    const id = delivery.body.instanceId;
    const list = this.pending.get(id) ?? [];
    if (list.some((l) => l.id === delivery.id)) {
      delivery.stop();
      return;
    }
    list.push(delivery);
    this.pending.set(id, list);
    this.schedule(id);
  }

  private schedule(instanceId: string): void {
    if (this.busy.has(instanceId) || this.stopped) return;
    if (this.busy.size >= this.o.maxConcurrentOrchestrations) {
      if (!this.waitingForSlot.includes(instanceId)) this.waitingForSlot.push(instanceId);
      return;
    }
    this.busy.add(instanceId);
    void this.drain(instanceId).finally(() => {
      this.busy.delete(instanceId);
      if (this.pending.get(instanceId)?.length) this.schedule(instanceId);
      const next = this.waitingForSlot.shift();
      if (next) this.schedule(next);
    });
  }

  /** Processes an instance's messages one episode at a time, in arrival order. */
  private async drain(instanceId: string): Promise<void> {
    while (!this.stopped) {
      const leases = this.pending.get(instanceId) ?? [];
      if (leases.length === 0) {
        this.pending.delete(instanceId);
        return;
      }
      this.pending.set(instanceId, []);
      try {
        const rest = await this.handle(instanceId, leases);
        this.pending.set(instanceId, [...rest, ...(this.pending.get(instanceId) ?? [])]);
      } catch (e) {
        // The checkpoint did not complete: forget what we believed and let the messages come back.
        this.cache.delete(instanceId);
        this.o.logger.error(`Orchestration (InstanceId=${instanceId}) checkpoint failed, will retry: ${(e as Error).stack ?? e}`);
        await Promise.all(leases.map((l) => l.abandon(DEFER_SECONDS)));
      }
    }
  }

  private async load(instanceId: string): Promise<Loaded> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    const [record, history] = await Promise.all([this.o.store.getInstance(instanceId), this.o.store.loadHistory(instanceId)]);
    const loaded = { record, history };
    this.cache.set(instanceId, loaded);
    return loaded;
  }

  /** Handles the first episode's worth of `leases`; returns the leases left for the next episode. */
  private async handle(instanceId: string, leases: Delivery[]): Promise<Delivery[]> {
    const state = await this.load(instanceId);
    const first = leases[0] as Delivery;
    const ev = first.body.event;
    const { record, history } = state;

    if (ev.EventType === EventType.ExecutionStarted) {
      const executionId = first.body.executionId;
      if (!record || executionId !== record.executionId || history?.executionId === executionId) {
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
      await this.terminate(state, first);
      return leases.slice(1);
    }
    if (ev.EventType === EventType.ExecutionSuspended || ev.EventType === EventType.ExecutionResumed) {
      await this.suspendOrResume(state, first);
      return leases.slice(1);
    }
    if (record.runtimeStatus === "Suspended") {
      // Durable Task buffers everything but resume/terminate while suspended; the queue is our buffer.
      const control = leases.filter((l) => isLifecycle(l.body.event.EventType));
      await Promise.all(leases.filter((l) => !control.includes(l)).map((l) => l.abandon(DEFER_SECONDS)));
      return control;
    }

    // An episode takes the events up to the next lifecycle message and ends with the first retry-related
    // event, so the host numbers retry timers/attempts exactly where the SDK's RetryableTask does.
    const batch: Delivery[] = [];
    let retryEvent: HistoryEvent | undefined;
    for (const l of leases) {
      const e = l.body.event;
      if (isLifecycle(e.EventType) || e.EventType === EventType.ExecutionStarted) break;
      batch.push(l);
      if (this.isRetryRelated(history, e)) {
        retryEvent = e;
        break;
      }
    }
    const fresh: HistoryEvent[] = [];
    const early: Delivery[] = [];
    for (const l of batch) {
      const e = l.body.event;
      const stale = l.body.executionId !== undefined && l.body.executionId !== history.executionId;
      if (!stale && !isScheduled(history.events, e)) early.push(l);
      else if (!stale && !isDuplicate(history.events, fresh, e)) fresh.push(e);
      else if (e === retryEvent) retryEvent = undefined;
    }
    // A result that arrives before the history records its task (an activity dispatched by a checkpoint
    // that then failed) waits until the re-run episode has scheduled that task again.
    await Promise.all(early.map((l) => l.abandon(DEFER_SECONDS)));
    const consumed = batch.filter((l) => !early.includes(l));
    if (fresh.length > 0) await this.runEpisode(state, fresh, consumed, retryEvent);
    else await Promise.all(consumed.map((l) => l.complete()));
    return leases.slice(batch.length);
  }

  private isRetryRelated(history: StoredHistory, e: HistoryEvent): boolean {
    return this.retrySource(history, e) !== undefined;
  }

  /** For a failure of a retried task, or a fired retry timer: the scheduling event of the attempt. */
  private retrySource(history: StoredHistory, e: HistoryEvent): HistoryEvent | undefined {
    const byId = (id: number | undefined) => history.events.find((h) => h.EventId === id && h.EventId >= 0);
    if (e.EventType === EventType.TaskFailed || e.EventType === EventType.SubOrchestrationInstanceFailed) {
      const s = byId(e.TaskScheduledId);
      return s?.RetryOptions ? s : undefined;
    }
    if (e.EventType === EventType.TimerFired) {
      const t = byId(e.TimerId);
      return t?.RetryOf !== undefined ? byId(t.RetryOf) : undefined;
    }
    return undefined;
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
    this.o.logger.info(`Orchestration '${record.name}' (InstanceId=${record.instanceId}, ExecutionId=${record.executionId}) started`);
    await this.runEpisode(state, [started, ...(lease.body.carried ?? [])], [lease], undefined);
  }

  private async runEpisode(state: Loaded, newEvents: HistoryEvent[], consumed: Delivery[], retryEvent: HistoryEvent | undefined): Promise<void> {
    const record = state.record as InstanceRecord;
    const history = state.history as StoredHistory;
    const firstIndex = history.events.length;
    const now = this.now(history, newEvents);
    const appended: HistoryEvent[] = [event(EventType.OrchestratorStarted, now), ...newEvents];
    const all = [...history.events, ...appended];
    const out: Outgoing = { control: [], work: [], children: [] };
    let nextSequence = history.nextSequence;
    const signatures = [...history.signatures];
    const started = all.find((e) => e.EventType === EventType.ExecutionStarted) as HistoryEvent;
    const prevStatus = record.runtimeStatus;

    const fn = this.o.registry.get(record.name, "orchestrationTrigger");
    let failure: { message: string; details: string } | undefined;
    let done: { output: unknown } | undefined;
    let continueAsNew: Action | undefined;
    let customStatus: unknown;
    if (!fn) {
      failure = { message: `The orchestrator function '${record.name}' is not registered in this app`, details: "" };
    } else {
      const result = await runEpisode(fn.callback as OrchestratorCallback, {
        functionName: record.name,
        instanceId: record.instanceId,
        parentInstanceId: started.ParentInstance?.InstanceId ?? "",
        input: parseJsonField(started.Input),
        history: all,
        log: invocationLogHandler(this.o.logger, `[${record.name} ${record.instanceId}]`),
      });
      const st = result.state;
      customStatus = st?.customStatus;
      const actions = st ? flattenActions(st.actions) : [];
      const mismatch = st ? findMismatch(signatures, actions) : undefined;
      if (mismatch) {
        failure = { message: mismatch, details: "NonDeterministicOrchestrationException" };
      } else {
        for (const a of actions.slice(signatures.length)) {
          signatures.push(signatureOf(a));
          const unsupported = this.schedule_(a, record, history, appended, now, out, () => nextSequence++);
          if (unsupported) failure = { message: unsupported, details: "" };
          if (a.actionType === ActionType.ContinueAsNew) continueAsNew = a;
        }
        if (!failure && result.kind === "failed") failure = { message: result.message, details: result.details };
        if (!failure && st?.isDone && !continueAsNew) done = { output: st.output };
        if (!failure && !done && !continueAsNew && retryEvent) {
          this.retry(retryEvent, record, { ...history, events: all }, appended, now, out, () => nextSequence++);
        }
      }
    }

    let status: RuntimeStatus = "Running";
    if (failure) {
      status = "Failed";
      // A failed instance schedules nothing more: drop what this episode's actions would have started.
      out.control = [];
      out.work = [];
      out.children = [];
      appended.push(event(EventType.ExecutionFailed, now, { OrchestrationStatus: "Failed", Reason: failure.message, Details: failure.details }));
      record.output = toJsonField(`Orchestrator function '${record.name}' failed: ${failure.message}`);
      this.notifyParent(started, out, false, record.output, failure.message);
    } else if (done) {
      status = "Completed";
      appended.push(event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "Completed", Result: toJsonField(done.output) }));
      record.output = toJsonField(done.output);
      this.notifyParent(started, out, true, record.output, "");
    } else if (continueAsNew) {
      status = "ContinuedAsNew";
      appended.push(event(EventType.ExecutionCompleted, now, { OrchestrationStatus: "ContinuedAsNew" }));
      const newExecutionId = randomUUID();
      const input = toJsonField(actionInputValue(continueAsNew.input));
      out.control.push({
        instanceId: record.instanceId,
        executionId: newExecutionId,
        event: event(EventType.ExecutionStarted, now, { Name: record.name, Input: input, Version: record.version, ParentInstance: started.ParentInstance }),
        carried: unconsumedEvents(all, signatures),
      });
      record.executionId = newExecutionId;
      record.input = input;
      record.generation += 1;
    }
    appended.push(event(EventType.OrchestratorCompleted, now));
    record.runtimeStatus = status;
    record.customStatus = customStatus === undefined ? record.customStatus : toJsonField(customStatus);
    record.lastUpdatedTime = now;
    if (status === "Completed" || status === "Failed") record.completedTime = now;

    await this.checkpoint(record, history, firstIndex, appended, nextSequence, signatures, out, consumed);
    if (status !== prevStatus) this.logTransition(record, prevStatus, status, failure?.message);
  }

  /** Turns one new action into history and messages. Returns a reason when the local host cannot run it. */
  private schedule_(a: Action, record: InstanceRecord, history: StoredHistory, appended: HistoryEvent[], now: Date, out: Outgoing, seq: () => number): string | undefined {
    switch (a.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        this.scheduleActivity(record, history, appended, now, out, seq(), a.functionName as string, actionInputValue(a.input), a.retryOptions, 1, now);
        return undefined;
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        this.scheduleSubOrchestration(record, history, appended, now, out, seq(), a.functionName as string, a.instanceId, a.input, a.version, a.retryOptions, 1, now);
        return undefined;
      case ActionType.CreateTimer: {
        const id = seq();
        const fireAt = new Date(a.fireAt as string);
        appended.push(event(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt.toISOString() }));
        out.control.push({ instanceId: record.instanceId, executionId: history.executionId, event: event(EventType.TimerFired, fireAt, { TimerId: id, FireAt: fireAt.toISOString() }) });
        return undefined;
      }
      case ActionType.WaitForExternalEvent:
      case ActionType.ContinueAsNew:
        return undefined;
      default:
        seq();
        return `action type ${a.actionType} (entities, durable HTTP, locks) is not supported by the local host`;
    }
  }

  private scheduleActivity(record: InstanceRecord, history: StoredHistory, appended: HistoryEvent[], now: Date, out: Outgoing, id: number, name: string, input: unknown, retry: RetryPolicy | undefined, attempt: number, firstAttemptAt: Date, expired = false): void {
    appended.push(event(EventType.TaskScheduled, now, {
      EventId: id, Name: name, Input: toJsonField(input),
      ...(retry ? { RetryOptions: retry, Attempt: attempt, FirstAttemptAt: firstAttemptAt.toISOString() } : {}),
    }));
    if (expired) {
      const f = failureFrom(new Error(`retry timeout of ${retry?.retryTimeoutInMilliseconds} ms expired after ${attempt - 1} attempts of '${name}'`));
      out.control.push({ instanceId: record.instanceId, executionId: history.executionId, event: event(EventType.TaskFailed, now, { TaskScheduledId: id, ...f }) });
    } else {
      out.work.push({ instanceId: record.instanceId, executionId: history.executionId, taskScheduledId: id, name, input, enqueuedAt: 0 });
    }
  }

  private scheduleSubOrchestration(record: InstanceRecord, history: StoredHistory, appended: HistoryEvent[], now: Date, out: Outgoing, id: number, name: string, childId: string | undefined, input: unknown, version: string | undefined, retry: RetryPolicy | undefined, attempt: number, firstAttemptAt: Date): void {
    const instanceId = childId || `${record.instanceId}:${id}`;
    const inputJson = toJsonField(input);
    appended.push(event(EventType.SubOrchestrationInstanceCreated, now, {
      EventId: id, Name: name, InstanceId: instanceId, Input: inputJson,
      ...(retry ? { RetryOptions: retry, Attempt: attempt, FirstAttemptAt: firstAttemptAt.toISOString() } : {}),
    }));
    // Deterministic, so a re-run of this episode after a crash recognises the child it already started.
    const executionId = deterministicId(`${history.executionId}:${id}`);
    out.children.push({
      instanceId, name, version: version ?? "", input: inputJson, output: null, customStatus: null, runtimeStatus: "Pending",
      createdTime: now, lastUpdatedTime: now, completedTime: null, executionId, generation: 0, parentInstanceId: record.instanceId,
    });
    out.control.push({
      instanceId, executionId,
      event: event(EventType.ExecutionStarted, now, {
        Name: name, Input: inputJson, Version: version ?? "",
        ParentInstance: { InstanceId: record.instanceId, ExecutionId: history.executionId, TaskScheduledId: id, Name: record.name },
      }),
    });
  }

  /** Durable Task RetryInterceptor: a timer after every failed attempt, then the next attempt if any remain. */
  private retry(e: HistoryEvent, record: InstanceRecord, history: StoredHistory, appended: HistoryEvent[], now: Date, out: Outgoing, seq: () => number): void {
    const source = this.retrySource(history, e) as HistoryEvent;
    const policy = source.RetryOptions as RetryPolicy;
    const attempt = source.Attempt ?? 1;
    const firstAttemptAt = new Date(source.FirstAttemptAt ?? now.toISOString());
    if (e.EventType !== EventType.TimerFired) {
      const timeout = policy.retryTimeoutInMilliseconds ?? 0;
      const expired = timeout > 0 && now.getTime() >= firstAttemptAt.getTime() + timeout;
      const backoff = policy.backoffCoefficient ?? 1;
      let delay = policy.firstRetryIntervalInMilliseconds * Math.pow(backoff, attempt - 1);
      if (policy.maxRetryIntervalInMilliseconds && policy.maxRetryIntervalInMilliseconds > 0) delay = Math.min(delay, policy.maxRetryIntervalInMilliseconds);
      if (expired) delay = 0;
      const id = seq();
      const fireAt = new Date(now.getTime() + delay);
      appended.push(event(EventType.TimerCreated, now, { EventId: id, FireAt: fireAt.toISOString(), RetryOf: source.EventId, RetryExpired: expired }));
      out.control.push({ instanceId: record.instanceId, executionId: history.executionId, event: event(EventType.TimerFired, fireAt, { TimerId: id, FireAt: fireAt.toISOString() }) });
      return;
    }
    if (attempt + 1 > policy.maxNumberOfAttempts) return;
    const timer = history.events.find((h) => h.EventId === e.TimerId && h.EventType === EventType.TimerCreated);
    const id = seq();
    const name = source.Name as string;
    if (source.EventType === EventType.TaskScheduled) {
      this.scheduleActivity(record, history, appended, now, out, id, name, parseJsonField(source.Input), policy, attempt + 1, firstAttemptAt, timer?.RetryExpired === true);
    } else {
      const retryChild = source.InstanceId?.startsWith(`${record.instanceId}:`) ? undefined : source.InstanceId;
      this.scheduleSubOrchestration(record, history, appended, now, out, id, name, retryChild, parseJsonField(source.Input), undefined, policy, attempt + 1, firstAttemptAt);
    }
  }

  private notifyParent(started: HistoryEvent, out: Outgoing, succeeded: boolean, output: string | null, reason: string): void {
    const p = started.ParentInstance;
    if (!p) return;
    const now = new Date(this.o.clock.now());
    out.control.push({
      instanceId: p.InstanceId,
      executionId: p.ExecutionId,
      event: succeeded
        ? event(EventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: p.TaskScheduledId, Result: output ?? "null" })
        : event(EventType.SubOrchestrationInstanceFailed, now, { TaskScheduledId: p.TaskScheduledId, ...failureFrom(new Error(reason)) }),
    });
  }

  private async terminate(state: Loaded, lease: Delivery): Promise<void> {
    const record = state.record as InstanceRecord;
    const history = state.history as StoredHistory;
    const prev = record.runtimeStatus;
    const now = this.now(history, []);
    const reason = String(parseJsonField(lease.body.event.Input) ?? "");
    const out: Outgoing = { control: [], work: [], children: [] };
    const started = history.events.find((e) => e.EventType === EventType.ExecutionStarted) as HistoryEvent;
    this.notifyParent(started, out, false, null, `terminated: ${reason}`);
    Object.assign(record, { runtimeStatus: "Terminated", output: toJsonField(reason), lastUpdatedTime: now, completedTime: now });
    await this.checkpoint(record, history, history.events.length,
      [event(EventType.ExecutionTerminated, now, { Input: toJsonField(reason) })], history.nextSequence, history.signatures, out, [lease]);
    this.logTransition(record, prev, "Terminated", reason);
  }

  private async suspendOrResume(state: Loaded, lease: Delivery): Promise<void> {
    const record = state.record as InstanceRecord;
    const history = state.history as StoredHistory;
    const ev = lease.body.event;
    const suspend = ev.EventType === EventType.ExecutionSuspended;
    const prev = record.runtimeStatus;
    if ((suspend && prev === "Suspended") || (!suspend && prev !== "Suspended")) {
      await lease.complete();
      return;
    }
    const now = this.now(history, []);
    Object.assign(record, { runtimeStatus: suspend ? "Suspended" : "Running", lastUpdatedTime: now });
    await this.checkpoint(record, history, history.events.length, [event(ev.EventType, now, { Reason: ev.Reason ?? "" })],
      history.nextSequence, history.signatures, { control: [], work: [], children: [] }, [lease]);
    this.logTransition(record, prev, record.runtimeStatus, ev.Reason);
  }

  /** DTFx checkpoint order: enqueue new messages, write history, then delete what was consumed. */
  private async checkpoint(record: InstanceRecord, history: StoredHistory, firstIndex: number, appended: HistoryEvent[], nextSequence: number, signatures: string[], out: Outgoing, consumed: Delivery[]): Promise<void> {
    for (const child of out.children) {
      const existing = await this.o.store.getInstance(child.instanceId);
      if (existing?.executionId === child.executionId) continue;
      if (existing && !TERMINAL.has(existing.runtimeStatus)) {
        const failed = out.control.findIndex((m) => m.instanceId === child.instanceId && m.event.EventType === EventType.ExecutionStarted);
        const parentRef = out.control[failed]?.event.ParentInstance;
        out.control.splice(failed, 1, {
          instanceId: record.instanceId, executionId: history.executionId,
          event: event(EventType.SubOrchestrationInstanceFailed, new Date(this.o.clock.now()), {
            TaskScheduledId: parentRef?.TaskScheduledId, ...failureFrom(new Error(`an orchestration with instance id '${child.instanceId}' is already ${existing.runtimeStatus}`)),
          }),
        });
        continue;
      }
      await this.o.store.putInstance(child);
      this.rows.forget(child.instanceId);
      this.cache.delete(child.instanceId);
    }
    const enqueuedAt = Date.now();
    const now = this.o.clock.now();
    const fireAtOf = (m: ControlMessage) => (m.event.EventType === EventType.TimerFired && m.event.FireAt ? Date.parse(m.event.FireAt) : now);
    const dueNow = out.control.filter((m) => fireAtOf(m) <= now);
    const later = out.control.filter((m) => fireAtOf(m) > now);
    await Promise.all([
      this.enqueueControl(dueNow),
      ...this.startActivities(out.work.map((w) => ({ ...w, enqueuedAt }))),
      // Surface a second early: queue visibility is whole real seconds, the rest is held in memory precisely.
      ...later.map((m) => sendJson(this.o.store.controlQueueFor(m.instanceId), m, Math.floor((fireAtOf(m) - now) / this.o.clock.speed / 1000) - 1)),
    ]);
    // The Instances row is a status view (eventually consistent in the Azure provider too); History is the truth.
    // Written after the history: a row that is ahead of the history would show a step that a crash can still undo.
    await this.o.store.appendHistory(record.instanceId, history.executionId, firstIndex, appended, nextSequence, signatures);
    await this.rows.checkpointed(record);
    history.events.push(...appended);
    history.nextSequence = nextSequence;
    history.signatures = signatures;
    if (record.runtimeStatus === "ContinuedAsNew") this.cache.delete(record.instanceId);
    // History holds their events now, so deleting the consumed messages is cleanup, kept off the instance's
    // critical path. A delete that fails (or a crash before it) redelivers one; completions are deduplicated.
    void Promise.all(consumed.map((l) => l.complete())).catch((e: unknown) =>
      this.o.logger.warn(`Orchestration (InstanceId=${record.instanceId}): a consumed message could not be deleted and will be redelivered: ${(e as Error)?.message ?? e}`));
    for (const m of later) {
      const realMs = this.o.clock.realDelayUntil(fireAtOf(m));
      if (realMs < HOLD_TIMER_MS) setTimeout(() => this.wakeControl(m.instanceId), Math.max(0, realMs - 1000)).unref();
    }
  }

  private logTransition(record: InstanceRecord, from: RuntimeStatus, to: RuntimeStatus, reason?: string): void {
    const line = `Orchestration '${record.name}' (InstanceId=${record.instanceId}) ${from} -> ${to}${reason ? `: ${reason}` : ""}`;
    if (to === "Failed") this.o.logger.error(line);
    else this.o.logger.info(line);
  }
}

function isLifecycle(type: number): boolean {
  return type === EventType.ExecutionTerminated || type === EventType.ExecutionSuspended || type === EventType.ExecutionResumed;
}

/** At-least-once delivery may repeat a completion; the replay engine must see each task finish once. */
function isDuplicate(history: HistoryEvent[], fresh: HistoryEvent[], e: HistoryEvent): boolean {
  const key = completionKey(e);
  if (key === undefined) return false;
  return [...history, ...fresh].some((h) => completionKey(h) === key);
}

/** Whether the task, sub-orchestration or timer this event completes is in the history. */
function isScheduled(history: HistoryEvent[], e: HistoryEvent): boolean {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
      return history.some((h) => h.EventType === EventType.TaskScheduled && h.EventId === e.TaskScheduledId);
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return history.some((h) => h.EventType === EventType.SubOrchestrationInstanceCreated && h.EventId === e.TaskScheduledId);
    case EventType.TimerFired:
      return history.some((h) => h.EventType === EventType.TimerCreated && h.EventId === e.TimerId);
    default:
      return true;
  }
}

function completionKey(e: HistoryEvent): string | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return `task:${e.TaskScheduledId}`;
    case EventType.TimerFired:
      return `timer:${e.TimerId}`;
    default:
      return undefined;
  }
}

/** DTFx raises NonDeterministicOrchestrationException here; the JS SDK does not check at all. */
function findMismatch(recorded: string[], actions: Action[]): string | undefined {
  for (let i = 0; i < recorded.length; i++) {
    const now = actions[i];
    if (!now) {
      return `Non-deterministic workflow detected: the history has ${recorded.length} scheduled actions but the orchestrator code now produces only ${actions.length}; action #${i} was ${describe(recorded[i] as string)}`;
    }
    if (signatureOf(now) !== recorded[i]) {
      return `Non-deterministic workflow detected: action #${i} was ${describe(recorded[i] as string)} in the history, but the orchestrator code now yields ${describe(signatureOf(now))}. Was the orchestrator changed while this instance was running?`;
    }
  }
  return undefined;
}

const ACTION_NAMES: Record<string, string> = Object.fromEntries(Object.entries(ActionType).map(([k, v]) => [String(v), k]));
function describe(signature: string): string {
  const [type, name] = signature.split(":", 2);
  return `${ACTION_NAMES[type as string] ?? `action ${type}`}${name ? ` '${name}'` : ""}`;
}

/** EventRaised events no WaitForExternalEvent consumed: continueAsNew carries them into the next execution. */
function unconsumedEvents(history: HistoryEvent[], signatures: string[]): HistoryEvent[] {
  const waits = new Map<string, number>();
  for (const s of signatures) {
    const [type, name] = s.split(":", 2);
    if (Number(type) === ActionType.WaitForExternalEvent) waits.set(name as string, (waits.get(name as string) ?? 0) + 1);
  }
  const carried: HistoryEvent[] = [];
  for (const e of history) {
    if (e.EventType !== EventType.EventRaised) continue;
    const left = waits.get(e.Name as string) ?? 0;
    if (left > 0) waits.set(e.Name as string, left - 1);
    else carried.push(e);
  }
  return carried;
}

function deterministicId(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
