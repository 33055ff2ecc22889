/**
 * BGP blocks under concurrency, through the POST handler against real Azurite: allocation is decided
 * by conditional inserts of one reservation row per /30 block, so requests arriving at the same
 * instant never share a block, and a requested block another request holds is a 409 naming the field.
 */
import { describe, expect, it } from "vitest";
import { exampleSpecBody, json, request, useHandlers } from "./support/harness";

const t = useHandlers();

const post = (body: unknown) => t.h.create(request("POST", "", { body }), t.durable.context());
const withoutBgp = (name: string) => {
  const { bgp: _bgp, ...rest } = exampleSpecBody(name);
  return rest;
};
const withBgp = (name: string, primaryPeeringCidr: string, secondaryPeeringCidr: string) => ({
  ...exampleSpecBody(name),
  bgp: { primaryPeeringCidr, secondaryPeeringCidr },
});

async function reservedBlocks(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const row of await t.deps.store.bgpBlocks.list()) (out[row.owner] ??= []).push(row.key);
  for (const blocks of Object.values(out)) blocks.sort();
  return out;
}

describe("BGP block allocation under concurrency", () => {
  it("gives many interconnects POSTed at the same instant without bgp all-distinct blocks, each reserved for its record", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `race-${i}`);
    const results = await Promise.all(names.map((n) => post(withoutBgp(n))));
    expect(results.map((r) => r.status)).toEqual(names.map(() => 202));

    const blocks: string[] = [];
    const reserved = await reservedBlocks();
    for (const name of names) {
      const plan = (await t.deps.store.interconnects.getOrThrow(name)).bgpPlan;
      if (!plan) throw new Error(`${name} has no BGP plan`);
      blocks.push(plan.primary.cidr, plan.secondary.cidr);
      expect(reserved[name]).toEqual([plan.primary.cidr, plan.secondary.cidr].sort());
    }
    expect(new Set(blocks).size).toBe(20);
    // Nothing leaked from the rounds that lost a block: exactly the records' blocks are reserved.
    expect(Object.values(reserved).flat()).toHaveLength(20);
  });

  it("answers 409 naming bgp.primaryPeeringCidr when another request holds the requested block, and leaves it that request's", async () => {
    // A request for crm-a that has reserved its blocks and is about to write its record.
    await t.deps.store.bgpBlocks.reserve("crm-a", 1, ["192.168.100.8/30", "192.168.100.12/30"]);
    const clash = await post(withBgp("crm-b", "192.168.100.8/30", "192.168.100.32/30"));
    expect(clash.status).toBe(409);
    expect(json(clash)).toMatchObject({
      code: "CONFLICT",
      errors: [
        { path: "bgp.primaryPeeringCidr", message: expect.stringMatching(/192\.168\.100\.8\/30 is reserved by interconnect "crm-a"/) },
      ],
    });
    expect(await t.deps.store.interconnects.get("crm-b")).toBeUndefined();
    // crm-b gave back the secondary block it could take; crm-a keeps both of its own.
    expect(await reservedBlocks()).toEqual({ "crm-a": ["192.168.100.12/30", "192.168.100.8/30"] });

    const secondary = await post(withBgp("crm-c", "192.168.100.40/30", "192.168.100.12/30"));
    expect(secondary.status).toBe(409);
    expect(json(secondary).errors).toEqual([
      { path: "bgp.secondaryPeeringCidr", message: expect.stringContaining('reserved by interconnect "crm-a"') },
    ]);
    expect(await reservedBlocks()).toEqual({ "crm-a": ["192.168.100.12/30", "192.168.100.8/30"] });
  });

  it("lets exactly one of several names asking for the same blocks at once have them", async () => {
    const names = ["same-a", "same-b", "same-c", "same-d"];
    const results = await Promise.all(names.map((n) => post(withBgp(n, "192.168.100.64/30", "192.168.100.68/30"))));
    const winners = names.filter((_, i) => results[i]?.status === 202);
    expect(winners).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 202)) {
      // 409 when it lost the reservation; 400 when the winner's record was already there to check against.
      expect([400, 409]).toContain(res.status);
      expect((json(res).errors as { path: string }[])[0]?.path).toBe("bgp.primaryPeeringCidr");
    }
    expect(await reservedBlocks()).toEqual({ [winners[0] as string]: ["192.168.100.64/30", "192.168.100.68/30"] });
  });

  it("gives the blocks back when the request fails after reserving them: a concurrent request for the name with another spec won", async () => {
    const results = await Promise.all([
      post(withBgp("erp-x", "192.168.100.80/30", "192.168.100.84/30")),
      post(withBgp("erp-x", "192.168.100.88/30", "192.168.100.92/30")),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
    const plan = (await t.deps.store.interconnects.getOrThrow("erp-x")).bgpPlan;
    expect(await reservedBlocks()).toEqual({ "erp-x": [plan?.primary.cidr, plan?.secondary.cidr].sort() });
  });

  it("reuses a deleted interconnect's blocks", async () => {
    expect((await post(withoutBgp("gone-a"))).status).toBe(202);
    const repo = t.deps.store.interconnects;
    let rec = await repo.getOrThrow("gone-a");
    rec = await repo.transitionState("gone-a", "failed", rec.etag);
    rec = await repo.transitionState("gone-a", "tearing-down", rec.etag, { attempt: 2 });
    await repo.transitionState("gone-a", "deleted", rec.etag);
    await t.deps.store.bgpBlocks.releaseOwner("gone-a", 2);
    expect((await post(withoutBgp("next-b"))).status).toBe(202);
    expect((await repo.getOrThrow("next-b")).bgpPlan?.primary.cidr).toBe("192.168.100.0/30");
  });
});
