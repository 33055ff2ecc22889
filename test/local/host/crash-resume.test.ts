import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../../src/local/azurite";
import { spawnHost, type ChildHost } from "./child-host";
import { call, DT, startOrchestration, waitForStatus } from "./support";

let azurite: RunningAzurite;
let host: ChildHost | undefined;
const dir = mkdtempSync(path.join(tmpdir(), "host-crash-"));
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  if (host && host.process.exitCode === null) await host.kill9();
  await azurite?.stop();
});

async function untilHistory(url: string, id: string, done: (events: { EventType: string }[]) => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    const res = await call(url, "GET", `${DT}/instances/${id}?showHistory=true`);
    const events = (res.json as unknown as { historyEvents?: { EventType: string }[] }).historyEvents ?? [];
    if (done(events)) return;
    if (Date.now() > end)
      throw new Error(`instance ${id}: history not there within 30 s: ${JSON.stringify(events.map((e) => e.EventType))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : []);

it("resumes every instance after kill -9: activity running, timer pending, event awaited", async () => {
  // Both processes read one clock anchor, so virtual time continues across the crash.
  const clockFile = path.join(dir, "clock.json");
  const env = { AzureWebJobsStorage: azurite.connectionString, HOST_CLOCK_FILE: clockFile, SIM_SPEED: "600" };
  host = await spawnHost(env);
  const file = (n: string) => path.join(dir, `${n}.log`);
  // Little below depends on how fast a loaded machine gets through it: a's activity runs until the test
  // releases it; b's timer is 200 virtual minutes (20 s real) away, so it is still pending however slowly
  // the other two get to where the host is killed.
  const release = path.join(dir, "a.release");
  // a: its first activity is still running when the host dies.
  const a = await startOrchestration(host.url, "CrashScenario", {
    file: file("a"),
    tag: "a",
    activityMs: 0,
    holdUntil: release,
    timerMinutes: 1,
  });
  // b: its timer is pending when the host dies.
  const b = await startOrchestration(host.url, "CrashScenario", { file: file("b"), tag: "b", activityMs: 0, timerMinutes: 200 });
  // c: waits for the Continue event when the host dies.
  const c = await startOrchestration(host.url, "CrashScenario", { file: file("c"), tag: "c", activityMs: 0, timerMinutes: 1 });
  // Killed once the history holds what each case needs: a's activity scheduled, b's timer created, c's two results.
  const count = (events: { EventType: string }[], type: string) => events.filter((e) => e.EventType === type).length;
  await untilHistory(host.url, a, (h) => count(h, "TaskScheduled") === 1);
  await untilHistory(host.url, b, (h) => count(h, "TimerCreated") === 1);
  await untilHistory(host.url, c, (h) => count(h, "TaskCompleted") === 2);
  expect(lines(file("a"))).toEqual(["a-1"]);
  expect(lines(file("b"))).toEqual(["b-1"]);
  expect(lines(file("c"))).toEqual(["c-1", "c-2"]);
  await host.kill9();

  host = await spawnHost(env);
  const url = host.url;
  writeFileSync(release, "");
  for (const id of [a, b, c]) {
    await waitForStatus(url, id, ["Running"], 20_000);
    expect((await call(url, "POST", `${DT}/instances/${id}/raiseEvent/Continue`, `${id}-event`)).status).toBe(202);
  }
  const results = await Promise.all([a, b, c].map((id) => waitForStatus(url, id, ["Completed", "Failed"], 60_000)));
  expect(results.map((r) => r.output)).toEqual([
    ["a-1", "a-2", `${a}-event`],
    ["b-1", "b-2", `${b}-event`],
    ["c-1", "c-2", `${c}-event`],
  ]);
  // At least once: the activity that was running when the host died ran again; nothing completed ran twice.
  expect(lines(file("a"))).toEqual(["a-1", "a-1", "a-2"]);
  expect(lines(file("b"))).toEqual(["b-1", "b-2"]);
  expect(lines(file("c"))).toEqual(["c-1", "c-2"]);
  const timer = results[1]?.historyEvents?.filter((e) => e.EventType === "TimerFired") ?? [];
  expect(timer).toHaveLength(1);
}, 120_000);
