import { describe, expect, it } from "vitest";
import { teardownInterconnect } from "../../src/workflows/teardown";
import { replayHistory } from "./harness";
import {
  cloudCalls,
  cloudsWithRecord,
  provisionedForTeardown,
  provisionInput,
  PROVISION_ID,
  runProvision,
  runTeardown,
  TEARDOWN_ID,
  teardownInput,
} from "./fixtures";

/** The safe order (DESIGN.md "Teardown"): each pair's first delete only once the second's delete is over. */
const SAFE_ORDER: [before: string, after: string][] = [
  ["azureDeleteConnection", "ociDeleteVirtualCircuit"],
  ["ociDeleteVirtualCircuit", "azureDeleteCircuit"],
  ["azureDeleteConnection", "azureDeleteGateway"],
  ["azureDeleteGateway", "azureDeleteGatewaySubnet"],
  ["ociRemoveRouteRules", "ociDeleteDrgAttachment"],
  ["ociDeleteDrgAttachment", "ociDeleteDrg"],
  ["ociDeleteVirtualCircuit", "ociDeleteDrg"],
];
const DELETES = [...new Set(SAFE_ORDER.flat())];
/** What bench/teardown.ts does not count as a cloud activity call. */
const BENCH_BOOKKEEPING = ["auditAppend", "recordUpdate", "recordRead", "provisioningInstanceState"];

function expectSafeOrder(calls: { name: string; at: string }[]): void {
  const at = (name: string) => calls.filter((c) => c.name === name).map((c) => Date.parse(c.at));
  for (const [before, after] of SAFE_ORDER) {
    expect(Math.min(...at(after)), `${after} after ${before}`).toBeGreaterThan(Math.max(...at(before)));
  }
}

