import { describe, expect, it } from "vitest";
import { adoptionStatusRoute } from "../../src/functions/adopt-http";
import { activate, exampleSpecBody, json, request, useHandlers } from "./support/harness";
import { fakeInstance } from "./support/fake-durable-api";

const t = useHandlers();

const get = (name: string) =>
  adoptionStatusRoute(() => t.deps).handler(request("GET", `/${name}/adoption`, { params: { name } }), t.durable.context());

const adoption = (instanceId: string, runtimeStatus: string, customStatus: unknown = null) => {
  t.durable.instances.set(instanceId, { ...fakeInstance("adoptInterconnect", instanceId, runtimeStatus), customStatus });
};

describe("GET /api/interconnects/{name}/adoption", () => {
  it("finds the adoption of a name that has no record yet: the last adopt-<name>-<n> the task hub has", async () => {
    t.durable.instances.clear();
    adoption("adopt-legacy-1", "Failed");
    adoption("adopt-legacy-2", "Running", { step: "verification", stepNumber: 4, totalSteps: 7 });
    const res = await get("legacy");
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({
      name: "legacy",
      instanceId: "adopt-legacy-2",
      runtimeStatus: "Running",
      customStatus: { step: "verification", stepNumber: 4, totalSteps: 7 },
      output: null,
      links: { self: "http://127.0.0.1:7071/api/interconnects/legacy" },
    });
    expect(Date.parse(String(json(res).createdTime))).not.toBeNaN();
  });

  it("answers 404 for a name no adoption was started under", async () => {
    t.durable.instances.clear();
    const res = await get("never-adopted");
    expect(res.status).toBe(404);
    expect(json(res)).toMatchObject({ code: "NOT_FOUND", detail: expect.stringMatching(/^No adoption of "never-adopted"/) });
  });

  it("of a live interconnect, the adoption its record names (the watchdog's restart), and none once another operation owns it", async () => {
    t.durable.instances.clear();
    await t.h.create(request("POST", "", { body: exampleSpecBody() }), t.durable.context());
    const repo = t.deps.store.interconnects;
    const active = await activate(t.deps);
    const adopted = await repo.update("erp-prod", active.etag, () => ({
      currentOperation: { kind: "adopt", instanceId: "adopt-erp-prod-3", startedAt: new Date().toISOString() },
    }));
    // Counting from 1 would find adopt-erp-prod-1 and stop at the missing 2: the record knows better.
    adoption("adopt-erp-prod-1", "Terminated");
    adoption("adopt-erp-prod-3", "Running");
    expect(json(await get("erp-prod"))).toMatchObject({ instanceId: "adopt-erp-prod-3", runtimeStatus: "Running" });

    await repo.update("erp-prod", adopted.etag, () => ({
      currentOperation: { kind: "change", instanceId: "change-erp-prod-4", startedAt: new Date().toISOString() },
    }));
    expect((await get("erp-prod")).status).toBe(404);
  });
});
