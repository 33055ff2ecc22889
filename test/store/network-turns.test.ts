/**
 * The queue's rows on real Azurite: arrival numbers, taking both turns in one transaction (and only
 * one of two racing runs), handing a turn to the interconnect's next operation, withdrawing a queued
 * run, and leaving conditional on the rows as read.
 */
import { describe, expect, it } from "vitest";
import { turnOf } from "../../src/domain/network-queue";
import { createTableClient, LazyTable } from "../../src/store/table-client";
import { NetworkTurns, type TurnRequest } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";

const storage = useAzurite();
const VNET = "virtualNetwork|/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/vnet-erp";
const VCN = "vcn|ocid1.vcn.oc1.iad.aaaaaaaaerpvcn";

function turns(): NetworkTurns {
  return new NetworkTurns(new LazyTable(createTableClient({ connectionString: storage.connectionString }, uniqueTableName("turns"))));
}

const run = (owner: string, networks = [VNET, VCN], operation = "provision"): TurnRequest => ({
  owner,
  operation,
  instanceId: `${operation}-${owner}-1`,
  networks,
  wakeEvent: "networkTurn-1",
});

/** What networkTurnTake does, without the task hub: join, then take when first in line. */
async function tryTurn(t: NetworkTurns, r: TurnRequest): Promise<boolean> {
  const rows = await t.join(r);
  return turnOf(r.owner, r.networks, rows).granted && (await t.take(r, rows));
}

describe("NetworkTurns (real Azurite)", () => {
  it("numbers arrivals once for all of a run's networks, and a second join changes nothing but the wake event", async () => {
    const t = turns();
    await t.join(run("a"));
    await t.join(run("b"));
    await t.join({ ...run("b"), wakeEvent: "networkTurn-2" });
    const rows = await t.list();
    expect(rows.map((r) => [r.owner, r.network === VNET ? "vnet" : "vcn", r.seq, r.holds]).sort()).toEqual([
      ["a", "vcn", 1, false],
      ["a", "vnet", 1, false],
      ["b", "vcn", 2, false],
      ["b", "vnet", 2, false],
    ]);
    expect(rows.filter((r) => r.owner === "b").map((r) => r.wakeEvent)).toEqual(["networkTurn-2", "networkTurn-2"]);
  });

  it("gives the turn to exactly one of several runs taking it at the same instant, on both networks", async () => {
    const t = turns();
    const names = ["r1", "r2", "r3", "r4"];
    await Promise.all(names.map((n) => t.join(run(n))));
    // All look at once, each believing it may be first (the rows they read said so for the first one only).
    const results = await Promise.all(names.map(async (n) => tryTurn(t, run(n))));
    expect(results.filter(Boolean)).toHaveLength(1);
    const holders = (await t.list()).filter((r) => r.holds);
    expect(holders).toHaveLength(2);
    expect(new Set(holders.map((r) => r.owner)).size).toBe(1);
    expect(holders[0]?.owner).toBe("r1");
  });

  it("hands a held turn to the interconnect's next operation, and a late leave of the old instance keeps it", async () => {
    const t = turns();
    expect(await tryTurn(t, run("a"))).toBe(true);
    await t.join(run("b"));
    await t.join({ ...run("a", [VNET, VCN], "teardown"), instanceId: "teardown-a-2" });
    expect(await t.leave("a", "provision-a-1")).toEqual([]);
    const holders = (await t.list()).filter((r) => r.holds);
    expect(holders.map((r) => [r.owner, r.operation, r.instanceId])).toEqual([
      ["a", "teardown", "teardown-a-2"],
      ["a", "teardown", "teardown-a-2"],
    ]);
    expect(await tryTurn(t, run("b"))).toBe(false);
    expect((await t.leave("a", "teardown-a-2")).sort()).toEqual([VCN, VNET].sort());
    expect(await tryTurn(t, run("b"))).toBe(true);
  });

  it("withdraws a run that only waits, but not one holding its turn; a withdrawn run can no longer take it", async () => {
    const t = turns();
    expect(await tryTurn(t, run("a"))).toBe(true);
    const rowsB = await t.join(run("b"));
    expect(await t.withdraw("a", "provision-a-1")).toEqual({ outcome: "holding" });
    expect(await t.withdraw("b", "provision-b-1")).toMatchObject({ outcome: "withdrawn" });
    expect(await t.withdraw("b", "provision-b-1")).toEqual({ outcome: "absent" });
    await t.leave("a", "provision-a-1");
    // b's take with the rows it read before it was withdrawn fails: its waiting rows are gone.
    expect(await t.take(run("b"), rowsB)).toBe(false);
    expect(await t.list()).toEqual([]);
  });

  it("lets runs on other networks hold their turns at the same time", async () => {
    const t = turns();
    expect(await tryTurn(t, run("a"))).toBe(true);
    expect(await tryTurn(t, run("b", ["virtualNetwork|other", "vcn|other"]))).toBe(true);
    expect(await tryTurn(t, run("c", [VNET, "vcn|third"]))).toBe(false);
  });
});
