import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/local/clock/virtual-clock";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("virtual clock", () => {
  it("runs at its speed, and pause() stops it (advance still moves it) until resume()", async () => {
    const clock = new VirtualClock({ speed: 1000 });
    const t0 = clock.now();
    // Node may fire a timer a millisecond early by Date.now()'s reckoning: sleep a little longer than asserted.
    await sleep(25);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(20_000);

    clock.pause();
    expect(clock.paused).toBe(true);
    expect(clock.speed).toBe(1000);
    const frozen = clock.now();
    await sleep(30);
    expect(clock.now()).toBe(frozen);
    clock.advance(60_000);
    expect(clock.now()).toBe(frozen + 60_000);
    expect(clock.getAnchor().speed).toBe(1000);

    clock.resume();
    expect(clock.paused).toBe(false);
    await sleep(25);
    expect(clock.now() - (frozen + 60_000)).toBeGreaterThanOrEqual(20_000);
  });

  it("sleep() waits virtual time, across a pause", async () => {
    const clock = new VirtualClock({ speed: 1000 });
    const start = clock.now();
    const done = clock.sleep(50_000).then(() => clock.now());
    clock.pause();
    await sleep(120);
    const resumed = clock.now();
    clock.resume();
    expect(await done).toBeGreaterThanOrEqual(start + 50_000);
    expect(resumed).toBeLessThan(start + 50_000);
  });
});
