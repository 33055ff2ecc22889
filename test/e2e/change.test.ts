import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventory } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * PATCH /api/interconnects/{name} on the whole local stack, over HTTP only: every refused change answers
 * a problem naming the field and starts nothing; the allowed ones run as the change orchestration against
 * the emulators (real SDK clients, Azurite, the replay engine), one at a time, verified on both sides
 * before the record's spec follows; a full port stops a bandwidth increase with "needs a new interconnect".
 */
let stack: E2eStack;
const MERGE = { "content-type": "application/merge-patch+json" };

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000, settings: { HEALTH_CONTROL_PLANE_MINUTES: "30", HEALTH_ROUTES_MINUTES: "60" } });
  const res = await stack.api("POST", "interconnects", spec());
  expect(res.status).toBe(202);
  const record = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed");
  expect(record.state).toBe("active");
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const patch = (body: unknown, headers: Record<string, string> = MERGE) =>
  stack.api("PATCH", "interconnects/erp-prod", body, { ...headers, "x-ms-client-principal-name": "ana@contoso.com" });
const clouds = async () => inventory(await stack.admin("GET", "state"));
const circuitOf = (inv: Json) => inv.circuits[0]?.raw as Json;
const vcOf = (inv: Json) => inv.virtualCircuits[0]?.raw as Json;

/** The change's record once its instance ended (the record's operation read from the task hub). */
async function changeEnded(instanceId: string): Promise<Json> {
  return stack.waitForRecord(
    "erp-prod",
    (r) => r.currentOperation?.instanceId === instanceId && ["Completed", "Failed"].includes(r.currentOperation.runtimeStatus),
    90_000,
  );
}

