import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY_MARKER } from "../../../src/local/host/durable/activity-markers";
import type { ControlMessage, WorkItem } from "../../../src/local/host/durable/messages";
import { call, DT, startHarness, startOrchestration, waitForStatus, type Harness } from "./support";

/**
 * Activities are dispatched in-process while their work items are written, and their results reach the
 * orchestration in-process while the work item stays leased until the history holds the result.
 * These tests pin what that must not change: nothing re-runs needlessly, nothing is left behind.
 */
let h: Harness;
let base: string;
const dir = mkdtempSync(path.join(tmpdir(), "host-delivery-"));
beforeAll(async () => {
  h = await startHarness();
  base = h.host.url;
});
afterAll(async () => h?.close());

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Messages in the task hub's queues, invisible (leased) ones included. */
async function queuedMessages(): Promise<number> {
  const queues = [...h.host.store.controlQueues, h.host.store.workItems];
  const props = await Promise.all(queues.map((q) => q.getProperties()));
  return props.reduce((n, p) => n + (p.approximateMessagesCount ?? 0), 0);
}

describe("in-process activity dispatch and results", () => {
  it("parks a result that arrives while the instance is suspended, and never re-runs the activity", async () => {
    const file = path.join(dir, "suspended.log");
    // The activity runs until the test releases it, so it finishes while suspended however loaded the machine is.
    const release = path.join(dir, "suspended.release");
    const id = await startOrchestration(base, "CrashScenario", { file, tag: "s", activityMs: 0, holdUntil: release, timerMinutes: 1 });
    await until("the first activity to start", () => lines(file).length === 1);
    expect((await call(base, "POST", `${DT}/instances/${id}/suspend?reason=hold`)).status).toBe(202);
    await waitForStatus(base, id, ["Suspended"]);
    writeFileSync(release, "");
    // The activity finishes while suspended; wait past the 2 s lease, when a lost result would re-run it.
    await sleep(3_000);
    expect(lines(file)).toEqual(["s-1"]);
    expect((await call(base, "POST", `${DT}/instances/${id}/resume`)).status).toBe(202);
    await until("the second activity", () => lines(file).length === 2);
    expect((await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Continue`, "go")).status).toBe(202);
    const s = await waitForStatus(base, id);
    expect(s.output).toEqual(["s-1", "s-2", "go"]);
    expect(lines(file)).toEqual(["s-1", "s-2"]);
  }, 20_000);

  it("re-runs nothing this host still runs when an activity marker comes back (a lapsed lease), and deletes the extra one", async () => {
    const file = path.join(dir, "marker.log");
    const release = path.join(dir, "marker.release");
    const id = await startOrchestration(base, "CrashScenario", { file, tag: "m", activityMs: 0, holdUntil: release, timerMinutes: 1 });
    await until("the first activity to start", () => lines(file).length === 1);
    const record = await h.host.store.getInstance(id);
    // The instance's ExecutionStarted stays leased as its marker while the activity runs; a second one
    // made visible is what a lease that lapsed under load looks like to this host.
    const marker: ControlMessage = {
      instanceId: id,
      executionId: record?.executionId as string,
      event: { EventType: 17, EventId: -1, IsPlayed: false, Timestamp: new Date().toISOString(), Name: ACTIVITY_MARKER },
    };
    await h.host.store.controlQueueFor(id).sendMessage(JSON.stringify(marker));
    await until("the extra marker to be consumed", async () => (await queuedMessages()) === 1);
    expect(lines(file)).toEqual(["m-1"]);
    writeFileSync(release, "");
    await until("the second activity", () => lines(file).length === 2);
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Continue`, "go");
    expect((await waitForStatus(base, id)).output).toEqual(["m-1", "m-2", "go"]);
    expect(lines(file)).toEqual(["m-1", "m-2"]);
    await until("the task hub queues to drain", async () => (await queuedMessages()) === 0, 5_000);
  });

  it("deletes a redelivered work item whose result is already in the history, without running it", async () => {
    const file = path.join(dir, "redelivered.log");
    const id = await startOrchestration(base, "CrashScenario", { file, tag: "r", activityMs: 0, timerMinutes: 1 });
    await until("both activities", () => lines(file).length === 2);
    await waitForStatus(base, id, ["Running"]);
    const record = await h.host.store.getInstance(id);
    // What a kill -9 between the checkpoint and the work item's delete leaves behind.
    const stale: WorkItem = {
      instanceId: id,
      executionId: record?.executionId as string,
      taskScheduledId: 0,
      name: "SlowMark",
      input: { file, tag: "r-1", ms: 0 },
      enqueuedAt: Date.now(),
    };
    await h.host.store.workItems.sendMessage(JSON.stringify(stale));
    await until("the redelivered work item to be consumed", async () => (await queuedMessages()) === 0);
    expect(lines(file)).toEqual(["r-1", "r-2"]);
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Continue`, "go");
    expect((await waitForStatus(base, id)).output).toEqual(["r-1", "r-2", "go"]);
    expect(lines(file)).toEqual(["r-1", "r-2"]);
  });

  it("shows a running instance's progress at once, and its Instances row catches up; transitions are written at once", async () => {
    const id = await startOrchestration(base, "Progress", 4);
    const running = await waitForStatus(base, id, ["Running"]);
    expect(running.runtimeStatus).toBe("Running");
    await until("the status to show the last step", async () => {
      const s = (await call(base, "GET", `${DT}/instances/${id}`)).json as unknown as { customStatus: unknown };
      return JSON.stringify(s.customStatus) === JSON.stringify({ done: 4 });
    });
    await until(
      "the Instances row to catch up",
      async () => (await h.host.store.getInstance(id))?.customStatus === JSON.stringify({ done: 4 }),
      3_000,
    );
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Finish`, "end");
    expect((await waitForStatus(base, id)).output).toBe("end");
    expect((await h.host.store.getInstance(id))?.runtimeStatus).toBe("Completed");
  });

  it("runs at most maxConcurrentActivityFunctions activities at once, and leaves no message behind", async () => {
    // The fixture's host.json allows 20.
    // Each activity lasts a real second, so the three fan-outs overlap however slowly a loaded machine starts them.
    const ids = await Promise.all([0, 1, 2].map(() => startOrchestration(base, "GaugeFanOut", { count: 15, ms: 1000 })));
    const results = await Promise.all(ids.map((id) => waitForStatus(base, id)));
    expect(results.map((r) => r.runtimeStatus)).toEqual(["Completed", "Completed", "Completed"]);
    expect(Math.max(...results.map((r) => r.output as number))).toBe(20);
    // Consumed messages are deleted after the checkpoint, off the critical path, but they are deleted.
    await until("the task hub queues to drain", async () => (await queuedMessages()) === 0, 5_000);
  });
});
