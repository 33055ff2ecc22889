/**
 * Durable timers on queues whose visibility is in whole real seconds: a timer message surfaces a second
 * early and the rest is waited in memory, on the virtual clock, so it fires at its FireAt precisely.
 */
import type { VirtualClock } from "../../clock/virtual-clock";
import type { ControlMessage } from "./messages";
import { EventType } from "./history";
import type { Lease } from "./queues";

/** Timers further away than this are left in the queue (invisible) instead of being held in memory. */
const HOLD_TIMER_MS = 20_000;

/** Virtual ms until a TimerFired message is due (0 for everything else). */
export function dueInMs(message: ControlMessage, clock: VirtualClock): number {
  const ev = message.event;
  return ev.EventType === EventType.TimerFired && ev.FireAt ? Date.parse(ev.FireAt) - clock.now() : 0;
}

/** The virtual time a control message is due at: its FireAt for a timer, `now` otherwise. */
export function fireAtOf(message: ControlMessage, now: number): number {
  return message.event.EventType === EventType.TimerFired && message.event.FireAt ? Date.parse(message.event.FireAt) : now;
}

/** Queue visibility delay for a timer message: a second early, rounded down to whole real seconds. */
export function surfaceDelaySeconds(fireAt: number, now: number, clock: VirtualClock): number {
  return Math.floor((fireAt - now) / clock.speed / 1000) - 1;
}

export class HeldTimers {
  private readonly held = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly due: (lease: Lease<ControlMessage>) => void,
  ) {}

  /** A durable timer surfaced early (queue visibility is in whole real seconds): wait the rest precisely. */
  hold(lease: Lease<ControlMessage>, dueInVirtualMs: number): void {
    const realMs = Math.ceil(dueInVirtualMs / this.clock.speed);
    if (realMs > HOLD_TIMER_MS) {
      void lease.abandon(realMs / 1000 - HOLD_TIMER_MS / 2000);
      return;
    }
    const key = lease.message.messageId;
    if (this.held.has(key)) return;
    const t = setTimeout(() => {
      this.held.delete(key);
      const remaining = dueInMs(lease.message.body, this.clock);
      if (remaining > 0) this.hold(lease, remaining);
      else this.due(lease);
    }, realMs);
    this.held.set(key, t);
  }

  /** Polls the queue a second before a near timer surfaces, instead of waiting for the poller's back-off. */
  wakeBefore(fireAt: number, wake: () => void): void {
    const realMs = this.clock.realDelayUntil(fireAt);
    if (realMs < HOLD_TIMER_MS) setTimeout(wake, Math.max(0, realMs - 1000)).unref();
  }

  stop(): void {
    for (const t of this.held.values()) clearTimeout(t);
    this.held.clear();
  }
}
