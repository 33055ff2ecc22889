import { mkdtempSync, readFileSync, existsSync } from "node:fs";
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

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : []);

it("resumes every instance after kill -9: activity running, timer pending, event awaited", async () => {
  // Both processes read one clock anchor, so virtual time continues across the crash.
  const env = { AzureWebJobsStorage: azurite.connectionString, HOST_CLOCK_FILE: path.join(dir, "clock.json"), SIM_SPEED: "600" };
  host = await spawnHost(env);
  const file = (n: string) => path.join(dir, `${n}.log`);
  // a: its first activity is still running when the host dies (2 s real).
  const a = await startOrchestration(host.url, "CrashScenario", { file: file("a"), tag: "a", activityMs: 2000, timerMinutes: 1 });
  // b: its 40-minute timer (4 s real) is pending when the host dies.
  const b = await startOrchestration(host.url, "CrashScenario", { file: file("b"), tag: "b", activityMs: 0, timerMinutes: 40 });
  // c: waits for the Continue event when the host dies.
  const c = await startOrchestration(host.url, "CrashScenario", { file: file("c"), tag: "c", activityMs: 0, timerMinutes: 1 });
  const until = Date.now() + 10_000;
  while (lines(file("c")).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  expect(lines(file("a"))).toEqual(["a-1"]);
  expect(lines(file("b"))).toEqual(["b-1"]);
  expect(lines(file("c"))).toEqual(["c-1", "c-2"]);
  await host.kill9();

  host = await spawnHost(env);
  const url = host.url;
  for (const id of [a, b, c]) {
    await waitForStatus(url, id, ["Running"], 20_000);
    expect((await call(url, "POST", `${DT}/instances/${id}/raiseEvent/Continue`, `${id}-event`)).status).toBe(202);
  }
  const results = await Promise.all([a, b, c].map((id) => waitForStatus(url, id, ["Completed", "Failed"], 40_000)));
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
}, 60_000);
