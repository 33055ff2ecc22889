import type { Delivery } from "./deliveries";

export interface InstanceQueueOptions {
  maxConcurrentOrchestrations: number;
  /** Handles the first episode's worth of `deliveries`; returns those left for the next episode. */
  handle: (instanceId: string, deliveries: Delivery[]) => Promise<Delivery[]>;
  /** `handle` threw (its checkpoint did not complete); the deliveries are to be put back. */
  failed: (instanceId: string, deliveries: Delivery[], error: unknown) => Promise<void>;
}

/**
 * Episode scheduling: one episode at a time per instance, in arrival order, with at most
 * maxConcurrentOrchestrations instances at work. A slot holds one episode: an instance with more to do
 * afterwards queues again behind those already waiting, as Durable Task's work-item dispatch does
 * (extended sessions off). Keeping the slot for as long as messages kept coming starved the others: under
 * load a watchdog round waited half a minute for its scan's result while busy runs held every slot.
 */
export class InstanceQueue {
  private readonly pending = new Map<string, Delivery[]>();
  private readonly busy = new Set<string>();
  private readonly waitingForSlot: string[] = [];
  private stopped = false;

  constructor(private readonly o: InstanceQueueOptions) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  deliver(delivery: Delivery): void {
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

  /** No new episode starts; the ones running finish. */
  stop(): void {
    this.stopped = true;
  }

  /** Lets the leases of what never ran lapse, so the messages reappear for the next host. */
  releasePending(): void {
    for (const deliveries of this.pending.values()) deliveries.forEach((l) => l.stop());
  }

  private schedule(instanceId: string): void {
    if (this.busy.has(instanceId) || this.stopped) return;
    if (this.busy.size >= this.o.maxConcurrentOrchestrations || this.waitingForSlot.length > 0) {
      if (!this.waitingForSlot.includes(instanceId)) this.waitingForSlot.push(instanceId);
      this.fillSlots();
      return;
    }
    this.start(instanceId);
  }

  /** Free slots go to the instances waiting for one, first come first served. */
  private fillSlots(): void {
    while (!this.stopped && this.busy.size < this.o.maxConcurrentOrchestrations) {
      const next = this.waitingForSlot.shift();
      if (next === undefined) return;
      if (!this.busy.has(next) && this.pending.get(next)?.length) this.start(next);
    }
  }

  private start(instanceId: string): void {
    this.busy.add(instanceId);
    void this.episode(instanceId).finally(() => {
      this.busy.delete(instanceId);
      if (this.pending.get(instanceId)?.length) {
        if (!this.waitingForSlot.includes(instanceId)) this.waitingForSlot.push(instanceId);
      } else this.pending.delete(instanceId);
      this.fillSlots();
    });
  }

  /** One episode's worth of what has arrived; what it leaves is handled in the instance's next turn. */
  private async episode(instanceId: string): Promise<void> {
    const deliveries = this.pending.get(instanceId) ?? [];
    if (deliveries.length === 0 || this.stopped) return;
    this.pending.set(instanceId, []);
    try {
      const rest = await this.o.handle(instanceId, deliveries);
      this.pending.set(instanceId, [...rest, ...(this.pending.get(instanceId) ?? [])]);
    } catch (e) {
      await this.o.failed(instanceId, deliveries, e);
    }
  }
}
