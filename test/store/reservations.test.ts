import { describe, expect, it } from "vitest";
import { BgpBlockTakenError, createStore, type Store } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";
import { exampleSpec } from "./fixtures";

const storage = useAzurite();
const GRACE_MS = 60_000;

/** A store whose clock the test moves. */
function store(): { store: Store; clock: { now: number } } {
  const clock = { now: Date.parse("2025-06-01T12:00:00Z") };
  const s = createStore(
    { connectionString: storage.connectionString },
    { interconnects: uniqueTableName("ic"), audit: uniqueTableName("au") },
    { now: () => new Date(clock.now), bgpReservationGraceMs: GRACE_MS },
  );
  return { store: s, clock };
}

const plan = (a: string, b: string) => ({
  primary: { cidr: a, oracleBgpPeeringIp: "x", customerBgpPeeringIp: "y" },
  secondary: { cidr: b, oracleBgpPeeringIp: "x", customerBgpPeeringIp: "y" },
});

async function outcome(run: Promise<unknown>): Promise<"ok" | string> {
  try {
    await run;
    return "ok";
  } catch (err) {
    if (err instanceof BgpBlockTakenError) return `taken by ${err.holder}`;
    throw err;
  }
}

describe("BgpBlockReservations (real Azurite)", () => {
  it("gives a block to exactly one of many interconnects asking at once, and none of the losers keeps a partial reservation", async () => {
    const { store: s } = store();
    const names = Array.from({ length: 8 }, (_, i) => `ic-${i}`);
    const results = await Promise.all(
      names.map((n) => outcome(s.bgpBlocks.reserve(n, 1, ["192.168.100.0/30", `10.0.${names.indexOf(n)}.0/30`]))),
    );
    const winners = names.filter((_, i) => results[i] === "ok");
    expect(winners).toHaveLength(1);
    for (const r of results) if (r !== "ok") expect(r).toBe(`taken by ${winners[0]}`);
    const rows = await s.bgpBlocks.list();
    expect(rows.map((r) => [r.key, r.owner]).sort()).toEqual(
      [
        [`10.0.${names.indexOf(winners[0] as string)}.0/30`, winners[0]],
        ["192.168.100.0/30", winners[0]],
      ].sort(),
    );
    // Rows live beside the records without showing up as records.
    expect((await s.interconnects.list()).items).toEqual([]);
  });

  it("shares a block between concurrent requests for the same name, and lets only the writer of a row give it back", async () => {
    const { store: s } = store();
    const first = await s.bgpBlocks.reserve("erp-prod", 1, ["192.168.100.0/30"]);
    const second = await s.bgpBlocks.reserve("erp-prod", 1, ["192.168.100.0/30"]);
    expect(second.rows).toEqual([{ key: "192.168.100.0/30" }]);
    await s.bgpBlocks.releaseHeld(second);
    expect((await s.bgpBlocks.list()).map((r) => r.key)).toEqual(["192.168.100.0/30"]);
    await s.bgpBlocks.releaseHeld(first);
    expect(await s.bgpBlocks.list()).toEqual([]);
  });

  it("keeps a block for a live interconnect however old the row, and for a request in flight within the grace period", async () => {
    const { store: s, clock } = store();
    await s.interconnects.create({
      name: "erp-prod",
      spec: exampleSpec("erp-prod"),
      bgpPlan: plan("192.168.100.0/30", "192.168.100.4/30"),
    });
    await s.bgpBlocks.reserve("erp-prod", 1, ["192.168.100.0/30", "192.168.100.4/30"]);
    await s.bgpBlocks.reserve("in-flight", 1, ["192.168.100.8/30"]);
    clock.now += GRACE_MS - 1;
    expect(await outcome(s.bgpBlocks.reserve("crm", 1, ["192.168.100.8/30"]))).toBe("taken by in-flight");
    clock.now += 10 * GRACE_MS;
    expect(await outcome(s.bgpBlocks.reserve("crm", 1, ["192.168.100.0/30"]))).toBe("taken by erp-prod");
    // The request in flight never wrote its record: its row is stale now and another may take the block.
    expect(await outcome(s.bgpBlocks.reserve("crm", 1, ["192.168.100.8/30"]))).toBe("ok");
    expect((await s.bgpBlocks.list()).find((r) => r.key === "192.168.100.8/30")?.owner).toBe("crm");
  });

  it("frees a deleted interconnect's rows at once, but not a newer attempt of the same name", async () => {
    const { store: s } = store();
    const repo = s.interconnects;
    await repo.create({ name: "erp-prod", spec: exampleSpec("erp-prod"), bgpPlan: plan("192.168.100.0/30", "192.168.100.4/30") });
    await s.bgpBlocks.reserve("erp-prod", 1, ["192.168.100.0/30", "192.168.100.4/30"]);
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.transitionState("erp-prod", "failed", rec.etag, { attempt: 1 });
    rec = await repo.transitionState("erp-prod", "tearing-down", rec.etag, { attempt: 2 });
    await repo.transitionState("erp-prod", "deleted", rec.etag);
    // The teardown never released (crashed): a deleted interconnect holds nothing, even within the grace period.
    expect(await outcome(s.bgpBlocks.reserve("crm", 1, ["192.168.100.0/30"]))).toBe("ok");

    // erp-prod provisioned again (attempt 3) takes over its own old row; releasing up to attempt 2 leaves it.
    await s.bgpBlocks.reserve("erp-prod", 3, ["192.168.100.4/30"]);
    expect(await s.bgpBlocks.releaseOwner("erp-prod", 2)).toEqual([]);
    expect(await outcome(s.bgpBlocks.reserve("crm", 1, ["192.168.100.4/30"]))).toBe("taken by erp-prod");
    expect(await s.bgpBlocks.releaseOwner("erp-prod", 3)).toEqual(["192.168.100.4/30"]);
    expect((await s.bgpBlocks.list()).map((r) => [r.key, r.owner])).toEqual([["192.168.100.0/30", "crm"]]);
  });
});
