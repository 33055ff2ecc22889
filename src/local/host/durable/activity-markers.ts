/**
 * What keeps an instance's running activities durable: one leased control-queue message per instance
 * (its "activity marker"), instead of one work item per activity.
 *
 * Durable Task writes a work item per activity and deletes it once the result is in the history: two
 * queue calls per activity. Here the checkpoint that schedules an instance's first open activity writes
 * the marker (before the history, as DTFx enqueues before it writes history), the host keeps it leased
 * while the instance has activities whose results are not in the history, and deletes it when none is
 * left. A kill -9 stops the renewals: the marker reappears after one lease, and the host that receives it
 * runs the open activities again from the history's TaskScheduled events (at least once, as with work
 * items). A lapsed lease in a live host re-runs nothing that host still has in flight.
 */
import { fromControlQueue, type Delivery } from "./deliveries";
import { event, EventType, type HistoryEvent } from "./history";
import type { ControlMessage } from "./messages";
import { Lease, sendOwned } from "./queues";
import type { StoredHistory, TaskHubStore } from "./task-hub";

/** The marker's event name (a GenericEvent, never written to the history). */
export const ACTIVITY_MARKER = "LocalHost.ActivitiesInFlight";

export function isActivityMarker(message: ControlMessage): boolean {
  return message.event.EventType === EventType.GenericEvent && message.event.Name === ACTIVITY_MARKER;
}

/** TaskScheduled events of the history without a TaskCompleted/TaskFailed. */
export function openActivities(history: StoredHistory): HistoryEvent[] {
  const done = new Set<number>();
  for (const e of history.events)
    if ((e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) && e.TaskScheduledId !== undefined)
      done.add(e.TaskScheduledId);
  return history.events.filter((e) => e.EventType === EventType.TaskScheduled && !done.has(e.EventId));
}

interface Held {
  executionId: string;
  marker: Promise<Delivery>;
  /** Deletion scheduled: the instance has no open activity now, and schedules none within the grace. */
  releasing?: NodeJS.Timeout;
}

export class ActivityMarkers {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly store: TaskHubStore,
    private readonly leaseSeconds: number,
    private readonly graceMs: number,
    private readonly onDeleteFailed: (instanceId: string, e: unknown) => void,
  ) {}

  /** The instance's marker for this execution, written now if it has none; settles once it is durable. */
  ensure(instanceId: string, executionId: string, now: Date, existing?: Delivery): Promise<Delivery> {
    const current = this.held.get(instanceId);
    if (current?.executionId === executionId) {
      if (current.releasing) clearTimeout(current.releasing);
      current.releasing = undefined;
      return current.marker;
    }
    if (current) this.release(instanceId, true);
    const body: ControlMessage = { instanceId, executionId, event: event(EventType.GenericEvent, now, { Name: ACTIVITY_MARKER }) };
    // The execution's own ExecutionStarted message, still leased, serves as well as a new one.
    const marker = existing
      ? Promise.resolve(existing)
      : sendOwned(this.store.controlQueueFor(instanceId), body, this.leaseSeconds).then((m) =>
          fromControlQueue(new Lease(m, this.leaseSeconds)),
        );
    const entry: Held = { executionId, marker };
    this.held.set(instanceId, entry);
    marker.catch(() => {
      // Never durable: the checkpoint that needed it fails too; the next one writes a new marker.
      if (this.held.get(instanceId) === entry) this.held.delete(instanceId);
    });
    return marker;
  }

  /**
   * A marker received from the queue (after a restart, or a lease of this host that lapsed): this host
   * holds it from now on. A second marker of the same execution is redundant and deleted.
   */
  async adopt(instanceId: string, executionId: string, received: Delivery): Promise<void> {
    const current = this.held.get(instanceId);
    if (current?.executionId === executionId) {
      const mine = await current.marker.catch(() => undefined);
      if (mine && mine.id !== received.id) {
        await received.complete();
        return;
      }
      mine?.stop();
    } else if (current) {
      this.release(instanceId, true);
    }
    this.held.set(instanceId, { executionId, marker: Promise.resolve(received) });
  }

  /**
   * No activity of the instance is open any more: delete its marker, off the critical path. Unless
   * `now`, that waits a grace period (less than a lease, so it costs no renewal): an instance that polls
   * with short timers between activities keeps one marker instead of writing one per activity.
   */
  release(instanceId: string, now = false): void {
    const current = this.held.get(instanceId);
    if (!current || (current.releasing && !now)) return;
    if (current.releasing) clearTimeout(current.releasing);
    const remove = () => {
      if (this.held.get(instanceId) === current) this.held.delete(instanceId);
      void current.marker.then((m) => m.complete()).catch((e: unknown) => this.onDeleteFailed(instanceId, e));
    };
    if (now || this.graceMs <= 0) {
      current.releasing = undefined;
      remove();
      return;
    }
    current.releasing = setTimeout(remove, this.graceMs);
    current.releasing.unref();
  }

  /** These deliveries go back to the queue (their checkpoint failed): a marker among them is no longer this host's. */
  async disown(instanceId: string, deliveries: Delivery[]): Promise<void> {
    const current = this.held.get(instanceId);
    const marker = await current?.marker.catch(() => undefined);
    if (!current || !marker || !deliveries.includes(marker) || this.held.get(instanceId) !== current) return;
    if (current.releasing) clearTimeout(current.releasing);
    this.held.delete(instanceId);
  }

  holds(instanceId: string, executionId: string): boolean {
    return this.held.get(instanceId)?.executionId === executionId;
  }

  /** The host is stopping: stop renewing, so the markers reappear for the next host after one lease. */
  stop(): void {
    for (const h of this.held.values()) {
      if (h.releasing) clearTimeout(h.releasing);
      h.marker.then(
        (m) => m.stop(),
        () => undefined,
      );
    }
    this.held.clear();
  }
}