describe("teardownInterconnect on the real replay engine", () => {
  it("removes everything in the only safe order and waits for Azure to catch up before deleting the circuit", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    const run = await runTeardown(clouds, { start });

    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({ state: "deleted", kept: [] });
    expect(clouds.record?.state).toBe("deleted");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);

    const deletes = cloudCalls(run.calls).filter((n) => n.includes("Delete") || n.includes("Remove"));
    expect(new Set(deletes)).toEqual(new Set(DELETES));
    expectSafeOrder(run.calls);
    // the health watch the provisioning started is stopped before anything is removed (it would report, or repair, the removals)
    expect(clouds.watch).toEqual({ running: false, starts: 1, stops: 1 });
    const firstDelete = cloudCalls(run.calls).findIndex((n) => n.includes("Delete") || n.includes("Remove"));
    expect(cloudCalls(run.calls).indexOf("healthWatchStop")).toBeLessThan(firstDelete);
    // the circuit delete came only once Azure showed NotProvisioned without peerings: no conflict on the way
    const circuitDeletes = run.calls.filter((c) => c.name === "azureDeleteCircuit");
    expect(circuitDeletes).toHaveLength(1);
    const vcDelete = run.calls.find((c) => c.name === "ociDeleteVirtualCircuit")!;
    // TERMINATING takes 2 min, then Azure lags 5 more minutes behind the virtual circuit's disappearance
    expect(Date.parse(circuitDeletes[0]!.at) - Date.parse(vcDelete.at)).toBeGreaterThanOrEqual(7 * 60_000);
    expect(run.statuses.some((s) => s.step === "circuit-deprovisioning" && String(s.lastObserved).includes("Deprovisioning"))).toBe(true);
  });

  it("keeps what another interconnect's usage row names, says for whom, and removes only this interconnect's own", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    // erp-dr provisioned on the same VNet and VCN since: it uses the gateway, its IP, the subnet, the DRG, the attachment and the rule.
    for (const [key, row] of clouds.usage) if (!/^(virtual-network|vcn|route-table)\|/.test(key)) row.users = [...row.users, "erp-dr"];
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    expect(clouds.record?.state).toBe("deleted");
    expect(clouds.leftovers(run.endedAt)).toEqual(["route-rules", "drg-attachment", "drg", "gateway", "public-ip", "gateway-subnet"]);
    // The route rules' and the gateway's deletes released their rows and answered "kept" without a cloud delete; the
    // attachment, the DRG and the subnet, kept with them, only had their rows released.
    const asked = run.calls.filter((c) => c.name.includes("Delete") || c.name.includes("Remove"));
    const deleted = asked.filter((c) => (c.output as { status?: string } | undefined)?.status !== "kept").map((c) => c.name);
    expect(new Set(deleted)).toEqual(new Set(["azureDeleteConnection", "ociDeleteVirtualCircuit", "azureDeleteCircuit"]));
    expect(new Set(asked.filter((c) => !deleted.includes(c.name)).map((c) => c.name))).toEqual(
      new Set(["ociRemoveRouteRules", "azureDeleteGateway"]),
    );
    const kept = clouds.audit.filter((e) => e.event === "skipped");
    for (const step of ["route-rules", "drg-attachment", "drg", "gateway", "gateway-subnet"]) {
      expect(
        kept.some((e) => e.step === step && (e.details?.sharedWith as string[] | undefined)?.includes("erp-dr")),
        step,
      ).toBe(true);
    }
    expect((run.output as { kept: string[] }).kept).toHaveLength(5);
    // erp-prod is off every row; erp-dr is the last user of what erp-prod created.
    for (const row of clouds.usage.values()) expect(row.users).not.toContain("erp-prod");
    expect([...clouds.usage.values()].filter((r) => r.users.includes("erp-dr")).every((r) => r.createdBy === "erp-prod")).toBe(true);
  });

  it("as the last user removes what another interconnect created (hand-over)", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    // Everything shared was created by erp-old, since deleted: its rows name it as creator and erp-prod as the only user.
    for (const row of clouds.usage.values()) if (row.createdBy === "erp-prod") row.createdBy = "erp-old";
    clouds.record!.resources.owned = { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false };
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    const handedOver = clouds.audit.filter((e) => e.event === "succeeded" && /handed over/.test(e.message)).map((e) => e.step);
    expect(handedOver.sort()).toEqual(["drg", "drg-attachment", "gateway", "gateway-subnet", "route-rules"]);
    expect([...clouds.usage.keys()].filter((k) => !/^(virtual-network|vcn|route-table)\|/.test(k))).toEqual([]);
  });

  it("removes in parallel where nothing links the resources: the gateway does not wait behind the circuit chain, nor the OCI side behind Azure", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    const first = (name: string) => Date.parse(run.calls.find((c) => c.name === name)!.at);
    // the gateway goes right after its connection, while the virtual circuit terminates and Azure catches up
    expect(first("azureDeleteGateway")).toBeLessThan(first("azureDeleteCircuit"));
    expect(Math.abs(first("azureDeleteGateway") - first("ociDeleteVirtualCircuit"))).toBeLessThan(60_000);
    // our route rules (OCI) go at once, not after the connection and the circuit (Azure): in the first round, with
    // the connection's delete, one call releasing their usage rows and removing them
    expect(first("ociRemoveRouteRules")).toBeLessThanOrEqual(first("azureDeleteConnection"));
    expect(JSON.stringify(run.calls.find((c) => c.name === "ociRemoveRouteRules")!.input.release)).toContain('"route-rule"');
    expect(first("ociDeleteDrgAttachment")).toBeLessThan(first("azureDeleteCircuit"));
    // the status says what runs at the same time
    expect(run.statuses.some((s) => String(s.message).includes("at the same time: ") && String(s.waitingFor).includes("; "))).toBe(true);
    expectSafeOrder(run.calls);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("calls again an activity whose result in the history is not what its contract allows, instead of reading it", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    let corrupted = 0;
    const activities = (name: string, input: unknown, now: Date) => {
      const result = clouds.boundary(name, input, now);
      return name === "azureDeleteGateway" && corrupted++ === 0 ? null : result;
    };
    const run = await runTeardown(clouds, { activities, start });
    expect(run.error).toBeUndefined();
    expect(
      clouds.audit.some(
        (a) =>
          a.event === "retrying" &&
          /ACTIVITY_OUTPUT_INVALID: azureDeleteGateway returned a result its contract does not allow/.test(a.message),
      ),
    ).toBe(true);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("clears an earlier failure when the teardown of a failed record (already tearing-down) finishes", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    // As the DELETE trigger leaves it: moved to tearing-down itself, the failed provisioning's reason still on the record.
    clouds.record!.state = "tearing-down";
    clouds.record!.failure = { step: "gateway", code: "DEADLINE_EXCEEDED", message: "an earlier attempt gave up" };
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    expect(clouds.record).toMatchObject({ state: "deleted", failure: null });
  });

  it("waits out ConflictError on the circuit delete with timers instead of failing", async () => {
    const clouds = cloudsWithRecord({ extraCircuitDeleteConflicts: 3 });
    const start = await provisionedForTeardown(clouds);
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    const circuitDeletes = run.calls.filter((c) => c.name === "azureDeleteCircuit");
    expect(circuitDeletes).toHaveLength(4);
    // Retry-After (60 s) honoured between conflicts
    expect(Date.parse(circuitDeletes[1]!.at) - Date.parse(circuitDeletes[0]!.at)).toBeGreaterThanOrEqual(60_000);
    // retries of the delete; the durable waits' own rows carry details.wait
    expect(clouds.audit.filter((a) => a.step === "circuit" && a.event === "waiting" && !a.details?.wait)).toHaveLength(3);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("deletes the circuit again when ARM accepted the delete and then failed it, instead of waiting out the deadline", async () => {
    const clouds = cloudsWithRecord({ circuitDeletesFailingLate: 2 });
    const start = await provisionedForTeardown(clouds);
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    const circuitDeletes = run.calls.filter((c) => c.name === "azureDeleteCircuit");
    expect(circuitDeletes).toHaveLength(3);
    const retries = clouds.audit.filter((a) => a.step === "circuit" && a.event === "waiting" && !a.details?.wait);
    expect(retries).toHaveLength(2);
    expect(retries[0]?.message).toMatch(/the delete was accepted and then failed \(circuit Failed/);
    // each failure is noticed at the circuit-deletion wait's first look, not after the 60 min deadline
    const circuitStep = (Date.parse(circuitDeletes[2]!.at) - Date.parse(circuitDeletes[0]!.at)) / 60_000;
    expect(circuitStep).toBeLessThan(10);
  });

  it("removes the gateway's public IP even when the GatewaySubnet is not ours (nothing of ours is left)", async () => {
    const clouds = cloudsWithRecord({ existingGatewaySubnet: true });
    const start = await provisionedForTeardown(clouds);
    expect(clouds.leftovers(start)).toContain("public-ip");
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual(["gateway-subnet"]);
    // its delete was asked only to release its usage row, which keeps it (this service did not create it)
    const subnetDeletes = run.calls.filter((c) => c.name === "azureDeleteGatewaySubnet");
    expect(subnetDeletes.map((c) => (c.output as { status: string }).status)).toEqual(["kept"]);
    expect(clouds.audit.some((a) => a.step === "gateway-subnet" && a.event === "skipped" && /did not create it/.test(a.message))).toBe(
      true,
    );
    // the gateway step is called again once the gateway is gone, until its public IP is deleted too
    const gatewayDeletes = run.calls.filter((c) => c.name === "azureDeleteGateway");
    expect(gatewayDeletes.length).toBeGreaterThanOrEqual(2);
    expect(gatewayDeletes.length).toBeLessThanOrEqual(4);
  });

  it("waits out a gateway still being deployed (start unknown) before deleting it, polling from the start", async () => {
    const clouds = cloudsWithRecord({}, "failed");
    clouds.record!.operationId = TEARDOWN_ID;
    const t0 = new Date("2025-06-01T08:00:00Z");
    clouds.gateway = { createdAt: t0.getTime() - 10 * 60_000 };
    clouds.publicIp = { createdAt: t0.getTime() - 10 * 60_000 };
    const run = await runTeardown(clouds, { start: t0 });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    // the first delete found the deployment running and asked nothing of ARM ("busy"); the next came once it was over
    const [busy, ...deletes] = run.calls.filter((c) => c.name === "azureDeleteGateway");
    expect(busy!.output).toMatchObject({ status: "busy" });
    expect(clouds.deletesWhileBuilding).toBe(1);
    expect(deletes.every((c) => !c.error && (c.output as { status: string }).status !== "busy")).toBe(true);
    const succeededAt = t0.getTime() + 20 * 60_000;
    expect(Date.parse(deletes[0]!.at)).toBeGreaterThanOrEqual(succeededAt);
    expect(Date.parse(deletes[0]!.at) - succeededAt).toBeLessThan(2 * 60_000);
    expect(run.statuses.some((s) => s.step === "gateway" && String(s.waitingFor).includes("deployment to finish"))).toBe(true);
  });

  it("waits for the provisioning it stopped to be terminal before removing anything", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    clouds.provisioningEndsAt = start.getTime() + 90_000;
    const input = teardownInput({ stoppedProvisioning: PROVISION_ID });
    const run = await runTeardown(clouds, { input, start });
    expect(run.error).toBeUndefined();
    const checks = run.calls.filter((c) => c.name === "provisioningInstanceState");
    expect(checks.every((c) => c.input.instanceId === PROVISION_ID)).toBe(true);
    expect(checks.length).toBeGreaterThanOrEqual(2);
    const firstDelete = run.calls.find((c) => c.name === "azureDeleteConnection")!;
    expect(Date.parse(firstDelete.at)).toBeGreaterThanOrEqual(clouds.provisioningEndsAt);
    expect(Date.parse(firstDelete.at) - clouds.provisioningEndsAt).toBeLessThan(30_000);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("removes a virtual circuit a stopped provisioning created after its removal, instead of waiting for the circuit until the deadline", async () => {
    const clouds = cloudsWithRecord({ lateVirtualCircuitMinutes: 3 });
    const start = await provisionedForTeardown(clouds);
    clouds.provisioningEndsAt = start.getTime();
    const input = teardownInput({ stoppedProvisioning: PROVISION_ID });
    const run = await runTeardown(clouds, { input, start });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect(run.calls.filter((c) => c.name === "ociDeleteVirtualCircuit").length).toBeGreaterThanOrEqual(2);
    expect(
      clouds.audit.some((a) => a.step === "virtual-circuit" && a.event === "retrying" && /appeared after its removal/.test(a.message)),
    ).toBe(true);
    // the late one went before the circuit: never deleted while the provider holds it
    const names = cloudCalls(run.calls);
    expect(names.lastIndexOf("ociDeleteVirtualCircuit")).toBeLessThan(names.indexOf("azureDeleteCircuit"));
    expect((run.endedAt.getTime() - start.getTime()) / 60_000).toBeLessThan(60);
  });

  it("sweeps once more at the end and removes a virtual circuit that appeared after the circuit went", async () => {
    const clouds = cloudsWithRecord({ lateVirtualCircuitMinutes: 12 });
    const start = await provisionedForTeardown(clouds);
    clouds.provisioningEndsAt = start.getTime();
    const run = await runTeardown(clouds, { input: teardownInput({ stoppedProvisioning: PROVISION_ID }), start });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect(clouds.audit.some((a) => a.step === "sweep" && a.event === "retrying")).toBe(true);
    expect(run.statuses.at(-1)).toMatchObject({ step: "deleted" });
  });

  it("makes 57 cloud activity calls here (the bench's count), one of them for the usage rows: each shared delete releases its own", async () => {
    const clouds = cloudsWithRecord();
    const run = await runTeardown(clouds, { start: await provisionedForTeardown(clouds) });
    expect(run.error).toBeUndefined();
    // As bench/teardown.ts counts (its aim is for the emulators' durations, these are the fake's): 68 when the usage
    // rows were released and forgotten by calls of their own (6 + 5), and the gateway read once before its delete.
    const counted = run.calls.filter((c) => !BENCH_BOOKKEEPING.includes(c.name));
    expect(counted).toHaveLength(57);
    expect(counted.filter((c) => c.name.startsWith("usage")).map((c) => c.name)).toEqual(["usageRelease"]);
    for (const name of [
      "ociRemoveRouteRules",
      "ociDeleteDrgAttachment",
      "ociDeleteDrg",
      "azureDeleteGateway",
      "azureDeleteGatewaySubnet",
    ]) {
      expect(
        run.calls.filter((c) => c.name === name).every((c) => Array.isArray(c.input.release)),
        name,
      ).toBe(true);
    }
    // the gateway's first call is its delete, not a read
    const gatewayCalls = run.calls.filter((c) => c.name === "azureGetGateway" || c.name === "azureDeleteGateway");
    expect(gatewayCalls[0]?.name).toBe("azureDeleteGateway");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect([...clouds.usage.keys()].filter((k) => !/^(virtual-network|vcn|route-table)\|/.test(k))).toEqual([]);
  });

  it("every shared delete run twice (a crash after its work, before its result was recorded) changes nothing", async () => {
    for (const sharedWithDr of [false, true]) {
      const clouds = cloudsWithRecord();
      const start = await provisionedForTeardown(clouds);
      if (sharedWithDr)
        for (const [key, row] of clouds.usage) if (!/^(virtual-network|vcn|route-table)\|/.test(key)) row.users = [...row.users, "erp-dr"];
      const twice = (name: string, input: unknown, now: Date) => {
        if ((input as { release?: unknown }).release !== undefined) clouds.boundary(name, structuredClone(input), now);
        return clouds.boundary(name, input, now);
      };
      const run = await runTeardown(clouds, { activities: twice, start });
      expect(run.error).toBeUndefined();
      expect(clouds.record?.state).toBe("deleted");
      for (const row of clouds.usage.values()) expect(row.users).not.toContain("erp-prod");
      if (sharedWithDr) {
        expect(clouds.leftovers(run.endedAt)).toEqual(["route-rules", "drg-attachment", "drg", "gateway", "public-ip", "gateway-subnet"]);
        expect([...clouds.usage.values()].filter((r) => r.users.includes("erp-dr"))).toHaveLength(6);
      } else {
        expect(clouds.leftovers(run.endedAt)).toEqual([]);
        expect([...clouds.usage.keys()].filter((k) => !/^(virtual-network|vcn|route-table)\|/.test(k))).toEqual([]);
      }
    }
  });

  it("rejects a teardown input whose stoppedProvisioning is not an instance id", async () => {
    const clouds = cloudsWithRecord();
    const run = await runTeardown(clouds, { input: { ...teardownInput(), stoppedProvisioning: 7 } });
    expect(run.error).toMatch(/input\.stoppedProvisioning must be a non-empty string/);
    expect(run.calls).toHaveLength(0);
  });

  it("tears down a half-built interconnect from a record without ids, keeping a GatewaySubnet it cannot prove is ours", async () => {
    const clouds = cloudsWithRecord({ existingGatewaySubnet: true }, "failed");
    clouds.record!.operationId = TEARDOWN_ID;
    const t0 = new Date("2025-06-01T08:00:00Z");
    clouds.circuit = { createdAt: t0.getTime() - 60_000, deleteConflicts: 0 };
    clouds.drg = { createdAt: t0.getTime() - 120_000 };
    const run = await runTeardown(clouds, { start: t0 });
    expect(run.error).toBeUndefined();
    expect(clouds.leftovers(run.endedAt)).toEqual(["gateway-subnet"]);
    expect(run.calls.some((c) => c.name === "azureDeleteGatewaySubnet")).toBe(false);
    const drgDelete = run.calls.find((c) => c.name === "ociDeleteDrg");
    expect(drgDelete?.input).not.toHaveProperty("drgId");
  });

  it("fails with a clear reason when the interconnect is unknown, without touching any cloud", async () => {
    const clouds = cloudsWithRecord();
    clouds.record = null;
    const run = await runTeardown(clouds);
    expect(run.error).toMatch(/record: NOT_FOUND: no interconnect named erp-prod/);
    expect(cloudCalls(run.calls)).toEqual([]);
  });

  it("replays the same history to the same actions (determinism)", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    const input = teardownInput();
    const run = await runTeardown(clouds, { input, start });
    const again = await replayHistory(teardownInterconnect, run.history, input, TEARDOWN_ID);
    expect(again.output).toEqual(run.output);
  });
});

describe("teardown of an adopted interconnect", () => {
  it("goes by the record's adopted names and grants when its input carries no names (a restart over a dead teardown)", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    const names = { circuit: "er-legacy", connection: "conn-legacy", gateway: "ergw-legacy" };
    clouds.record!.resources = { ...clouds.record!.resources, names, granted: ["connection", "virtual-circuit", "circuit"] };
    const run = await runTeardown(clouds, { input: teardownInput({ actor: "watchdog", reason: "restarted by the watchdog" }), start });
    expect(run.error).toBeUndefined();
    const removals = run.calls.filter((c) => c.name.includes("Delete") || c.name.includes("Remove"));
    expect(new Set(removals.map((c) => c.name))).toEqual(
      new Set(["azureDeleteConnection", "ociDeleteVirtualCircuit", "azureDeleteCircuit"]),
    );
    for (const call of run.calls.filter((c) => c.name.startsWith("azure"))) {
      expect((call.input.opContext as { names?: unknown }).names, call.name).toEqual(names);
    }
  });
});

describe("compensation after a failed provisioning", () => {
  it("provider never provisions: deadline, then the virtual circuit goes before the circuit, and nothing is left billing", async () => {
    const clouds = cloudsWithRecord({ providerNeverProvisions: true });
    const run = await runProvision(clouds);

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
    const polls = run.calls.filter(
      (c) =>
        c.name === "ociGetVirtualCircuit" && Date.parse(c.at) < Date.parse(run.calls.find((x) => x.name === "ociDeleteVirtualCircuit")!.at),
    );
    expect(polls.length).toBeLessThanOrEqual(20);
    expect(run.statuses.some((s) => typeof s.message === "string" && s.message.startsWith("compensating after provider"))).toBe(true);
  });

  it("keeps what was built when the spec asks for it, and says so in the failure", async () => {
    const clouds = cloudsWithRecord({ providerNeverProvisions: true });
    const input = provisionInput({ spec: { ...provisionInput().spec, keepResourcesOnFailure: true } });
    const run = await runProvision(clouds, { input });
    expect(run.error).toMatch(/resources kept for inspection: gateway-subnet, gateway, drg, drg-attachment, circuit, virtual-circuit/);
    expect(cloudCalls(run.calls).some((n) => n.includes("Delete"))).toBe(false);
    expect(clouds.leftovers(run.endedAt)).toEqual(expect.arrayContaining(["circuit", "virtual-circuit"]));
  });

  it("a permanent failure creating the virtual circuit removes the circuit at once (no billing circuit left alone)", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureVirtualCircuit", [
      {
        code: "InvalidParameter",
        message: "service key rejected by the provider",
        retryable: false,
        cloud: "oci",
        statusCode: 400,
        requestId: "opc-1",
      },
    ]);
    const run = await runProvision(clouds);
    expect(run.error).toMatch(/failed at virtual-circuit: InvalidParameter: service key rejected/);
    expect(run.calls.filter((c) => c.name === "ociEnsureVirtualCircuit")).toHaveLength(1);
    expect(cloudCalls(run.calls)).toContain("azureDeleteCircuit");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("waits out the gateway's deployment before deleting it, then removes its public IP: compensation leaves nothing", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureVirtualCircuit", [
      { code: "InvalidParameter", message: "rejected", retryable: false, cloud: "oci", statusCode: 400 },
    ]);
    const run = await runProvision(clouds);
    expect(run.error).toMatch(/compensation removed what this run created/);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    const gatewayCreated = Date.parse(run.calls.find((c) => c.name === "azureEnsureGateway")!.at);
    // never refused with AnotherOperationInProgress: the first delete, when compensation begins, finds the deployment
    // running and asks nothing of ARM ("busy"); the delete proper comes once the 30 min deployment is done
    const [look, ...deletes] = run.calls.filter((c) => c.name === "azureDeleteGateway");
    expect(look!.output).toMatchObject({ status: "busy" });
    expect(Date.parse(look!.at) - gatewayCreated).toBeLessThan(20 * 60_000);
    expect(deletes.every((c) => c.error === undefined && (c.output as { status: string }).status !== "busy")).toBe(true);
    expect(Date.parse(deletes[0]!.at) - gatewayCreated).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Date.parse(deletes[0]!.at) - gatewayCreated).toBeLessThan(32 * 60_000);
    // the wait counted from the gateway's own start: no poll before its earliest plausible completion (20 min)
    const polls = run.calls.filter(
      (c) => c.name === "azureGetGateway" && Date.parse(c.at) > Date.parse(look!.at) && Date.parse(c.at) < Date.parse(deletes[0]!.at),
    );
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((c) => Date.parse(c.at) >= gatewayCreated + 20 * 60_000)).toBe(true);
  });
});
