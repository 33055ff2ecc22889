/**
 * The triggers against what the task hub really says: a name reused after deletion never points at
 * an instance of its earlier life, a record whose instance ended behind its back is a 409 that says
 * so, and a DELETE that cannot stop the provisioning in time still starts the teardown, telling it
 * which instance to wait for.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { interconnectHandlers } from "../../src/functions/interconnects-http";
import { REQUEST_TIMING } from "../../src/requests/timing";
import { activate, exampleSpecBody, json, request, takeTurn, useHandlers } from "./support/harness";

// No grace: a record not yet started counts as stalled at once, as it would 15 s later.
const t = useHandlers((deps) => ({
  ...deps,
  requestTiming: { ...REQUEST_TIMING, stalledStartMs: 0, terminateWaitMs: 300, terminatePollMs: 20 },
}));
beforeEach(() => {
  t.durable.starts.length = 0;
  t.durable.terminations.length = 0;
  t.durable.instances.clear();
  t.durable.slowToTerminate.clear();
});

const post = () => t.h.create(request("POST", "", { body: exampleSpecBody() }), t.durable.context());
const del = () => t.h.remove(request("DELETE", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
const get = () => t.h.get(request("GET", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
const endInstance = (id: string, runtimeStatus: string) => {
  const instance = t.durable.instances.get(id);
  if (!instance) throw new Error(`no instance ${id}`);
  instance.runtimeStatus = runtimeStatus;
};

describe("a name reused after deletion", () => {
  it("starts a new attempt even when the request that re-created the record died before starting it", async () => {
    const repo = t.deps.store.interconnects;
    expect((await post()).status).toBe(202);
    endInstance("provision-erp-prod-1", "Completed");
    let rec = await activate(t.deps);
    expect((await del()).status).toBe(202);
    endInstance("teardown-erp-prod-2", "Completed");
    rec = await repo.getOrThrow("erp-prod");
    const { spec, bgpPlan } = rec;
    await repo.transitionState("erp-prod", "deleted", rec.etag);

    // A POST that wrote the new record and then crashed before claiming it and starting the orchestration.
    await repo.create({ name: "erp-prod", spec, ...(bgpPlan ? { bgpPlan } : {}) });

    const res = await post();
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "provision-erp-prod-3" });
    expect(t.durable.starts.map((s) => s.instanceId)).toEqual(["provision-erp-prod-1", "teardown-erp-prod-2", "provision-erp-prod-3"]);
    expect(await repo.getOrThrow("erp-prod")).toMatchObject({
      state: "requested",
      attempt: 3,
      currentOperation: { instanceId: "provision-erp-prod-3" },
    });
  });
});

describe("a record whose provisioning instance has ended", () => {
  for (const runtimeStatus of ["Terminated", "Failed", "Completed"]) {
    it(`restarts the provisioning (new attempt, outcome restarted) when its instance is ${runtimeStatus} while the record says provisioning`, async () => {
      expect((await post()).status).toBe(202);
      const repo = t.deps.store.interconnects;
      const rec = await repo.getOrThrow("erp-prod");
      await repo.transitionState("erp-prod", "provisioning", rec.etag);
      endInstance("provision-erp-prod-1", runtimeStatus);
      expect(json(await get())).toMatchObject({
        state: "provisioning",
        currentOperation: { instanceId: "provision-erp-prod-1", runtimeStatus, orphaned: true },
      });

      const res = await post();
      expect(res.status).toBe(202);
      expect(json(res)).toMatchObject({ id: "provision-erp-prod-2", outcome: "restarted" });
      expect(t.durable.starts.map((s) => s.instanceId)).toEqual(["provision-erp-prod-1", "provision-erp-prod-2"]);
      expect(await repo.getOrThrow("erp-prod")).toMatchObject({
        state: "provisioning",
        attempt: 2,
        currentOperation: { instanceId: "provision-erp-prod-2" },
      });
      const row = (await t.deps.store.audit.list("erp-prod")).items.at(-1);
      expect(row?.details).toMatchObject({ restartedOver: "provision-erp-prod-1", earlierRuntimeStatus: runtimeStatus });
      // Running again: a third POST returns it.
      expect(json(await post())).toMatchObject({ id: "provision-erp-prod-2", outcome: "existing" });
    });
  }

  it("restarts a requested record whose instance failed, instead of reporting it as running", async () => {
    expect((await post()).status).toBe(202);
    endInstance("provision-erp-prod-1", "Failed");
    const res = await post();
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "provision-erp-prod-2", outcome: "restarted" });
    expect(t.durable.starts).toHaveLength(2);
  });

  it("still reports a running provisioning as existing", async () => {
    expect((await post()).status).toBe(202);
    const repo = t.deps.store.interconnects;
    await repo.transitionState("erp-prod", "provisioning", (await repo.getOrThrow("erp-prod")).etag);
    const res = await post();
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "provision-erp-prod-1", outcome: "existing" });
    const view = json(await get()).currentOperation as Record<string, unknown>;
    expect(view).toMatchObject({ runtimeStatus: "Running" });
    expect(view).not.toHaveProperty("orphaned");
  });
});

describe("the record view of an operation nothing runs", () => {
  it("says Absent and orphaned for a provisioning whose instance was purged, and a POST restarts it", async () => {
    expect((await post()).status).toBe(202);
    const repo = t.deps.store.interconnects;
    await repo.transitionState("erp-prod", "provisioning", (await repo.getOrThrow("erp-prod")).etag);
    t.durable.instances.delete("provision-erp-prod-1");
    expect(json(await get())).toMatchObject({
      state: "provisioning",
      currentOperation: { runtimeStatus: "Absent", orphaned: true, customStatus: null, lastUpdatedTime: null },
    });
    expect(json(await post())).toMatchObject({ id: "provision-erp-prod-2", outcome: "restarted" });
  });

  it("is not orphaned while a just-written record waits for its start, nor once it is active", async () => {
    t.deps = { ...t.deps, requestTiming: { ...REQUEST_TIMING, stalledStartMs: 60_000 } };
    t.h = interconnectHandlers(() => t.deps);
    expect((await post()).status).toBe(202);
    t.durable.instances.delete("provision-erp-prod-1");
    const waiting = json(await get()).currentOperation as Record<string, unknown>;
    expect(waiting).toMatchObject({ runtimeStatus: "Absent" });
    expect(waiting).not.toHaveProperty("orphaned");

    await activate(t.deps);
    expect(json(await get()).currentOperation).not.toHaveProperty("orphaned");
  });

  it("flags a teardown whose instance was terminated while the record says tearing-down", async () => {
    expect((await post()).status).toBe(202);
    await activate(t.deps);
    expect((await del()).status).toBe(202);
    endInstance("teardown-erp-prod-2", "Terminated");
    expect(json(await get())).toMatchObject({
      state: "tearing-down",
      currentOperation: { kind: "teardown", runtimeStatus: "Terminated", orphaned: true },
    });
  });
});

describe("DELETE over a teardown that stopped", () => {
  const activeThenDelete = async () => {
    expect((await post()).status).toBe(202);
    await activate(t.deps);
    expect(json(await del())).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started" });
  };

  for (const [how, stop] of [
    ["terminated", () => endInstance("teardown-erp-prod-2", "Terminated")],
    ["failed", () => endInstance("teardown-erp-prod-2", "Failed")],
    ["completed without reaching deleted", () => endInstance("teardown-erp-prod-2", "Completed")],
    ["purged", () => t.durable.instances.delete("teardown-erp-prod-2")],
  ] as const) {
    it(`starts a new teardown when the current one was ${how}, and says restarted`, async () => {
      await activeThenDelete();
      stop();
      const res = await del();
      expect(res.status).toBe(202);
      expect(json(res)).toMatchObject({ id: "teardown-erp-prod-3", outcome: "restarted" });
      expect(t.durable.starts.map((s) => s.instanceId)).toEqual(["provision-erp-prod-1", "teardown-erp-prod-2", "teardown-erp-prod-3"]);
      expect(await t.deps.store.interconnects.getOrThrow("erp-prod")).toMatchObject({
        state: "tearing-down",
        attempt: 3,
        currentOperation: { kind: "teardown", instanceId: "teardown-erp-prod-3" },
      });
      const view = json(await get()).currentOperation as Record<string, unknown>;
      expect(view).toMatchObject({ instanceId: "teardown-erp-prod-3", runtimeStatus: "Running" });
      expect(view).not.toHaveProperty("orphaned");
      expect((await t.deps.store.audit.list("erp-prod")).items.at(-1)?.details).toMatchObject({ restartedOver: "teardown-erp-prod-2" });
    });
  }

  it("replaces a teardown instance of the same id that ended without ever owning the record (its claim lost with Azurite's unsaved writes)", async () => {
    expect((await post()).status).toBe(202);
    await activate(t.deps);
    // A DELETE was answered, then storage lost the record's claim but kept the instance, which failed on the record it did not own.
    const now = new Date().toISOString();
    t.durable.instances.set("teardown-erp-prod-2", {
      name: "teardownInterconnect",
      instanceId: "teardown-erp-prod-2",
      input: null,
      runtimeStatus: "Failed",
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
    });
    const res = await del();
    expect(json(res)).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started" });
    expect(t.durable.starts.map((s) => s.instanceId)).toEqual(["provision-erp-prod-1", "teardown-erp-prod-2"]);
    expect(t.durable.instances.get("teardown-erp-prod-2")?.runtimeStatus).toBe("Running");
  });

  it("returns the running teardown as existing and starts nothing", async () => {
    await activeThenDelete();
    expect(json(await del())).toMatchObject({ id: "teardown-erp-prod-2", outcome: "existing" });
    expect(t.durable.starts).toHaveLength(2);
  });
});

describe("DELETE during provisioning", () => {
  it("tells the teardown which provisioning it stopped", async () => {
    expect((await post()).status).toBe(202);
    await takeTurn(t.deps, "erp-prod");
    const res = await del();
    expect(res.status).toBe(202);
    expect(t.durable.starts.at(-1)).toMatchObject({ name: "teardownInterconnect", input: { stoppedProvisioning: "provision-erp-prod-1" } });
  });

  it("starts the teardown when the provisioning has not stopped within the wait, and says so in the audit", async () => {
    expect((await post()).status).toBe(202);
    const repo = t.deps.store.interconnects;
    await repo.transitionState("erp-prod", "provisioning", (await repo.getOrThrow("erp-prod")).etag);
    t.durable.slowToTerminate.add("provision-erp-prod-1");

    const res = await del();
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started", stoppedProvisioning: "provision-erp-prod-1" });
    expect(t.durable.terminations.map((t) => t.instanceId)).toEqual(["provision-erp-prod-1"]);
    expect(t.durable.instances.get("provision-erp-prod-1")?.runtimeStatus).toBe("Running");
    expect(t.durable.starts.at(-1)).toMatchObject({
      name: "teardownInterconnect",
      instanceId: "teardown-erp-prod-2",
      input: { stoppedProvisioning: "provision-erp-prod-1" },
    });
    const row = (await t.deps.store.audit.list("erp-prod")).items.at(-1);
    expect(row?.message).toMatch(/has not stopped yet; the teardown waits until it has/);
    expect(row?.details).toMatchObject({ stoppedProvisioning: "provision-erp-prod-1", provisioningStopped: false });
  });
});