describe("changing erp-prod in place", () => {
  it("answers every change that is not possible in place with a problem naming the field, and starts nothing", async () => {
    const before = (await stack.api("GET", "interconnects/erp-prod")).json;

    const json = await patch({ bandwidthGbps: 2, confirmIrreversible: true }, { "content-type": "application/json" });
    expect(json.status).toBe(415);
    expect(json.json.detail).toMatch(/application\/merge-patch\+json/);

    const invalid = await patch({ bandwidthGbps: 3 });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([{ path: "bandwidthGbps", message: expect.stringMatching(/must be one of 1, 2, 5, 10/) }]);

    const rebuild = await patch({ azure: { peeringLocation: "Washington DC2" }, bgp: { primaryPeeringCidr: "192.168.101.0/30" } });
    expect(rebuild.status).toBe(409);
    expect(rebuild.json.errors.map((e: Json) => e.path).sort()).toEqual(["azure.peeringLocation", "bgp.primaryPeeringCidr"]);
    expect(rebuild.json.errors[0].message).toMatch(/provision a new interconnect/);

    const unconfirmed = await patch({ bandwidthGbps: 2 });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.json.errors).toEqual([
      { path: "bandwidthGbps", message: expect.stringMatching(/can never be undone.*confirmIrreversible/) },
    ]);
    const metered = await patch({ azure: { circuitSku: { family: "UnlimitedData" } } });
    expect(metered.status).toBe(409);
    expect(metered.json.errors[0]).toMatchObject({ path: "azure.circuitSku", message: expect.stringMatching(/never be undone/) });

    expect((await stack.api("PATCH", "interconnects/nobody-here", { tags: {} }, MERGE)).status).toBe(404);
    const same = await patch({ bandwidthGbps: 1 });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ outcome: "unchanged", changes: [] });

    const after = (await stack.api("GET", "interconnects/erp-prod")).json;
    expect(after.attempt).toBe(before.attempt);
    expect(after.currentOperation.instanceId).toBe(before.currentOperation.instanceId);
    expect(after.spec).toEqual(before.spec);
  }, 60_000);

  it("increases the bandwidth on both sides in the documented order, one operation at a time, and the record follows once verified", async () => {
    // Oracle's side is held after the circuit grew, so that the change is seen running.
    await stack.faults("PATCH", { providerNeverProvisions: true });
    const res = await patch({ bandwidthGbps: 2, confirmIrreversible: true });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ id: "change-erp-prod-2", outcome: "started", changes: [{ kind: "bandwidth", from: 1, to: 2 }] });

    const running = await stack.waitForRecord(
      "erp-prod",
      (r) => r.currentOperation?.customStatus?.step === "virtual-circuit" && r.currentOperation.customStatus.waitingFor !== undefined,
    );
    expect(running).toMatchObject({ state: "active", spec: { bandwidthGbps: 1 } });
    expect(running.currentOperation).toMatchObject({ kind: "change", runtimeStatus: "Running" });
    expect(running.currentOperation.customStatus).toMatchObject({
      operation: "change",
      waitingFor: expect.stringMatching(/2 Gbps with BGP UP/),
    });
    const during = await clouds();
    expect(circuitOf(during).properties.serviceProviderProperties.bandwidthInMbps).toBe(2000);
    expect(vcOf(during)).toMatchObject({ bandwidthShapeName: "2 Gbps", lifecycleState: "PROVISIONING" });

    // One operation at a time: the same change again is that change; another change, or a teardown, waits.
    expect((await patch({ bandwidthGbps: 2, confirmIrreversible: true })).json).toMatchObject({
      id: "change-erp-prod-2",
      outcome: "existing",
    });
    const other = await patch({ tags: { "cost-center": "cc-1" } });
    expect(other.status).toBe(409);
    expect(other.json.detail).toMatch(/change running \(change-erp-prod-2\)/);
    const teardown = await stack.api("DELETE", "interconnects/erp-prod?reason=not%20now");
    expect(teardown.status).toBe(409);

    await stack.faults("PATCH", { providerNeverProvisions: false });
    const done = await changeEnded("change-erp-prod-2");
    expect(done.currentOperation.runtimeStatus).toBe("Completed");
    expect(done).toMatchObject({ state: "active", failure: null, spec: { bandwidthGbps: 2 } });
    const inv = await clouds();
    expect(circuitOf(inv)).toMatchObject({
      properties: { provisioningState: "Succeeded", serviceProviderProperties: { bandwidthInMbps: 2000 } },
    });
    expect(vcOf(inv)).toMatchObject({ bandwidthShapeName: "2 Gbps", lifecycleState: "PROVISIONED", bgpSessionState: "UP" });
    expect(inv.circuits).toHaveLength(1);
    expect(inv.virtualCircuits).toHaveLength(1);

    const audit = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[];
    const rows = audit.filter((r) => r.instanceId === "change-erp-prod-2");
    expect(rows[0]).toMatchObject({ step: "request", operation: "change", actor: "ana@contoso.com" });
    const succeeded = rows.filter((r) => r.phase === "succeeded").map((r) => r.step);
    for (const step of ["precheck", "circuit", "provider-key", "virtual-circuit", "verification", "commit"])
      expect(succeeded).toContain(step);
    expect(succeeded.indexOf("circuit")).toBeLessThan(succeeded.indexOf("provider-key"));
    expect(succeeded.indexOf("provider-key")).toBeLessThan(succeeded.indexOf("virtual-circuit"));
    expect(succeeded.filter((s) => s === "azureUpdateCircuit")).toHaveLength(1);
  }, 120_000);

  it("lets the health watch compare with the changed spec: a verified change is no drift", async () => {
    // Health times are orchestration times: the virtual clock's.
    const committedAt = (await stack.admin("GET", "clock")).nowMs as number;
    const record = await stack.waitForRecord(
      "erp-prod",
      (r) => r.health?.checkedAt !== undefined && r.health.checkedAt !== null && Date.parse(r.health.checkedAt) > committedAt,
      60_000,
    );
    const health = (await stack.api("GET", "interconnects/erp-prod/health")).json;
    expect(health.findings.filter((f: Json) => /bandwidth|sku/.test(f.subject))).toEqual([]);
    expect(record.health.status).toBe("healthy");
  }, 90_000);

  it("refuses a decrease now that the circuit is at 2 Gbps", async () => {
    const res = await patch({ bandwidthGbps: 1, confirmIrreversible: true });
    expect(res.status).toBe(409);
    expect(res.json.errors).toEqual([{ path: "bandwidthGbps", message: expect.stringMatching(/cannot decrease from 2 to 1 Gbps/) }]);
  });

  it("moves the circuit to Premium UnlimitedData with new tags on both sides, and never back to MeteredData", async () => {
    const res = await patch({
      azure: { circuitSku: { tier: "Premium", family: "UnlimitedData" } },
      tags: { "cost-center": "cc-42" },
      confirmIrreversible: true,
    });
    expect(res.status).toBe(202);
    const done = await changeEnded(res.json.id);
    expect(done.currentOperation.runtimeStatus).toBe("Completed");
    expect(done.spec.azure.circuitSku).toEqual({ tier: "Premium", family: "UnlimitedData" });
    expect(done.spec.tags).toEqual({ "cost-center": "cc-42" });
    const inv = await clouds();
    expect(circuitOf(inv)).toMatchObject({
      sku: { name: "Premium_UnlimitedData" },
      tags: { "cost-center": "cc-42", interconnect: "erp-prod" },
    });
    expect(vcOf(inv).freeformTags).toMatchObject({ "cost-center": "cc-42", interconnect: "erp-prod" });

    const back = await patch({ azure: { circuitSku: { family: "MeteredData" } }, confirmIrreversible: true });
    expect(back.status).toBe(409);
    expect(back.json.errors[0]).toMatchObject({ path: "azure.circuitSku.family", message: expect.stringMatching(/back to MeteredData/) });
  }, 90_000);

  it("turns FastPath off on the existing connection", async () => {
    const res = await patch({ azure: { gateway: { fastPath: false } } });
    expect(res.status).toBe(202);
    const done = await changeEnded(res.json.id);
    expect(done.currentOperation.runtimeStatus).toBe("Completed");
    expect(done.spec.azure.gateway.fastPath).toBe(false);
    expect((await clouds()).connections[0]?.raw).toMatchObject({
      properties: { expressRouteGatewayBypass: false, connectionStatus: "Connected" },
    });
  }, 90_000);

  it("stops an increase that the circuit's port has no room for with 'needs a new interconnect', without a retry, keeping the spec", async () => {
    await stack.admin("PATCH", "faults", { circuitCapacityExhausted: true });
    const res = await patch({ bandwidthGbps: 5, confirmIrreversible: true });
    expect(res.status).toBe(202);
    const done = await changeEnded(res.json.id);
    expect(done.currentOperation.runtimeStatus).toBe("Failed");
    expect(done).toMatchObject({
      state: "active",
      spec: { bandwidthGbps: 2 },
      failure: { step: "circuit", code: "NEEDS_NEW_INTERCONNECT" },
    });
    expect(done.failure.message).toMatch(/Failed.*needs a new interconnect.*no change step completed.*keeps the spec it had/);
    const inv = await clouds();
    expect(circuitOf(inv)).toMatchObject({
      properties: { provisioningState: "Failed", serviceProviderProperties: { bandwidthInMbps: 2000 } },
    });
    expect(vcOf(inv).bandwidthShapeName).toBe("2 Gbps");
    const rows = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[];
    const puts = rows.filter((r) => r.instanceId === res.json.id && r.step === "azureUpdateCircuit");
    expect(puts).toHaveLength(1);
    await stack.admin("PATCH", "faults", { circuitCapacityExhausted: false });
  }, 90_000);
});
