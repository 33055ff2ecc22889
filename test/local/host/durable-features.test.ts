import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, DT, startHarness, startOrchestration, waitForStatus, type Harness } from "./support";

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startHarness();
  base = h.host.url;
});
afterAll(async () => h?.close());

const types = (s: { historyEvents?: { EventType: string }[] }) => (s.historyEvents ?? []).map((e) => e.EventType);

describe("durable orchestrations through the local host", () => {
  it("runs activities in sequence with custom status and records the history", async () => {
    const id = await startOrchestration(base, "Sequence");
    const s = await waitForStatus(base, id);
    expect(s.runtimeStatus).toBe("Completed");
    expect(s.output).toEqual(["Hello Tokyo", "Hello Seattle", "Hello London"]);
    expect(s.customStatus).toEqual({ done: 3 });
    expect(types(s)).toEqual([
      "ExecutionStarted",
      "TaskScheduled",
      "TaskCompleted",
      "TaskScheduled",
      "TaskCompleted",
      "TaskScheduled",
      "TaskCompleted",
      "ExecutionCompleted",
    ]);
    const completed = (s.historyEvents ?? []).filter((e) => e.EventType === "TaskCompleted");
    expect(completed.map((e) => [e.TaskScheduledId, e.FunctionName, e.Result])).toEqual([
      [0, "Hello", "Hello Tokyo"],
      [1, "Hello", "Hello Seattle"],
      [2, "Hello", "Hello London"],
    ]);
  });

  it("fills an activity's durable client input binding, so an activity can read another instance", async () => {
    const other = await startOrchestration(base, "Sequence");
    await waitForStatus(base, other);
    const s = await waitForStatus(base, await startOrchestration(base, "StatusOfOther", other));
    expect(s.runtimeStatus).toBe("Completed");
    expect(s.output).toBe("Completed");
    const unknown = await waitForStatus(base, await startOrchestration(base, "StatusOfOther", "no-such-instance"));
    expect(unknown.output).toBe("absent");
  });

  it("fans out and in with Task.all", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "FanOut"));
    expect(s.output).toEqual(["Hello n1", "Hello n2", "Hello n3", "Hello n4", "Hello n5"]);
  });

  it("retries a failing activity with Durable Task's retry timers and sequence numbers", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "RetryActivity", { key: "r1", failTimes: 2, attempts: 3 }));
    expect(s.output).toEqual({ key: "r1", attempts: 3 });
    const ids = (s.historyEvents ?? [])
      .filter((e) => ["TaskScheduled", "TaskFailed", "TimerCreated", "TimerFired", "TaskCompleted"].includes(e.EventType))
      .map(
        (e) =>
          `${e.EventType}#${e.EventType === "TaskScheduled" || e.EventType === "TimerCreated" ? e.EventId : (e.TaskScheduledId ?? e.TimerId)}`,
      );
    expect(ids).toEqual([
      "TaskScheduled#0",
      "TaskFailed#0",
      "TimerCreated#1",
      "TimerFired#1",
      "TaskScheduled#2",
      "TaskFailed#2",
      "TimerCreated#3",
      "TimerFired#3",
      "TaskScheduled#4",
      "TaskCompleted#4",
    ]);
  });

  it("fails the task once the attempts are exhausted, and the orchestrator can catch it", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "RetryActivity", { key: "r2", failTimes: 5, attempts: 2 }));
    expect(s.runtimeStatus).toBe("Completed");
    expect((s.output as { failed: string }).failed).toContain("transient failure 2 of r2");
    expect(types(s).filter((t) => t === "TaskScheduled")).toHaveLength(2);
  });

  it("stops retrying when retryTimeoutInMilliseconds has passed", async () => {
    const s = await waitForStatus(
      base,
      await startOrchestration(base, "RetryActivity", {
        key: "r3",
        failTimes: 99,
        attempts: 10,
        firstRetryMs: 60_000,
        backoff: 2,
        timeoutMs: 150_000,
      }),
    );
    expect((s.output as { failed: string }).failed).toMatch(/retry timeout of 150000 ms expired/);
    const attempts = (s.historyEvents ?? []).filter((e) => e.EventType === "TaskFailed").length;
    expect(attempts).toBe(10);
  });

  it("fires short and long (LongTimerTask) durable timers on the virtual clock", async () => {
    const id = await startOrchestration(base, "Timers");
    const s = await waitForStatus(base, id);
    expect((s.output as { shortMinutes: number }).shortMinutes).toBeGreaterThanOrEqual(60);
    expect((s.output as { totalDays: number }).totalDays).toBeGreaterThanOrEqual(10 + 1 / 24);
    const raw = (await h.host.store.loadHistory(id))?.events ?? [];
    const episodeStart = (i: number) => Date.parse(raw.filter((e) => e.EventType === 12)[i]?.Timestamp ?? "");
    const created = raw.filter((e) => e.EventType === 10).map((e) => Date.parse(e.FireAt ?? ""));
    const fired = raw.filter((e) => e.EventType === 11).map((e) => [e.TimerId, Date.parse(e.FireAt ?? "")]);
    // Each timer is due exactly its duration after the episode that created it, and fires once at that time.
    expect(created[0]! - episodeStart(0)).toBe(60 * 60_000);
    expect(created[1]! - episodeStart(1)).toBe(10 * 86_400_000);
    expect(fired).toEqual([
      [0, created[0]],
      [1, created[1]],
    ]);
    expect(episodeStart(1)).toBeGreaterThanOrEqual(created[0]!);
  });

  it("delivers an external event and cancels the timeout timer", async () => {
    const id = await startOrchestration(base, "Approval", { timeoutMinutes: 365 * 24 * 60 });
    await waitForStatus(base, id, ["Running"]);
    expect((await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Approve`, { by: "alice" })).status).toBe(202);
    const s = await waitForStatus(base, id);
    expect(s.output).toEqual({ approved: { by: "alice" } });
    expect(types(s)).not.toContain("TimerFired");
  });

  it("lets the timer win the race when no event arrives", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "Approval", { timeoutMinutes: 30 }));
    expect(s.output).toEqual({ approved: false, reason: "timeout" });
  });

  it("buffers an event raised before the orchestrator waits for it", async () => {
    const id = await startOrchestration(base, "TwoEvents");
    await waitForStatus(base, id, ["Running"]);
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/B`, "second");
    await new Promise((r) => setTimeout(r, 100));
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/A`, "first");
    expect((await waitForStatus(base, id)).output).toEqual(["first", "second"]);
  });

  it("runs sub-orchestrations, with retry, and reports the child's failure", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "Parent", undefined, "parent-1"));
    expect(s.output).toEqual({ child: ["Hello A", "Hello B"], retried: expect.stringContaining("child failed") });
    expect(types(s).filter((t) => t === "SubOrchestrationInstanceCreated")).toHaveLength(3);
    const child = await waitForStatus(base, "parent-1:0");
    expect(child.output).toEqual(["Hello A", "Hello B"]);
  });

  it("continues as new with a fresh history and carries an early event into the next execution", async () => {
    const id = await startOrchestration(base, "Counter", 0);
    const until = Date.now() + 5000;
    while ((await call(base, "GET", `${DT}/instances/${id}`)).json?.input !== 3 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/Final`, "extra");
    const s = await waitForStatus(base, id);
    expect(s.output).toEqual({ n: 3, extra: "extra" });
    expect(types(s)[0]).toBe("ExecutionStarted");
    expect(types(s)).not.toContain("TimerCreated");
  });

  it("fails an orchestrator that throws, with the reason in the output", async () => {
    const s = await waitForStatus(base, await startOrchestration(base, "Failing"));
    expect(s.runtimeStatus).toBe("Failed");
    expect(String(s.output)).toContain("boom in orchestrator");
    expect(types(s).at(-1)).toBe("ExecutionFailed");
  });

  it("fails an instance whose code no longer matches its history (determinism check)", async () => {
    (globalThis as { fixtureVariant?: number }).fixtureVariant = 1;
    const id = await startOrchestration(base, "Changing");
    await waitForStatus(base, id, ["Running"]);
    const until = Date.now() + 5000;
    while (!types(await waitForStatus(base, id, ["Running"])).includes("TaskCompleted") && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    (globalThis as { fixtureVariant?: number }).fixtureVariant = 2;
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/go`, 1);
    const s = await waitForStatus(base, id);
    expect(s.runtimeStatus).toBe("Failed");
    expect(String(s.output)).toMatch(
      /Non-deterministic workflow detected: action #0 was CallActivity 'Hello' .* now yields CallActivity 'Goodbye'/,
    );
  });

  it("suspends, resumes and terminates; terminated instances keep the reason", async () => {
    const id = await startOrchestration(base, "TwoEvents");
    await waitForStatus(base, id, ["Running"]);
    expect((await call(base, "POST", `${DT}/instances/${id}/suspend?reason=maint`)).status).toBe(202);
    await waitForStatus(base, id, ["Suspended"]);
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/A`, "a");
    await new Promise((r) => setTimeout(r, 300));
    expect((await waitForStatus(base, id, ["Suspended"])).runtimeStatus).toBe("Suspended");
    await call(base, "POST", `${DT}/instances/${id}/resume`);
    await call(base, "POST", `${DT}/instances/${id}/raiseEvent/B`, "b");
    expect((await waitForStatus(base, id)).output).toEqual(["a", "b"]);

    const other = await startOrchestration(base, "LongWait");
    await waitForStatus(base, other, ["Running"]);
    expect((await call(base, "POST", `${DT}/instances/${other}/terminate?reason=enough`)).status).toBe(202);
    const t = await waitForStatus(base, other);
    expect(t.runtimeStatus).toBe("Terminated");
    expect(t.output).toBe("enough");
    expect(t.customStatus).toBe("waiting");
  });

  it("restarts an instance with its input and purges history", async () => {
    const id = await startOrchestration(base, "Sequence", ["R"]);
    await waitForStatus(base, id);
    const restarted = await call(base, "POST", `${DT}/instances/${id}/restart`);
    expect(restarted.status).toBe(202);
    const newId = (restarted.json as unknown as { id: string }).id;
    expect(newId).not.toBe(id);
    expect((await waitForStatus(base, newId)).output).toEqual(["Hello R"]);
    expect((await call(base, "DELETE", `${DT}/instances/${id}`)).json).toEqual({ instancesDeleted: 1 });
    expect((await call(base, "GET", `${DT}/instances/${id}`)).status).toBe(404);
    const rows = [];
    for await (const r of h.host.store.history.listEntities({ queryOptions: { filter: `PartitionKey eq '${id}'` } })) rows.push(r);
    expect(rows).toHaveLength(0);
  });
});
