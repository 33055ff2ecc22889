/**
 * watchdogRecover against the real store (Azurite) and the Durable HTTP API stand-in: the restart it
 * starts replaces an instance of the same id that ended without ever owning the record, which is what
 * Azurite leaves behind when a kill -9 loses the record's claim but keeps the instance.
 */
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { activityDeps } from "../../src/activities/deps";
import { CIRCUIT_AT_2_GBPS, VIRTUAL_CIRCUIT_AT_1_GBPS } from "../support/change-fixtures";
import { exampleSpec } from "../support/example-spec";
import { useDurableActivityEnv } from "./env";

const taskHub = useDurableActivityEnv({ interconnects: "wdinterconnects", audit: "wdaudit" });

const instance = (instanceId: string, runtimeStatus: string, input: unknown = null, name = "teardownInterconnect") => ({
  name,
  instanceId,
  input,
  runtimeStatus,
  customStatus: null,
  createdTime: new Date().toISOString(),
  lastUpdatedTime: new Date().toISOString(),
});

describe("watchdogRecover", () => {
  it("starts the fresh teardown over a leftover instance of its id that has ended", async () => {
    const repo = activityDeps().store.interconnects;
    let rec = await repo.create({ name: "erp-prod", spec: exampleSpec() as never });
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    rec = await repo.transitionState("erp-prod", "active", rec.etag);
    await repo.transitionState("erp-prod", "tearing-down", rec.etag, {
      attempt: 2,
      currentOperation: { kind: "teardown", instanceId: "teardown-erp-prod-2", startedAt: new Date().toISOString() },
    });
    taskHub().instances.set("teardown-erp-prod-2", instance("teardown-erp-prod-2", "Running"));
    // Started once before, its claim on the record lost: it failed on a record it did not own.
    taskHub().instances.set("teardown-erp-prod-3", instance("teardown-erp-prod-3", "Failed"));

    const out = await activityHandlers.watchdogRecover(
      {
        opContext: { interconnect: "erp-prod", instanceId: "watchdog-1", operation: "teardown", actor: "watchdog" },
        stalledInstanceId: "teardown-erp-prod-2",
        stall: { reason: "no progress", since: "2026-12-01T00:00:00Z", detectedAt: "2026-12-01T01:00:00Z" },
        restart: {
          kind: "teardown",
          instanceId: "teardown-erp-prod-3",
          attempt: 3,
          orchestrator: "teardownInterconnect",
          input: { name: "erp-prod", reason: "restarted by the watchdog", actor: "watchdog" },
        },
      },
      taskHub().context({ functionName: "watchdogRecover", trigger: { type: "activityTrigger", name: "input" } }),
    );
    expect(out).toEqual({ outcome: "restarted" });
    expect(taskHub().starts.map((s) => s.instanceId)).toEqual(["teardown-erp-prod-3"]);
    expect(taskHub().instances.get("teardown-erp-prod-3")?.runtimeStatus).toBe("Running");
    expect(taskHub().instances.get("teardown-erp-prod-2")?.runtimeStatus).toBe("Terminated");
    expect(await repo.getOrThrow("erp-prod")).toMatchObject({ attempt: 3, currentOperation: { instanceId: "teardown-erp-prod-3" } });
  });
});

const activity = (functionName: string) => taskHub().context({ functionName, trigger: { type: "activityTrigger", name: "input" } });
const watchdogOp = (interconnect: string, operation: "change" | "adopt") => ({
  interconnect,
  instanceId: "watchdog-2",
  operation,
  actor: "watchdog",
});

/** An active record whose last operation is the given change or adoption. */
async function activeWith(
  name: string,
  kind: "change" | "adopt",
  instanceId: string,
  failure?: { step: string; code: string; message: string },
) {
  const repo = activityDeps().store.interconnects;
  let rec = await repo.create({ name, spec: { ...exampleSpec(), name } as never });
  rec = await repo.transitionState(name, "provisioning", rec.etag);
  rec = await repo.transitionState(name, "active", rec.etag);
  return repo.update(name, rec.etag, () => ({
    attempt: 3,
    currentOperation: { kind, instanceId, startedAt: new Date(Date.now() - 3_600_000).toISOString() },
    ...(failure ? { failure } : {}),
  }));
}

const CHANGE_INPUT = {
  name: "x",
  actor: "ana@contoso.com",
  from: exampleSpec(),
  to: { ...exampleSpec(), bandwidthGbps: 2 },
  kinds: ["bandwidth"],
};

