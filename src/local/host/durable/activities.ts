import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { HostLogger } from "../log";
import { invocationContext, type ExtraInputSource } from "../invocation";
import { invocationLogHandler } from "../log";
import type { FunctionRegistry } from "../registry";
import { activityResult, inProcessResult, type Delivery } from "./deliveries";
import { event, EventType, failureFrom, toJsonField, type HistoryEvent } from "./history";
import type { WorkItem } from "./messages";
import { Lease, Poller, receiveJson } from "./queues";
import type { TaskHubStore } from "./task-hub";

export interface ActivityJob {
  item: WorkItem;
  /**
   * Settles once what makes the activity durable is written (its instance's activity marker); an
   * in-process dispatch starts before that. A rejection means the checkpoint that scheduled it failed.
   */
  durable: Promise<unknown>;
  /** A work item received from the queue (the recovery path), deleted once the history holds its result. */
  workItem?: Lease<WorkItem>;
}

export interface ActivityOptions {
  store: TaskHubStore;
  registry: FunctionRegistry;
  clock: VirtualClock;
  logger: HostLogger;
  leaseSeconds: number;
  maxConcurrent: number;
  maxPollingIntervalMs: number;
  onDispatch?: (latencyMs: number) => void;
  /** Extra input bindings an activity declared, e.g. df.input.durableClient(). */
  extraInput?: ExtraInputSource;
  /** Hands an activity's result to its orchestration. */
  deliver: (d: Delivery) => void;
  /** True when the instance's history already holds this task's result (or the execution is over). */
  alreadyDone: (item: WorkItem) => Promise<boolean>;
}

/**
 * Runs activities: those this host schedules, at once, and those found in the work-item queue,
 * which is the recovery path. maxConcurrentActivityFunctions bounds running functions only;
 * recording a result does not hold a slot.
 */
export class ActivityDispatcher {
  private active = 0;
  private readonly backlog: ActivityJob[] = [];
  private readonly poller: Poller;
  /** The last poll filled every free slot, so the queue may hold more. */
  private queueMayHaveMore = false;
  private stopped = false;

  constructor(private readonly o: ActivityOptions) {
    this.poller = new Poller(
      () => this.poll(),
      o.maxPollingIntervalMs,
      (e) => o.logger.error(`Durable task hub ${o.store.hubName}: polling work items failed: ${(e as Error).message}`),
    );
  }

  start(): void {
    this.poller.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.poller.stop();
    for (const job of this.backlog.splice(0)) job.workItem?.stop();
  }

  /** Runs the activity now, or parks it (its work item still leased) until a slot frees up. */
  dispatch(job: ActivityJob): void {
    if (this.stopped) {
      job.workItem?.stop();
      return;
    }
    if (this.active >= this.o.maxConcurrent) {
      this.backlog.push(job);
      return;
    }
    this.active++;
    void this.execute(job)
      .finally(() => {
        this.active--;
        const next = this.backlog.shift();
        if (next) this.dispatch(next);
        else if (this.queueMayHaveMore) this.poller.wake();
      })
      .then((completion) => (completion ? this.record(job, completion) : undefined))
      .catch((e: unknown) =>
        this.o.logger.error(`Activity '${job.item.name}' (InstanceId=${job.item.instanceId}): ${(e as Error)?.message ?? e}`),
      );
  }

  private async poll(): Promise<number> {
    const capacity = this.o.maxConcurrent - this.active - this.backlog.length;
    this.queueMayHaveMore = capacity <= 0;
    if (capacity <= 0 || this.stopped) return 0;
    const messages = await receiveJson<WorkItem>(this.o.store.workItems, capacity, this.o.leaseSeconds);
    this.queueMayHaveMore = messages.length >= Math.min(32, capacity);
    for (const m of messages) this.dispatch({ item: m.body, durable: Promise.resolve(), workItem: new Lease(m, this.o.leaseSeconds) });
    return messages.length;
  }

  /** Runs the function; returns its TaskCompleted/TaskFailed event, or nothing when there is nothing to run. */
  private async execute(job: ActivityJob): Promise<HistoryEvent | undefined> {
    const w = job.item;
    if (job.workItem && (await this.o.alreadyDone(w).catch(() => false))) {
      // The result reached the history before the host died; only the work item's delete was lost.
      await job.workItem.complete().catch(() => undefined);
      return undefined;
    }
    this.o.onDispatch?.(Date.now() - w.enqueuedAt);
    const invocationId = randomUUID();
    const started = Date.now();
    const fn = this.o.registry.get(w.name, "activityTrigger");
    const now = () => new Date(this.o.clock.now());
    const line = (outcome: string) =>
      `Executed 'Functions.${w.name}' (${outcome}, Id=${invocationId}, Duration=${Date.now() - started}ms, InstanceId=${w.instanceId}, TaskScheduledId=${w.taskScheduledId})`;
    try {
      if (!fn) throw new Error(`The activity function '${w.name}' is not registered in this app`);
      const context = invocationContext(fn, {
        invocationId,
        triggerType: "activityTrigger",
        logHandler: invocationLogHandler(this.o.logger, `[${w.name}]`),
        extraInput: this.o.extraInput ?? (() => undefined),
      });
      const result = await fn.callback(w.input, context);
      this.o.logger.debug(line("Succeeded"));
      return event(EventType.TaskCompleted, now(), { TaskScheduledId: w.taskScheduledId, Result: toJsonField(result) });
    } catch (e) {
      // Whether a failure is expected (a resource still updating) is the app's to say, in its own log lines.
      this.o.logger.debug(`${line("Failed")}: ${(e as Error)?.message ?? e}`);
      return event(EventType.TaskFailed, now(), { TaskScheduledId: w.taskScheduledId, ...failureFrom(e) });
    }
  }

  private async record(job: ActivityJob, completion: HistoryEvent): Promise<void> {
    const w = job.item;
    try {
      await job.durable;
    } catch {
      // The checkpoint that scheduled this activity did not complete: the episode runs again and
      // schedules it anew. This result must not outlive that.
      return;
    }
    if (this.stopped) {
      job.workItem?.stop();
      return;
    }
    const message = { instanceId: w.instanceId, executionId: w.executionId, event: completion };
    const controlQueue = this.o.store.controlQueueFor(w.instanceId);
    this.o.deliver(
      job.workItem ? activityResult(job.workItem, message, controlQueue) : inProcessResult(message, controlQueue, () => this.dispatch(job)),
    );
  }
}
