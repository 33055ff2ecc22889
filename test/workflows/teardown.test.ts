import { describe, expect, it } from "vitest";
import { provisionInterconnect } from "../../src/workflows/provision";
import { teardownInterconnect } from "../../src/workflows/teardown";
import { replayHistory, runOrchestration } from "./harness";
import { cloudCalls, cloudsWithRecord, provisionInput, PROVISION_ID, TEARDOWN_ID, teardownInput } from "./fixtures";
import type { FakeClouds } from "./fake-clouds";

const DELETE_ORDER = [
  "azureDeleteConnection",
  "ociDeleteVirtualCircuit",
  "azureDeleteCircuit",
  "ociRemoveRouteRules",
  "ociDeleteDrgAttachment",
  "ociDeleteDrg",
  "azureDeleteGateway",
  "azureDeleteGatewaySubnet",
];

async function provisioned(clouds: FakeClouds) {
  const run = await runOrchestration({ orchestrator: provisionInterconnect, input: provisionInput(), instanceId: PROVISION_ID, activities: clouds.boundary });
  expect(run.error).toBeUndefined();
  clouds.record!.operationId = TEARDOWN_ID;
  return run.endedAt;
}

describe("teardownInterconnect on the real replay engine", () => {
  it("removes everything in the only safe order and waits for Azure to catch up before deleting the circuit", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisioned(clouds);
    const run = await runOrchestration({ orchestrator: teardownInterconnect, input: teardownInput(), instanceId: TEARDOWN_ID, activities: clouds.boundary, start });

    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({ state: "deleted", kept: [] });
    expect(clouds.record?.state).toBe("deleted");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);

    const deletes = cloudCalls(run.calls).filter((n) => n.includes("Delete") || n.includes("Remove"));
    expect([...new Set(deletes)]).toEqual(DELETE_ORDER);
    // the circuit delete came only once Azure showed NotProvisioned without peerings: no conflict on the way
    const circuitDeletes = run.calls.filter((c) => c.name === "azureDeleteCircuit");
    expect(circuitDeletes).toHaveLength(1);
    const vcDelete = run.calls.find((c) => c.name === "ociDeleteVirtualCircuit")!;
    // TERMINATING takes 2 min, then Azure lags 5 more minutes behind the virtual circuit's disappearance
    expect(Date.parse(circuitDeletes[0]!.at) - Date.parse(vcDelete.at)).toBeGreaterThanOrEqual(7 * 60_000);
    expect(run.statuses.some((s) => s.step === "circuit-deprovisioning" && String(s.lastObserved).includes("Deprovisioning"))).toBe(true);
  });

  it("waits out ConflictError on the circuit delete with timers instead of failing", async () => {
    const clouds = cloudsWithRecord({ extraCircuitDeleteConflicts: 3 });
    const start = await provisioned(clouds);
    const run = await runOrchestration({ orchestrator: teardownInterconnect, input: teardownInput(), instanceId: TEARDOWN_ID, activities: clouds.boundary, start });
    expect(run.error).toBeUndefined();
    const circuitDeletes = run.calls.filter((c) => c.name === "azureDeleteCircuit");
    expect(circuitDeletes).toHaveLength(4);
    // Retry-After (60 s) honoured between conflicts
    expect(Date.parse(circuitDeletes[1]!.at) - Date.parse(circuitDeletes[0]!.at)).toBeGreaterThanOrEqual(60_000);
    expect(clouds.audit.filter((a) => a.step === "circuit" && a.event === "waiting")).toHaveLength(3);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("tears down a half-built interconnect from a record without ids, keeping a GatewaySubnet it cannot prove is ours", async () => {
    const clouds = cloudsWithRecord({ existingGatewaySubnet: true }, "failed");
    clouds.record!.operationId = TEARDOWN_ID;
    const t0 = new Date("2025-06-01T08:00:00Z");
    clouds.circuit = { createdAt: t0.getTime() - 60_000, deleteConflicts: 0 };
    clouds.drg = { createdAt: t0.getTime() - 120_000 };
    const run = await runOrchestration({ orchestrator: teardownInterconnect, input: teardownInput(), instanceId: TEARDOWN_ID, activities: clouds.boundary, start: t0 });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual(["gateway-subnet"]);
    expect(run.calls.some((c) => c.name === "azureDeleteGatewaySubnet")).toBe(false);
    const drgDelete = run.calls.find((c) => c.name === "ociDeleteDrg");
    expect(drgDelete?.input).not.toHaveProperty("drgId");
  });

  it("fails with a clear reason when the interconnect is unknown, without touching any cloud", async () => {
    const clouds = cloudsWithRecord();
    clouds.record = null;
    const run = await runOrchestration({ orchestrator: teardownInterconnect, input: teardownInput(), instanceId: TEARDOWN_ID, activities: clouds.boundary });
    expect(run.error).toMatch(/record: NOT_FOUND: no interconnect named erp-prod/);
    expect(cloudCalls(run.calls)).toEqual([]);
  });

  it("replays the same history to the same actions (determinism)", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisioned(clouds);
    const input = teardownInput();
    const run = await runOrchestration({ orchestrator: teardownInterconnect, input, instanceId: TEARDOWN_ID, activities: clouds.boundary, start });
    const again = await replayHistory(teardownInterconnect, run.history, input, TEARDOWN_ID);
    expect(again.output).toEqual(run.output);
  });
});