describe("the watchdog and changes in place", () => {
  it("scans in the changes and adoptions that ended without finishing, with their input, and only those", async () => {
    await activeWith("chg-terminated", "change", "change-chg-terminated-3");
    taskHub().instances.set(
      "change-chg-terminated-3",
      instance("change-chg-terminated-3", "Terminated", CHANGE_INPUT, "changeInterconnect"),
    );
    // It failed and said so on the record: finished, the record tells.
    await activeWith("chg-said-so", "change", "change-chg-said-so-3", {
      step: "circuit",
      code: "NEEDS_NEW_INTERCONNECT",
      message: "no capacity",
    });
    taskHub().instances.set("change-chg-said-so-3", instance("change-chg-said-so-3", "Failed", CHANGE_INPUT, "changeInterconnect"));
    await activeWith("chg-lost", "change", "change-chg-lost-3");
    await activeWith("adopt-done", "adopt", "adopt-adopt-done-1");
    taskHub().instances.set("adopt-adopt-done-1", instance("adopt-adopt-done-1", "Completed", {}, "adoptInterconnect"));
    await activeWith("chg-running", "change", "change-chg-running-3");
    taskHub().instances.set("change-chg-running-3", instance("change-chg-running-3", "Running", CHANGE_INPUT, "changeInterconnect"));

    const { operations } = await activityHandlers.watchdogScan({ opContext: watchdogOp("watchdog", "change") }, activity("watchdogScan"));
    const byName = new Map(operations.map((o) => [o.name, o]));
    expect(byName.get("chg-terminated")).toMatchObject({
      kind: "change",
      runtimeStatus: "Terminated",
      input: { to: { bandwidthGbps: 2 } },
    });
    expect(byName.get("chg-lost")).toMatchObject({ kind: "change", runtimeStatus: "Absent", input: null });
    expect(byName.get("chg-running")).toMatchObject({ kind: "change", runtimeStatus: "Running" });
    expect(byName.has("chg-said-so")).toBe(false);
    expect(byName.has("adopt-done")).toBe(false);
  });

  it("ends an interrupted change on the record once: spec kept, its failure and one audit row saying what each side was left in", async () => {
    const repo = activityDeps().store.interconnects;
    await activeWith("chg-ended", "change", "change-chg-ended-3");
    taskHub().instances.set("change-chg-ended-3", instance("change-chg-ended-3", "Terminated", CHANGE_INPUT, "changeInterconnect"));
    const end = () =>
      activityHandlers.watchdogEnd(
        {
          opContext: watchdogOp("chg-ended", "change"),
          endedInstanceId: "change-chg-ended-3",
          kind: "change",
          stall: {
            reason: "its instance ended Terminated before it finished",
            since: "2026-12-01T00:00:00Z",
            detectedAt: "2026-12-01T01:00:00Z",
          },
          change: { from: CHANGE_INPUT.from as never, to: CHANGE_INPUT.to as never },
          left: { circuit: CIRCUIT_AT_2_GBPS, virtualCircuit: VIRTUAL_CIRCUIT_AT_1_GBPS },
        },
        activity("watchdogEnd"),
      );
    expect(await end()).toEqual({ outcome: "ended" });
    expect(await end()).toEqual({ outcome: "ended" });
    const record = await repo.getOrThrow("chg-ended");
    expect(record.spec.bandwidthGbps).toBe(1);
    expect(record.failure).toMatchObject({ step: "watchdog", code: "CHANGE_INTERRUPTED" });
    expect(record.failure?.message).toMatch(
      /circuit Succeeded, 2000 Mbps.*virtual circuit PROVISIONED, 1 Gbps.*the circuit has it, the virtual circuit does not have it/,
    );
    expect(record.failure?.message).toMatch(/Send the same PATCH again/);
    expect(record.currentOperation?.stalled?.recovery).toMatch(/ended by the watchdog/);
    const rows = (await activityDeps().store.audit.list("chg-ended", { top: 100 })).items.filter((r) => r.step === "watchdog");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      phase: "failed",
      actor: "watchdog",
      details: { ended: true, circuitHasTarget: true, virtualCircuitHasTarget: false },
    });
    // Ended once: later rounds leave it to the requests it no longer blocks.
    const { operations } = await activityHandlers.watchdogScan({ opContext: watchdogOp("watchdog", "change") }, activity("watchdogScan"));
    expect(operations.map((o) => o.name)).not.toContain("chg-ended");
  });

  it("ends an adoption that cannot run again by starting the health watch it did not get to", async () => {
    await activeWith("adopt-ended", "adopt", "adopt-adopt-ended-2");
    const out = await activityHandlers.watchdogEnd(
      {
        opContext: watchdogOp("adopt-ended", "adopt"),
        endedInstanceId: "adopt-adopt-ended-2",
        kind: "adopt",
        stall: {
          reason: "its instance ended Failed before it finished",
          since: "2026-12-01T00:00:00Z",
          detectedAt: "2026-12-01T01:00:00Z",
        },
        change: null,
        left: null,
      },
      activity("watchdogEnd"),
    );
    expect(out).toEqual({ outcome: "ended" });
    expect(taskHub().instances.get("health-adopt-ended")).toMatchObject({ name: "healthWatch", runtimeStatus: "Running" });
    expect((await activityDeps().store.interconnects.getOrThrow("adopt-ended")).failure).toBeUndefined();
  });

  it("restarts a stalled change as the next attempt: the record claimed for it, the stalled one stopped", async () => {
    await activeWith("chg-stalled", "change", "change-chg-stalled-3");
    taskHub().instances.set("change-chg-stalled-3", instance("change-chg-stalled-3", "Running", CHANGE_INPUT, "changeInterconnect"));
    const out = await activityHandlers.watchdogRecover(
      {
        opContext: watchdogOp("chg-stalled", "change"),
        stalledInstanceId: "change-chg-stalled-3",
        stall: { reason: "no progress", since: "2026-12-01T00:00:00Z", detectedAt: "2026-12-01T01:00:00Z" },
        restart: {
          kind: "change",
          instanceId: "change-chg-stalled-4",
          attempt: 4,
          orchestrator: "changeInterconnect",
          input: CHANGE_INPUT,
        },
      },
      activity("watchdogRecover"),
    );
    expect(out).toEqual({ outcome: "restarted" });
    expect(taskHub().instances.get("change-chg-stalled-3")?.runtimeStatus).toBe("Terminated");
    expect(taskHub().instances.get("change-chg-stalled-4")).toMatchObject({ name: "changeInterconnect", runtimeStatus: "Running" });
    expect(await activityDeps().store.interconnects.getOrThrow("chg-stalled")).toMatchObject({
      state: "active",
      attempt: 4,
      currentOperation: { kind: "change", instanceId: "change-chg-stalled-4" },
    });
  });
});

