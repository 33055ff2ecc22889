/**
 * The local host's episode scheduling under load: more instances with work than orchestration slots.
 * The engine behind `handle` is replaced by a recorder (the scheduling policy is what is tested here;
 * the engine's episodes are covered through the real host elsewhere).
 */
import { describe, expect, it } from "vitest";
import type { Delivery } from "../../../src/local/host/durable/deliveries";
import { InstanceQueue } from "../../../src/local/host/durable/instance-queue";

let seq = 0;
function delivery(instanceId: string): Delivery {
  const id = `m${++seq}`;
  return {
    id,
    body: { instanceId, executionId: "e", event: { EventType: 5, EventId: -1, Timestamp: new Date(0).toISOString() } } as never,
    complete: async () => undefined,
    abandon: async () => undefined,
    stop: () => undefined,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("local host: episode slots", () => {
  it("gives a freed slot to the instance waiting longest, not back to a busy one with more to do", async () => {
    const episodes: string[] = [];
    const queue: InstanceQueue = new InstanceQueue({
      maxConcurrentOrchestrations: 1,
      handle: async (id) => {
        episodes.push(id);
        await tick();
        // A busy run: every episode of "busy" schedules work whose result arrives before it ends.
        if (id === "busy" && episodes.filter((e) => e === "busy").length < 50) queue.deliver(delivery("busy"));
        return [];
      },
      failed: async () => undefined,
    });
    queue.deliver(delivery("busy"));
    // Arrives while busy's first episode runs.
    queue.deliver(delivery("watchdog"));
    for (let i = 0; i < 200 && episodes.length < 51; i++) await tick();
    // Before: "busy" kept its slot for as long as its results kept coming, and "watchdog" waited for all 50.
    expect(episodes.indexOf("watchdog")).toBe(1);
    expect(episodes.filter((e) => e === "busy")).toHaveLength(50);
  });

  it("serves waiting instances first come, first served, one episode per turn", async () => {
    const episodes: string[] = [];
    const rounds = new Map<string, number>();
    const queue: InstanceQueue = new InstanceQueue({
      maxConcurrentOrchestrations: 2,
      handle: async (id) => {
        episodes.push(id);
        await tick();
        const n = (rounds.get(id) ?? 0) + 1;
        rounds.set(id, n);
        if (n < 3) queue.deliver(delivery(id));
        return [];
      },
      failed: async () => undefined,
    });
    for (const id of ["a", "b", "c", "d"]) queue.deliver(delivery(id));
    for (let i = 0; i < 200 && episodes.length < 12; i++) await tick();
    expect(episodes).toHaveLength(12);
    // Every instance has its first episode before any has its third.
    const firstThird = episodes.findIndex((id, i) => episodes.slice(0, i).filter((e) => e === id).length === 2);
    expect(new Set(episodes.slice(0, firstThird))).toEqual(new Set(["a", "b", "c", "d"]));
  });

  it("never runs two episodes of one instance at once, and hands what an episode left to the next", async () => {
    let running = 0;
    let overlap = false;
    const handled: number[] = [];
    const queue = new InstanceQueue({
      maxConcurrentOrchestrations: 4,
      handle: async (_id, deliveries) => {
        running++;
        if (running > 1) overlap = true;
        await tick();
        running--;
        handled.push(deliveries.length);
        // Takes one message an episode; the rest wait for the next.
        return deliveries.slice(1);
      },
      failed: async () => undefined,
    });
    // The first starts an episode at once; the other four arrive while it runs.
    for (let i = 0; i < 5; i++) queue.deliver(delivery("one"));
    for (let i = 0; i < 200 && handled.length < 5; i++) await tick();
    expect(overlap).toBe(false);
    expect(handled).toEqual([1, 4, 3, 2, 1]);
  });
});