describe("compensation after a failed provisioning", () => {
  it("provider never provisions: deadline, then the virtual circuit goes before the circuit, and nothing is left billing", async () => {
    const clouds = cloudsWithRecord({ providerNeverProvisions: true });
    const run = await runOrchestration({ orchestrator: provisionInterconnect, input: provisionInput(), instanceId: PROVISION_ID, activities: clouds.boundary });

    expect(run.error).toMatch(/failed at provider: DEADLINE_EXCEEDED: gave up waiting for virtual circuit PROVISIONED/);
    expect(run.error).toMatch(/last observed: virtual circuit PENDING_PROVIDER/);
    expect(run.error).toMatch(/compensation removed what this run created/);
    const names = cloudCalls(run.calls);
    expect(names.indexOf("ociDeleteVirtualCircuit")).toBeGreaterThan(-1);
    expect(names.indexOf("ociDeleteVirtualCircuit")).toBeLessThan(names.indexOf("azureDeleteCircuit"));
    // the connection and route rules were never started, so compensation does not touch them
    expect(names).not.toContain("azureDeleteConnection");
    expect(names).not.toContain("ociRemoveRouteRules");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect(clouds.record).toMatchObject({ state: "failed", failure: { step: "provider", code: "DEADLINE_EXCEEDED" } });
    // the wait was bounded by the provider deadline (60 min) and cheap in history
    const polls = run.calls.filter((c) => c.name === "ociGetVirtualCircuit" && Date.parse(c.at) < Date.parse(run.calls.find((x) => x.name === "ociDeleteVirtualCircuit")!.at));
    expect(polls.length).toBeLessThanOrEqual(20);
    expect(run.statuses.some((s) => typeof s.message === "string" && s.message.startsWith("compensating after provider"))).toBe(true);
  });

  it("keeps what was built when the spec asks for it, and says so in the failure", async () => {
    const clouds = cloudsWithRecord({ providerNeverProvisions: true });
    const input = provisionInput({ spec: { ...provisionInput().spec, keepResourcesOnFailure: true } });
    const run = await runOrchestration({ orchestrator: provisionInterconnect, input, instanceId: PROVISION_ID, activities: clouds.boundary });
    expect(run.error).toMatch(/resources kept for inspection: gateway-subnet, gateway, drg, drg-attachment, circuit, virtual-circuit/);
    expect(cloudCalls(run.calls).some((n) => n.includes("Delete"))).toBe(false);
    expect(clouds.leftovers(run.endedAt)).toEqual(expect.arrayContaining(["circuit", "virtual-circuit"]));
  });

  it("a permanent failure creating the virtual circuit removes the circuit at once (no billing circuit left alone)", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureVirtualCircuit", [{ code: "InvalidParameter", message: "service key rejected by the provider", retryable: false, cloud: "oci", statusCode: 400, requestId: "opc-1" }]);
    const run = await runOrchestration({ orchestrator: provisionInterconnect, input: provisionInput(), instanceId: PROVISION_ID, activities: clouds.boundary });
    expect(run.error).toMatch(/failed at virtual-circuit: InvalidParameter: service key rejected/);
    expect(run.calls.filter((c) => c.name === "ociEnsureVirtualCircuit")).toHaveLength(1);
    expect(cloudCalls(run.calls)).toContain("azureDeleteCircuit");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });
});
