/**
 * Who holds what, through the POST handler on real Azurite: a failed provisioning that left nothing
 * frees its BGP blocks, a clash names the interconnect holding the block, a POST on a VNet or VCN with a
 * run in flight takes its place in their queue (202), and a DELETE of a queued one cancels it.
 */
import { describe, expect, it } from "vitest";
import type { InterconnectFailure } from "../../src/store";
import { exampleSpecBody, json, request, sharedNetworkSpecBody, useHandlers } from "./support/harness";

const t = useHandlers();

const post = (body: unknown) => t.h.create(request("POST", "", { body }), t.durable.context());
const allocated = <T extends { bgp?: unknown }>(body: T) => {
  const { bgp: _bgp, ...rest } = body;
  return rest;
};

/** What the provisioning orchestration writes when it fails (through recordUpdate). */
async function markFailed(name: string, failure: InterconnectFailure): Promise<void> {
  const repo = t.deps.store.interconnects;
  const rec = await repo.getOrThrow(name);
  const provisioning = await repo.transitionState(name, "provisioning", rec.etag);
  await repo.transitionState(name, "failed", provisioning.etag, { failure });
}

describe("BGP blocks of a failed provisioning", () => {
  it("are released when it failed at pre-flight: the README example then provisions with its blocks", async () => {
    expect((await post(allocated(exampleSpecBody("vnet-missing")))).status).toBe(202);
    expect((await t.deps.store.interconnects.getOrThrow("vnet-missing")).bgpPlan?.primary.cidr).toBe("192.168.100.0/30");
    await markFailed("vnet-missing", { step: "preflight", code: "NOT_FOUND", message: "Virtual network vnet-missing was not found" });

    const res = await post(exampleSpecBody());
    expect(res.status).toBe(202);
    const owners = Object.fromEntries((await t.deps.store.bgpBlocks.list()).map((r) => [r.key, r.owner]));
    expect(owners).toEqual({ "192.168.100.0/30": "erp-prod", "192.168.100.4/30": "erp-prod" });
  });

  it("are released after a compensation that removed everything, and kept (naming the holder) when resources were kept", async () => {
    expect((await post(allocated(exampleSpecBody("cleaned-up")))).status).toBe(202);
    await markFailed("cleaned-up", {
      step: "drg",
      code: "RelatedResourceNotAuthorizedOrNotFound",
      message: "compartmentId not found; compensation removed what this run created",
    });
    expect((await post(allocated(exampleSpecBody("next-one")))).status).toBe(202);
    expect((await t.deps.store.interconnects.getOrThrow("next-one")).bgpPlan?.primary.cidr).toBe("192.168.100.0/30");

    await markFailed("next-one", { step: "circuit", code: "X", message: "boom; resources kept for inspection: gateway, circuit" });
    const clash = await post(exampleSpecBody());
    expect(clash.status).toBe(400);
    expect(json(clash).errors).toEqual([
      {
        path: "bgp.primaryPeeringCidr",
        message: "overlaps 192.168.100.0/30 of interconnect next-one (failed at circuit; DELETE it to release the block)",
      },
      {
        path: "bgp.secondaryPeeringCidr",
        message: "overlaps 192.168.100.4/30 of interconnect next-one (failed at circuit; DELETE it to release the block)",
      },
    ]);
  });
});

describe("a POST on a VNet or VCN with a run in flight queues instead of refusing", () => {
  const rowsOf = async () =>
    (await t.deps.store.turns.list()).map((r) => [r.owner, r.network.startsWith("vcn|") ? "vcn" : "vnet", r.seq]).sort();

  it("accepts (202) every POST on the same networks, each taking its place in the queue in the order accepted", async () => {
    expect((await post(allocated(sharedNetworkSpecBody("loc-far")))).status).toBe(202);
    const second = await post(allocated(sharedNetworkSpecBody("loc-bogus")));
    expect(second.status).toBe(202);
    expect(json(second)).toMatchObject({ outcome: "started", id: "provision-loc-bogus-1" });
    const sameVcn = { ...allocated(exampleSpecBody("bgp-vcn")), oci: sharedNetworkSpecBody().oci };
    expect((await post(sameVcn)).status).toBe(202);
    expect(await rowsOf()).toEqual([
      ["bgp-vcn", "vcn", 3],
      ["bgp-vcn", "vnet", 3],
      ["loc-bogus", "vcn", 2],
      ["loc-bogus", "vnet", 2],
      ["loc-far", "vcn", 1],
      ["loc-far", "vnet", 1],
    ]);
    expect(t.durable.starts.slice(-3).map((s) => s.instanceId)).toEqual([
      "provision-loc-far-1",
      "provision-loc-bogus-1",
      "provision-bgp-vcn-1",
    ]);
  });

  it("gives several POSTs at the same instant distinct places, and each its own BGP blocks", async () => {
    const names = ["race-a", "race-b", "race-c", "race-d"];
    const results = await Promise.all(names.map((n) => post(allocated(sharedNetworkSpecBody(n)))));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    const seqs = (await t.deps.store.turns.list()).filter((r) => r.network.startsWith("vcn|")).map((r) => r.seq);
    expect(new Set(seqs).size).toBe(4);
    expect(new Set((await t.deps.store.bgpBlocks.list()).map((r) => r.key)).size).toBe(8);
  });
});

