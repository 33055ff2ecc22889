/**
 * Who holds what, through the POST handler on real Azurite: a failed provisioning that left nothing
 * frees its BGP blocks, a clash names the interconnect holding the block, and one run at a time may be
 * in flight on a VNet or a VCN (conditional reservation rows), with a 409 naming the field and the holder.
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

async function markActive(name: string): Promise<void> {
  const repo = t.deps.store.interconnects;
  const rec = await repo.getOrThrow(name);
  const provisioning = await repo.transitionState(name, "provisioning", rec.etag);
  await repo.transitionState(name, "active", provisioning.etag);
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

describe("one run in flight per VNet and per VCN", () => {
  it("answers 409 naming azure.virtualNetwork.name and the interconnect in flight, and oci.vcnId for a shared VCN", async () => {
    expect((await post(allocated(sharedNetworkSpecBody("loc-far")))).status).toBe(202);
    const clash = await post(allocated(sharedNetworkSpecBody("loc-bogus")));
    expect(clash.status).toBe(409);
    expect(json(clash)).toMatchObject({
      code: "CONFLICT",
      errors: [
        {
          path: "azure.virtualNetwork.name",
          message: expect.stringMatching(
            /^virtual network \/subscriptions\/11111111-1111-4111-8111-111111111111\/resourcegroups\/rg-erp-network\/providers\/microsoft\.network\/virtualnetworks\/vnet-erp is in use by interconnect loc-far \(requested\)/,
          ),
        },
      ],
    });
    expect(await t.deps.store.interconnects.get("loc-bogus")).toBeUndefined();

    const sameVcn = allocated(exampleSpecBody("bgp-vcn"));
    const res = await post({ ...sameVcn, oci: sharedNetworkSpecBody().oci });
    expect(res.status).toBe(409);
    expect((json(res).errors as { path: string; message: string }[])[0]).toMatchObject({
      path: "oci.vcnId",
      message: expect.stringContaining("VCN ocid1.vcn.oc1.iad.aaaaaaaaerpvcn is in use by interconnect loc-far (requested)"),
    });
    // The loser gave its VNet back: another interconnect may use that VNet.
    expect((await post(allocated(exampleSpecBody("bgp-vcn")))).status).toBe(202);
    // No BGP block was kept by the requests that lost.
    expect(new Set((await t.deps.store.bgpBlocks.list()).map((r) => r.owner))).toEqual(new Set(["loc-far", "bgp-vcn"]));
  });

  it("lets exactly one of several POSTs on the same networks at the same instant start", async () => {
    const names = ["race-a", "race-b", "race-c", "race-d"];
    const results = await Promise.all(names.map((n) => post(allocated(sharedNetworkSpecBody(n)))));
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409, 409]);
    const winner = names[results.findIndex((r) => r.status === 202)];
    expect(new Set((await t.deps.store.networks.list()).map((r) => r.owner))).toEqual(new Set([winner]));
  });

  it("frees the networks once the holder is no longer in flight: active (its finished gateway may be shared) or failed", async () => {
    expect((await post(allocated(sharedNetworkSpecBody("first")))).status).toBe(202);
    await markActive("first");
    expect((await post(allocated(sharedNetworkSpecBody("second")))).status).toBe(202);
    expect((await post(allocated(sharedNetworkSpecBody("third")))).status).toBe(409);
    await markFailed("second", { step: "preflight", code: "PREFLIGHT_FAILED", message: "VCN is already attached to DRG x" });
    expect((await post(allocated(sharedNetworkSpecBody("third")))).status).toBe(202);
    const rows = await t.deps.store.networks.list();
    expect(rows.map((r) => [r.key.kind, r.owner]).sort()).toEqual([
      ["vcn", "third"],
      ["virtualNetwork", "third"],
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
