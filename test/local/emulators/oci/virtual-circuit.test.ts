import { afterEach, describe, expect, it } from "vitest";
import { FaultInjector } from "../../../../src/local/emulators/shared/faults";
import { ociError, readyDrg, startHarness, virtualCircuitDetails, waitFor, type Harness } from "./harness";

const KEY = "6f1a8a52-3b5e-4d55-9a3c-2f1f3d0c9b11";

describe("OCI emulator: FastConnect virtual circuit with Microsoft Azure", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const stateOf = async (id: string | undefined) => (await h.client.getVirtualCircuit({ virtualCircuitId: id! })).virtualCircuit;

  it("goes PENDING_PROVIDER → PROVISIONING → PROVISIONED/ACTIVE → BGP UP, telling Azure, then TERMINATING → TERMINATED → 404", async () => {
    // 600x: one virtual minute is 100 ms; a 10-minute PROVISIONING phase (1 s) is observable by polling even on a busy machine.
    h = await startHarness({ speed: 600, durations: { terminatedRetention: 2 * 60_000, providerProvisioning: 10 * 60_000 } });
    h.azure.addCircuit(KEY);
    const drgId = await readyDrg(h);

    const key = await h.client.getFastConnectProviderServiceKey({
      providerServiceId: h.emu.seed.providerServiceId,
      providerServiceKeyName: KEY,
    });
    expect(key.fastConnectProviderServiceKey).toEqual({ name: KEY, bandwidthShapeName: "1 Gbps", peeringLocation: "Washington DC" });

    const created = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, KEY) });
    const vc = created.virtualCircuit;
    expect(created.etag).toBeTruthy();
    expect(vc).toMatchObject({
      lifecycleState: "PENDING_PROVIDER",
      providerState: "INACTIVE",
      bgpSessionState: "DOWN",
      providerName: "Microsoft Azure",
      serviceType: "LAYER3",
      oracleBgpAsn: 31898,
      gatewayId: drgId,
      region: "us-ashburn-1",
      type: "PRIVATE",
    });
    expect(new Date(vc.timeCreated!).getTime()).toBeGreaterThan(0);
    expect(h.link.oci.describeVirtualCircuit(KEY)).toMatchObject({
      lifecycleState: "PENDING_PROVIDER",
      advertisedPrefixes: ["10.20.0.0/16"],
    });

    await waitFor(async () => ((await stateOf(vc.id)).lifecycleState === "PROVISIONING" ? true : undefined), "PROVISIONING");
    expect(h.azure.circuits.get(KEY)!.serviceProviderProvisioningState).toBe("Provisioning");

    const provisioned = await waitFor(async () => {
      const s = await stateOf(vc.id);
      return s.lifecycleState === "PROVISIONED" ? s : undefined;
    }, "PROVISIONED");
    expect(provisioned.providerState).toBe("ACTIVE");
    expect(provisioned.bgpSessionState).toBe("DOWN");
    const vlan = provisioned.crossConnectMappings![0]!.vlan;
    expect(vlan).toBeGreaterThanOrEqual(100);
    expect(h.azure.calls.map((c) => c.call)).toEqual(["providerProvisioning", "providerProvisioned"]);
    expect(h.azure.calls[1]!.config).toEqual({
      primaryPeerAddressPrefix: "192.168.100.0/30",
      secondaryPeerAddressPrefix: "192.168.100.4/30",
      vlanId: vlan,
      peerASN: 31898,
    });

    await waitFor(async () => ((await stateOf(vc.id)).bgpSessionState === "UP" ? true : undefined), "BGP UP");
    expect(h.link.oci.describeVirtualCircuit(KEY)).toEqual({
      virtualCircuitId: vc.id!,
      serviceKey: KEY,
      lifecycleState: "PROVISIONED",
      providerState: "ACTIVE",
      bgpSessionState: "UP",
      crossConnectMappings: [
        { oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        { oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      ],
      oracleBgpAsn: 31898,
      advertisedPrefixes: ["10.20.0.0/16"],
      pathsDown: [],
    });

    await h.client.deleteVirtualCircuit({ virtualCircuitId: vc.id! });
    expect(await stateOf(vc.id)).toMatchObject({ lifecycleState: "TERMINATING", providerState: "INACTIVE", bgpSessionState: "DOWN" });
    expect(h.azure.calls.at(-1)).toEqual({ call: "providerDeprovisioning", serviceKey: KEY });
    await waitFor(async () => ((await stateOf(vc.id)).lifecycleState === "TERMINATED" ? true : undefined), "TERMINATED");
    expect(h.link.oci.describeVirtualCircuit(KEY)).toBeUndefined();
    const gone = await waitFor(async () => {
      const err = await ociError(() => stateOf(vc.id)).catch(() => undefined);
      return err;
    }, "404 after TERMINATED");
    expect(gone.statusCode).toBe(404);
    expect(gone.serviceCode).toBe("NotAuthorizedOrNotFound");
  });

  it("fails a virtual circuit whose service key no ExpressRoute circuit issued, and the key lookup answers 404", async () => {
    h = await startHarness();
    const drgId = await readyDrg(h);
    const lookup = await ociError(() =>
      h.client.getFastConnectProviderServiceKey({ providerServiceId: h.emu.seed.providerServiceId, providerServiceKeyName: KEY }),
    );
    expect(lookup.statusCode).toBe(404);

    const { virtualCircuit } = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, KEY) });
    const failed = await waitFor(async () => {
      const s = await stateOf(virtualCircuit.id);
      return s.lifecycleState === "FAILED" ? s : undefined;
    }, "FAILED");
    expect(failed.referenceComment).toMatch(/does not recognize the service key/);
    expect(failed.providerState).toBe("INACTIVE");
    expect(h.azure.calls).toEqual([]);

    // Deleting a circuit the provider never took up tells Azure nothing.
    await h.client.deleteVirtualCircuit({ virtualCircuitId: virtualCircuit.id! });
    expect(h.azure.calls).toEqual([]);
  });

  it("fails on a bandwidth that differs from the circuit's, and on a peering location that does not serve the region", async () => {
    h = await startHarness();
    const drgId = await readyDrg(h);
    h.azure.addCircuit("key-bandwidth", { bandwidthInMbps: 2000 });
    h.azure.addCircuit("key-location", { peeringLocation: "London" });

    const bandwidth = (
      await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, "key-bandwidth") })
    ).virtualCircuit;
    const failedBandwidth = await waitFor(async () => {
      const s = await stateOf(bandwidth.id);
      return s.lifecycleState === "FAILED" ? s : undefined;
    }, "FAILED on bandwidth");
    expect(failedBandwidth.referenceComment).toMatch(/1 Gbps does not match .* 2000 Mbps/);
    await h.client.deleteVirtualCircuit({ virtualCircuitId: bandwidth.id! });

    const location = (await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, "key-location") }))
      .virtualCircuit;
    const failedLocation = await waitFor(async () => {
      const s = await stateOf(location.id);
      return s.lifecycleState === "FAILED" ? s : undefined;
    }, "FAILED on location");
    expect(failedLocation.referenceComment).toMatch(/"London" does not serve us-ashburn-1/);
    expect(h.azure.calls).toEqual([]);
  });

  it("holds the virtual circuit in PENDING_PROVIDER while the provider never provisions, and BGP DOWN while bgpStaysDown", async () => {
    const faults = new FaultInjector({ providerNeverProvisions: true, bgpStaysDown: true });
    h = await startHarness({ faults });
    h.azure.addCircuit(KEY);
    const drgId = await readyDrg(h);
    const { virtualCircuit } = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drgId, KEY) });
    h.clock.advance(60 * 60_000);
    expect((await stateOf(virtualCircuit.id)).lifecycleState).toBe("PENDING_PROVIDER");
    expect(h.azure.calls).toEqual([]);

    faults.update({ providerNeverProvisions: false });
    const provisioned = await waitFor(async () => {
      const s = await stateOf(virtualCircuit.id);
      return s.lifecycleState === "PROVISIONED" ? s : undefined;
    }, "PROVISIONED once the fault is lifted");
    h.clock.advance(60 * 60_000);
    expect((await stateOf(provisioned.id)).bgpSessionState).toBe("DOWN");
    expect(h.link.oci.describeVirtualCircuit(KEY)?.bgpSessionState).toBe("DOWN");

    faults.update({ bgpStaysDown: false });
    await waitFor(
      async () => ((await stateOf(virtualCircuit.id)).bgpSessionState === "UP" ? true : undefined),
      "BGP UP once the fault is lifted",
    );
  });
});