describe("a DELETE of an interconnect still queued for its turn", () => {
  const remove = (name: string) => t.h.remove(request("DELETE", `/${name}`, { params: { name } }), t.durable.context());

  it("cancels it: 200 outcome cancelled, the record deleted at once, its place and blocks given up, an audit row", async () => {
    expect((await post(allocated(sharedNetworkSpecBody("holder")))).status).toBe(202);
    expect((await post(allocated(sharedNetworkSpecBody("queued")))).status).toBe(202);
    // The holder's orchestration took its turn (what networkTurnTake does when it is first in line).
    const holderTurn = { owner: "holder", operation: "provision", instanceId: "provision-holder-1", networks: [] as string[] };
    const rows = await t.deps.store.turns.list();
    holderTurn.networks = rows.filter((r) => r.owner === "holder").map((r) => r.network);
    expect(await t.deps.store.turns.take(holderTurn, rows)).toBe(true);

    const res = await remove("queued");
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ id: "provision-queued-1", outcome: "cancelled", name: "queued" });
    const record = await t.deps.store.interconnects.getOrThrow("queued");
    expect(record).toMatchObject({ state: "deleted", failure: { step: "queue", code: "CANCELLED" } });
    expect(record.failure?.message).toMatch(/^Cancelled while queued for its turn on the VNet and VCN: .*; this run created nothing$/);
    expect((await t.deps.store.turns.list()).map((r) => [r.owner, r.holds])).toEqual([
      ["holder", true],
      ["holder", true],
    ]);
    expect(new Set((await t.deps.store.bgpBlocks.list()).map((r) => r.owner))).toEqual(new Set(["holder"]));
    expect(t.durable.instances.get("provision-queued-1")?.runtimeStatus).toBe("Terminated");
    const audit = (await t.deps.store.audit.list("queued")).items;
    expect(audit.some((a) => a.details?.cancelled === true && a.instanceId === "provision-queued-1")).toBe(true);
    // No teardown was started for it: nothing was built.
    expect(t.durable.starts.map((s) => s.instanceId)).not.toContain("teardown-queued-2");
    // The name may be provisioned again.
    expect((await post(allocated(sharedNetworkSpecBody("queued")))).status).toBe(202);
  });

  it("tears down one that has its turn, the teardown taking over that turn before the provisioning is stopped", async () => {
    expect((await post(allocated(sharedNetworkSpecBody("building")))).status).toBe(202);
    expect((await post(allocated(sharedNetworkSpecBody("behind")))).status).toBe(202);
    const rows = await t.deps.store.turns.list();
    const networks = rows.filter((r) => r.owner === "building").map((r) => r.network);
    expect(
      await t.deps.store.turns.take({ owner: "building", operation: "provision", instanceId: "provision-building-1", networks }, rows),
    ).toBe(true);

    const res = await remove("building");
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "teardown-building-2", outcome: "started", stoppedProvisioning: "provision-building-1" });
    const held = (await t.deps.store.turns.list()).filter((r) => r.holds);
    expect(held.map((r) => [r.owner, r.operation, r.instanceId])).toEqual([
      ["building", "teardown", "teardown-building-2"],
      ["building", "teardown", "teardown-building-2"],
    ]);
  });
});

describe("a corrected POST after a failed provisioning", () => {
  it("starts a new provisioning when pre-flight failed having built nothing, with the corrected spec", async () => {
    const wrong = exampleSpecBody("fix-me");
    expect((await post(wrong)).status).toBe(202);
    await markFailed("fix-me", { step: "preflight", code: "NOT_FOUND", message: "Virtual network vnet-fix-me was not found" });

    const corrected = { ...wrong, azure: { ...wrong.azure, virtualNetwork: { ...wrong.azure.virtualNetwork, name: "vnet-fixed" } } };
    const res = await post(corrected);
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "provision-fix-me-2", outcome: "started" });
    const record = await t.deps.store.interconnects.getOrThrow("fix-me");
    expect(record).toMatchObject({ state: "requested", attempt: 2, currentOperation: { instanceId: "provision-fix-me-2" } });
    expect(record.failure).toBeUndefined();
    expect((record.spec as { azure: { virtualNetwork: { name: string } } }).azure.virtualNetwork.name).toBe("vnet-fixed");
    expect(t.durable.starts.at(-1)).toMatchObject({
      instanceId: "provision-fix-me-2",
      input: { spec: { azure: { virtualNetwork: { name: "vnet-fixed" } } } },
    });
    expect((await t.deps.store.audit.list("fix-me")).items.at(-1)?.message).toMatch(/failed at "preflight" leaving nothing/);
  });

  it("still answers 409 (DELETE first) when the failed run kept resources", async () => {
    expect((await post(exampleSpecBody("kept-some"))).status).toBe(202);
    await markFailed("kept-some", { step: "circuit", code: "X", message: "boom; resources kept for inspection: gateway, circuit" });
    const res = await post(exampleSpecBody("kept-some"));
    expect(res.status).toBe(409);
    expect(String(json(res).detail)).toMatch(/DELETE it/);
  });
});
