import { beforeEach, describe, expect, it } from "vitest";
import { healthWatchKeeper } from "../../src/functions/health-watch-keeper";
import { nextHealth } from "../../src/domain/health";
import { exampleSpec } from "../support/example-spec";
import { json, request, useHandlers } from "./support/harness";

const t = useHandlers();
beforeEach(() => {
  t.durable.starts.length = 0;
  t.durable.instances.clear();
});

const AT = "2026-12-01T10:00:00.000Z";
const health = nextHealth(
  undefined,
  [
    {
      code: "path-down",
      subject: "secondary",
      tier: "routes",
      signal: "AzurePrivatePeering secondary",
      expected: "an On-Prem ARP entry and a numeric statePfxRcd",
      observed: "ARP peer missing, statePfxRcd Idle",
      severity: "warning",
      remedy: "alert-only",
      action: "Traffic continues on the other path.",
    },
  ],
  { at: AT, tiers: ["control-plane", "routes"] },
);

async function activeRecord(name: string, withHealth = true) {
  const repo = t.deps.store.interconnects;
  const created = await repo.create({ name, spec: exampleSpec(name) });
  const provisioning = await repo.transitionState(name, "provisioning", created.etag);
  const active = await repo.transitionState(name, "active", provisioning.etag);
  if (withHealth) await repo.update(name, active.etag, () => ({ health }));
}

describe("GET /api/interconnects/{name}/health", () => {
  it("answers the last check with its findings and the watch's instance; the list and the record show it", async () => {
    await activeRecord("erp-prod");
    t.durable.instances.set("health-erp-prod", {
      name: "healthWatch",
      instanceId: "health-erp-prod",
      input: null,
      runtimeStatus: "Running",
      customStatus: null,
      createdTime: AT,
      lastUpdatedTime: AT,
    });
    const res = await t.h.health(request("GET", "/erp-prod/health", { params: { name: "erp-prod" } }), t.durable.context());
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({
      name: "erp-prod",
      state: "active",
      status: "degraded",
      checkedAt: AT,
      routesCheckedAt: AT,
      since: AT,
      findings: [
        {
          code: "path-down",
          subject: "secondary",
          expected: "an On-Prem ARP entry and a numeric statePfxRcd",
          observed: "ARP peer missing, statePfxRcd Idle",
          since: AT,
          action: "Traffic continues on the other path.",
        },
      ],
      watch: { instanceId: "health-erp-prod", runtimeStatus: "Running" },
    });

    const list = json(await t.h.list(request("GET"), t.durable.context()));
    expect((list.items as Record<string, unknown>[])[0]).toMatchObject({
      name: "erp-prod",
      health: { status: "degraded", checkedAt: AT, findings: 1 },
    });
    const record = json(await t.h.get(request("GET", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context()));
    expect(record.health).toMatchObject({ status: "degraded", findings: [{ code: "path-down" }] });
  });

  it("says not checked yet and no watch, and 404 / 400 for an unknown or invalid name", async () => {
    await activeRecord("erp-new", false);
    expect(json(await t.h.health(request("GET", "/erp-new/health", { params: { name: "erp-new" } }), t.durable.context()))).toMatchObject({
      status: null,
      checkedAt: null,
      findings: [],
      watch: { runtimeStatus: "Absent" },
    });
    expect((await t.h.health(request("GET", "/nope-x/health", { params: { name: "nope-x" } }), t.durable.context())).status).toBe(404);
    const bad = await t.h.health(request("GET", "/Bad_Name/health", { params: { name: "Bad_Name" } }), t.durable.context());
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.jsonBody)).toContain("name");
  });
});

describe("healthWatchKeeper (timer, run on start-up)", () => {
  it("starts the watch of every active interconnect that has none, once, and leaves running ones alone", async () => {
    await activeRecord("erp-a");
    await activeRecord("erp-b");
    await t.deps.store.interconnects.create({ name: "erp-c", spec: exampleSpec("erp-c") });
    t.durable.instances.set("health-erp-b", {
      name: "healthWatch",
      instanceId: "health-erp-b",
      input: null,
      runtimeStatus: "Running",
      customStatus: null,
      createdTime: AT,
      lastUpdatedTime: AT,
    });
    const keeper = healthWatchKeeper(() => t.deps);
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: AT, next: AT, lastUpdated: AT } };
    await keeper(timer, t.durable.context());
    expect(t.durable.starts.map((s) => [s.name, s.instanceId, s.input])).toEqual([["healthWatch", "health-erp-a", { name: "erp-a" }]]);
    await keeper(timer, t.durable.context());
    expect(t.durable.starts).toHaveLength(1);
  });
});
