/**
 * The triggers against what the task hub really says: a name reused after deletion never points at
 * an instance of its earlier life, a record whose instance ended behind its back is a 409 that says
 * so, and a DELETE that cannot stop the provisioning in time still starts the teardown, telling it
 * which instance to wait for.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { interconnectHandlers } from "../../src/functions/interconnects-http";
import { REQUEST_TIMING } from "../../src/requests/timing";
import { exampleSpecBody, json, request, useHandlers } from "./support/harness";

// No grace: a record not yet started counts as stalled at once, as it would 15 s later.
const t = useHandlers((deps) => ({ ...deps, requestTiming: { ...REQUEST_TIMING, stalledStartMs: 0, terminateWaitMs: 300, terminatePollMs: 20 } }));
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
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    rec = await repo.transitionState("erp-prod", "active", rec.etag);
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
    expect(await repo.getOrThrow("erp-prod")).toMatchObject({ state: "requested", attempt: 3, currentOperation: { instanceId: "provision-erp-prod-3" } });
  });
});

describe("a record whose provisioning instance has ended", () => {
  for (const runtimeStatus of ["Terminated", "Failed"]) {
    it(`answers 409 naming the instance and runtimeStatus ${runtimeStatus} while the record says provisioning, and shows it on the record`, async () => {
      expect((await post()).status).toBe(202);
      const repo = t.deps.store.interconnects;
      const rec = await repo.getOrThrow("erp-prod");
      await repo.transitionState("erp-prod", "provisioning", rec.etag);
      endInstance("provision-erp-prod-1", runtimeStatus);

      const res = await post();
      expect(res.status).toBe(409);
      expect(json(res)).toMatchObject({ code: "CONFLICT" });
      expect(String(json(res).detail)).toMatch(new RegExp(`provision-erp-prod-1 ended \\(runtimeStatus ${runtimeStatus}\\).*DELETE`));
      expect(t.durable.starts).toHaveLength(1);
      expect(json(await get())).toMatchObject({ state: "provisioning", currentOperation: { instanceId: "provision-erp-prod-1", runtimeStatus, orphaned: true } });
    });
  }

  it("answers 409 for a requested record whose instance failed, instead of reporting it as running", async () => {
    expect((await post()).status).toBe(202);
    endInstance("provision-erp-prod-1", "Failed");
    const res = await post();
    expect(res.status).toBe(409);
    expect(String(json(res).detail)).toMatch(/runtimeStatus Failed/);
    expect(t.durable.starts).toHaveLength(1);
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
  it("says Absent (as POST's 409 does) and orphaned for a provisioning whose instance was purged", async () => {
    expect((await post()).status).toBe(202);
    const repo = t.deps.store.interconnects;
    await repo.transitionState("erp-prod", "provisioning", (await repo.getOrThrow("erp-prod")).etag);
    t.durable.instances.delete("provision-erp-prod-1");
    expect(json(await get())).toMatchObject({ state: "provisioning", currentOperation: { runtimeStatus: "Absent", orphaned: true, customStatus: null, lastUpdatedTime: null } });
    const conflict = json(await post());
    expect(conflict).toMatchObject({ code: "CONFLICT" });
    expect(String(conflict.detail)).toMatch(/not in the task hub/);
  });

  it("is not orphaned while a just-written record waits for its start, nor once it is active", async () => {
    t.deps = { ...t.deps, requestTiming: { ...REQUEST_TIMING, stalledStartMs: 60_000 } };
    t.h = interconnectHandlers(() => t.deps);
    expect((await post()).status).toBe(202);
    t.durable.instances.delete("provision-erp-prod-1");
    const waiting = json(await get()).currentOperation as Record<string, unknown>;
    expect(waiting).toMatchObject({ runtimeStatus: "Absent" });
    expect(waiting).not.toHaveProperty("orphaned");

    const repo = t.deps.store.interconnects;
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    await repo.transitionState("erp-prod", "active", rec.etag);
    expect(json(await get()).currentOperation).not.toHaveProperty("orphaned");
  });

  it("flags a teardown whose instance was terminated while the record says tearing-down", async () => {
    expect((await post()).status).toBe(202);
    const repo = t.deps.store.interconnects;
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    await repo.transitionState("erp-prod", "active", rec.etag);
    expect((await del()).status).toBe(202);
    endInstance("teardown-erp-prod-2", "Terminated");
    expect(json(await get())).toMatchObject({ state: "tearing-down", currentOperation: { kind: "teardown", runtimeStatus: "Terminated", orphaned: true } });
  });
});

describe("DELETE during provisioning", () => {
  it("tells the teardown which provisioning it stopped", async () => {
    expect((await post()).status).toBe(202);
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
    expect(t.durable.starts.at(-1)).toMatchObject({ name: "teardownInterconnect", instanceId: "teardown-erp-prod-2", input: { stoppedProvisioning: "provision-erp-prod-1" } });
    const row = (await t.deps.store.audit.list("erp-prod")).items.at(-1);
    expect(row?.message).toMatch(/has not stopped yet; the teardown waits until it has/);
    expect(row?.details).toMatchObject({ stoppedProvisioning: "provision-erp-prod-1", provisioningStopped: false });
  });
});
