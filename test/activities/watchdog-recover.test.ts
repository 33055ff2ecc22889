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