const stalledFor = { reason: "no progress for 45 min", since: "2026-12-01T00:00:00Z", detectedAt: "2026-12-01T01:00:00Z" };
const ADOPTION = (name: string, actor = "ana@contoso.com") => ({ request: { name }, actor, catalog: {} });
const adoptInstance = (instanceId: string, runtimeStatus: string, input: unknown = ADOPTION("x")) =>
  instance(instanceId, runtimeStatus, input, "adoptInterconnect");
const watchdogRows = async (name: string) =>
  (await activityDeps().store.audit.list(name, { top: 100 })).items.filter((r) => r.step === "watchdog");

function recoverAdoption(name: string, stalledInstanceId: string, restartId: string) {
  return activityHandlers.watchdogRecover(
    {
      opContext: watchdogOp(name, "adopt"),
      stalledInstanceId,
      stall: stalledFor,
      withoutRecord: true,
      restart: {
        kind: "adopt",
        instanceId: restartId,
        attempt: Number(restartId.split("-").at(-1)),
        orchestrator: "adoptInterconnect",
        input: { ...ADOPTION(name), actor: "watchdog" },
      },
    },
    activity("watchdogRecover"),
  );
}

describe("the watchdog and adoptions that have no record yet", () => {
  it("scans in the running adoptions whose name has no record or a deleted one, through one paged prefix query", async () => {
    const repo = activityDeps().store.interconnects;
    taskHub().instances.set("adopt-fresh-one-1", adoptInstance("adopt-fresh-one-1", "Running", ADOPTION("fresh-one")));
    // Adopted again under the name of one that was torn down: its deleted record does not count.
    let gone = await repo.create({ name: "re-adopted", spec: { ...exampleSpec(), name: "re-adopted" } as never });
    gone = await repo.transitionState("re-adopted", "provisioning", gone.etag);
    gone = await repo.transitionState("re-adopted", "active", gone.etag);
    gone = await repo.transitionState("re-adopted", "tearing-down", gone.etag);
    await repo.transitionState("re-adopted", "deleted", gone.etag, { attempt: 3 });
    taskHub().instances.set("adopt-re-adopted-4", adoptInstance("adopt-re-adopted-4", "Pending", ADOPTION("re-adopted")));
    // A name a record holds (a change of its own finished) is the records' to judge, not a record-less adoption.
    await activeWith("held-name", "change", "change-held-name-3");
    taskHub().instances.set("change-held-name-3", instance("change-held-name-3", "Completed", CHANGE_INPUT, "changeInterconnect"));
    taskHub().instances.set("adopt-held-name-1", adoptInstance("adopt-held-name-1", "Running"));
    // Ended ones hold nothing: a repeated POST starts a fresh one over them.
    taskHub().instances.set("adopt-refused-1", adoptInstance("adopt-refused-1", "Failed"));
    taskHub().instances.set("adopt-stopped-1", adoptInstance("adopt-stopped-1", "Terminated"));
    // More than a page of them: the query pages on.
    const bulk = Array.from({ length: 101 }, (_, i) => `adopt-bulk-${String(i).padStart(3, "0")}-1`);
    for (const id of bulk) taskHub().instances.set(id, adoptInstance(id, "Running"));
    const listsBefore = taskHub().lists.length;
    try {
      const { operations } = await activityHandlers.watchdogScan({ opContext: watchdogOp("watchdog", "adopt") }, activity("watchdogScan"));
      const byId = new Map(operations.map((o) => [o.instanceId, o]));
      expect(byId.get("adopt-fresh-one-1")).toEqual({
        name: "fresh-one",
        state: null,
        kind: "adopt",
        instanceId: "adopt-fresh-one-1",
        attempt: 1,
        runtimeStatus: "Running",
        startedAt: expect.any(String),
        customStatus: null,
        lastUpdatedTime: expect.any(String),
        spec: null,
        bgpPlan: null,
        input: ADOPTION("fresh-one"),
      });
      expect(byId.get("adopt-re-adopted-4")).toMatchObject({ name: "re-adopted", state: "deleted", attempt: 4, runtimeStatus: "Pending" });
      for (const id of ["adopt-held-name-1", "adopt-refused-1", "adopt-stopped-1"]) expect(byId.has(id)).toBe(false);
      expect(bulk.filter((id) => byId.get(id)?.state === null)).toHaveLength(101);
      const lists = taskHub().lists.slice(listsBefore);
      expect(lists).toHaveLength(2);
      const query = new URLSearchParams(lists[0]);
      expect(Object.fromEntries(query)).toMatchObject({
        instanceIdPrefix: "adopt-",
        runtimeStatus: "Running,Pending",
        top: "100",
        showInput: "true",
      });
    } finally {
      for (const id of bulk) taskHub().instances.delete(id);
    }
  });

  it("restarts one once: the stalled instance terminated first, the next id started from its input, one audit row under its name", async () => {
    taskHub().instances.set("adopt-stuck-1", adoptInstance("adopt-stuck-1", "Running", ADOPTION("stuck")));
    expect(await recoverAdoption("stuck", "adopt-stuck-1", "adopt-stuck-2")).toEqual({ outcome: "restarted" });
    expect(taskHub().instances.get("adopt-stuck-1")).toMatchObject({
      runtimeStatus: "Terminated",
      terminateReason: expect.stringContaining("restarted as adopt-stuck-2 by the watchdog"),
    });
    expect(taskHub().instances.get("adopt-stuck-2")).toMatchObject({
      name: "adoptInterconnect",
      runtimeStatus: "Running",
      input: { request: { name: "stuck" }, actor: "watchdog" },
    });
    // A second round that read the same scan (or this activity run again) restarts nothing more.
    expect(await recoverAdoption("stuck", "adopt-stuck-1", "adopt-stuck-2")).toEqual({ outcome: "restarted" });
    expect(taskHub().starts.filter((s) => s.instanceId === "adopt-stuck-2")).toHaveLength(1);
    const rows = await watchdogRows("stuck");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      phase: "retrying",
      actor: "watchdog",
      operation: "adopt",
      instanceId: "adopt-stuck-1",
      details: { stalled: true, withoutRecord: true, restartedAs: "adopt-stuck-2" },
    });
    expect(await activityDeps().store.interconnects.get("stuck")).toBeUndefined();
  });

  it("finishes a restart whose run stopped the stalled instance and died before the start; leaves one that ended otherwise", async () => {
    // Its termination reason says this restart stopped it: the start is what is left to do.
    taskHub().instances.set("adopt-half-1", {
      ...adoptInstance("adopt-half-1", "Terminated", ADOPTION("half")),
      terminateReason: "stalled (no progress); restarted as adopt-half-2 by the watchdog",
    });
    expect(await recoverAdoption("half", "adopt-half-1", "adopt-half-2")).toEqual({ outcome: "restarted" });
    expect(taskHub().instances.get("adopt-half-2")).toMatchObject({ runtimeStatus: "Running" });
    // Stopped by a person since the scan: not the watchdog's to start again.
    taskHub().instances.set("adopt-by-hand-1", {
      ...adoptInstance("adopt-by-hand-1", "Terminated", ADOPTION("by-hand")),
      terminateReason: "wrong circuit",
    });
    expect(await recoverAdoption("by-hand", "adopt-by-hand-1", "adopt-by-hand-2")).toEqual({ outcome: "superseded" });
    expect(taskHub().instances.has("adopt-by-hand-2")).toBe(false);
  });

  it("starts the restart even when the stalled one is slow to stop: once terminated it is listed no more, a later round could not", async () => {
    taskHub().instances.set("adopt-slow-1", adoptInstance("adopt-slow-1", "Running", ADOPTION("slow")));
    taskHub().slowToTerminate.add("adopt-slow-1");
    try {
      expect(await recoverAdoption("slow", "adopt-slow-1", "adopt-slow-2")).toEqual({ outcome: "restarted" });
    } finally {
      taskHub().slowToTerminate.delete("adopt-slow-1");
    }
    expect(taskHub().terminations.filter((t) => t.instanceId === "adopt-slow-1")).toHaveLength(1);
    expect(taskHub().instances.get("adopt-slow-2")).toMatchObject({ runtimeStatus: "Running" });
    expect(await watchdogRows("slow")).toMatchObject([{ details: { restartedAs: "adopt-slow-2" } }]);
  }, 30_000);

  it("restarts nothing when the adoption's record appeared between the scan and the decision", async () => {
    await activeWith("late", "adopt", "adopt-late-1");
    taskHub().instances.set("adopt-late-1", adoptInstance("adopt-late-1", "Running", ADOPTION("late")));
    expect(await recoverAdoption("late", "adopt-late-1", "adopt-late-2")).toEqual({ outcome: "superseded" });
    expect(taskHub().instances.get("adopt-late-1")?.runtimeStatus).toBe("Running");
    expect(taskHub().instances.has("adopt-late-2")).toBe(false);
    expect(taskHub().terminations.filter((t) => t.instanceId === "adopt-late-1")).toEqual([]);
    const end = await activityHandlers.watchdogEnd(
      {
        opContext: watchdogOp("late", "adopt"),
        endedInstanceId: "adopt-late-1",
        kind: "adopt",
        stall: stalledFor,
        withoutRecord: true,
        change: null,
        left: null,
      },
      activity("watchdogEnd"),
    );
    expect(end).toEqual({ outcome: "superseded" });
    expect(taskHub().instances.get("adopt-late-1")?.runtimeStatus).toBe("Running");
  });

  it("ends the watchdog's own restart that stalled again: terminated, and one failed audit row under its name saying what to do", async () => {
    taskHub().instances.set("adopt-twice-2", {
      ...adoptInstance("adopt-twice-2", "Running", ADOPTION("twice", "watchdog")),
      customStatus: { operation: "adopt", step: "locate", stepNumber: 1, totalSteps: 7 },
    });
    const end = () =>
      activityHandlers.watchdogEnd(
        {
          opContext: watchdogOp("twice", "adopt"),
          endedInstanceId: "adopt-twice-2",
          kind: "adopt",
          stall: stalledFor,
          withoutRecord: true,
          change: null,
          left: null,
        },
        activity("watchdogEnd"),
      );
    expect(await end()).toEqual({ outcome: "ended" });
    expect(taskHub().instances.get("adopt-twice-2")).toMatchObject({
      runtimeStatus: "Terminated",
      terminateReason: expect.stringContaining("ended by the watchdog, not restarted"),
    });
    // A second round, or a second run after a crash: still one row.
    expect(await end()).toEqual({ outcome: "ended" });
    const rows = await watchdogRows("twice");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      phase: "failed",
      instanceId: "adopt-twice-2",
      operation: "adopt",
      details: { ended: true, withoutRecord: true, atStep: "locate" },
    });
    expect(rows[0]?.message).toMatch(/stalled before it wrote its record \(at step locate\): no progress for 45 min/);
    expect(rows[0]?.message).toMatch(
      /not started a third time.*Nothing was changed on either cloud.*send the same POST \/api\/interconnects\/adoptions again/,
    );
    expect(taskHub().starts.filter((s) => s.instanceId.startsWith("adopt-twice-"))).toEqual([]);
    expect(await activityDeps().store.interconnects.get("twice")).toBeUndefined();
  });
});
