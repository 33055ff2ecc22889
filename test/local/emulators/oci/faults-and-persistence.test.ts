import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../../src/local/clock/virtual-clock";
import { FaultInjector } from "../../../../src/local/emulators/shared/faults";
import { ociError, readyDrg, startHarness, virtualCircuitDetails, type Harness } from "./harness";

const KEY = "4d2e7c1a-5b6f-4a8e-9c0d-1e2f3a4b5c6d";

describe("OCI emulator: faults and persistence", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it("throttles with 429 TooManyRequests, which the SDK's default retry answers for createVirtualCircuit", async () => {
    // The first draw throttles, every later one passes: one 429, then success on the SDK's own retry.
    let draws = 0;
    const faults = new FaultInjector({ operations: { "oci:POST virtualCircuits": { throttleRate: 0.5 } } }, () =>
      draws++ === 0 ? 0 : 0.9,
    );
    const h: Harness = await startHarness({ faults, retry: "sdk-default" });
    cleanup.push(() => h.close());
    h.azure.addCircuit(KEY);
    const drgId = await readyDrg(h);
    const { virtualCircuit } = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, KEY) });
    expect(virtualCircuit.lifecycleState).toBe("PENDING_PROVIDER");
    expect(draws).toBe(2);
    // The throttled attempt created nothing: exactly one virtual circuit.
    expect((await h.client.listVirtualCircuits({ compartmentId: h.emu.seed.compartmentId })).items).toHaveLength(1);
  });

  it("answers injected 5xx bursts with OCI's error codes", async () => {
    const faults = new FaultInjector({ operations: { "oci:GET vcns": { errorRate: 1 } } });
    const h = await startHarness({ faults });
    cleanup.push(() => h.close());
    const err = await ociError(() => h.client.getVcn({ vcnId: h.emu.seed.vcnId }));
    expect([500, 503]).toContain(err.statusCode);
    expect(["InternalServerError", "ServiceUnavailable"]).toContain(err.serviceCode);
    faults.set({});
    expect((await h.client.getVcn({ vcnId: h.emu.seed.vcnId })).vcn.cidrBlocks).toEqual(["10.20.0.0/16"]);
  });

  it("keeps state in the state file across a restart, lifecycles continuing on the shared clock; reset() restores the seed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "oci-emu-state-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = path.join(dir, "oci.json");
    const keyDir = path.join(dir, "keys");
    const clock = new VirtualClock({ speed: 6000 });
    const durations = { drgProvisioning: 30 * 60_000 };

    const first = await startHarness({ stateFile, keyDir, clock, durations });
    const drgId = await readyDrg(first);
    await first.client.updateRouteTable({
      rtId: first.emu.seed.routeTableId,
      updateRouteTableDetails: { routeRules: [{ destination: "10.10.0.0/16", networkEntityId: drgId }] },
    });
    const pending = await first.client.createDrg({
      createDrgDetails: { compartmentId: first.emu.seed.compartmentId },
      opcRetryToken: "second-drg",
    });
    expect(pending.drg.lifecycleState).toBe("PROVISIONING");
    const fingerprint = first.emu.fingerprint;
    await first.close();

    const second = await startHarness({ stateFile, keyDir, clock, durations });
    cleanup.push(() => second.close());
    expect(second.emu.fingerprint).toBe(fingerprint);
    expect((await second.client.getDrg({ drgId })).drg.lifecycleState).toBe("AVAILABLE");
    expect((await second.client.getRouteTable({ rtId: second.emu.seed.routeTableId })).routeTable.routeRules).toHaveLength(1);
    const repeat = await second.client.createDrg({
      createDrgDetails: { compartmentId: second.emu.seed.compartmentId },
      opcRetryToken: "second-drg",
    });
    expect(repeat.drg.id).toBe(pending.drg.id);
    clock.advance(30 * 60_000);
    expect((await second.client.getDrg({ drgId: pending.drg.id! })).drg.lifecycleState).toBe("AVAILABLE");

    second.emu.reset();
    expect((await ociError(() => second.client.getDrg({ drgId }))).statusCode).toBe(404);
    expect((await second.client.getRouteTable({ rtId: second.emu.seed.routeTableId })).routeTable.routeRules).toEqual([]);
    expect(second.emu.snapshot()).toMatchObject({ drgs: [], virtualCircuits: [], vcns: [{ id: second.emu.seed.vcnId }] });
  });
});
