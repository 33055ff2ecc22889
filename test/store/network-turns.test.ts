/**
 * The queue's rows on real Azurite: arrival numbers, taking both turns in one transaction (and only
 * one of two racing runs), handing a turn to the interconnect's next operation, withdrawing a queued
 * run, and leaving conditional on the rows as read.
 */
import { describe, expect, it } from "vitest";
import { turnOf } from "../../src/domain/network-queue";
import { createTableClient, LazyTable } from "../../src/store/table-client";
import { BusyError } from "../../src/domain/errors";
import { DEFAULT_CONTENTION, NetworkTurns, type ContentionBudget, type TurnRequest } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";

const storage = useAzurite();
const VNET = "virtualNetwork|/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/vnet-erp";
const VCN = "vcn|ocid1.vcn.oc1.iad.aaaaaaaaerpvcn";

function turns(contention?: ContentionBudget): NetworkTurns {
  return new NetworkTurns(
    new LazyTable(createTableClient({ connectionString: storage.connectionString }, uniqueTableName("turns"))),
    contention,
  );
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

  // 50 writers at once outlasted the 10 rounds without pause the store made before (on a hot `seq` row).
  it("lets 50 runs join one VNet and VCN at the same instant while 10 others withdraw: every call succeeds, places unique and in order", async () => {
    const t = turns();
    const arrivals = 50;
    const early = Array.from({ length: 10 }, (_, i) => `early-${i}`);
    await Promise.all(early.map((n) => t.join(run(n))));
    const late = Array.from({ length: arrivals }, (_, i) => `late-${i}`);
    const [joined, withdrawn] = await Promise.all([
      Promise.all(late.map((n) => t.join(run(n)))),
      Promise.all(early.map((n) => t.withdraw(n, `provision-${n}-1`))),
    ]);
    expect(joined).toHaveLength(arrivals);
    expect(withdrawn.map((w) => w.outcome)).toEqual(early.map(() => "withdrawn"));
    const rows = await t.list();
    expect(rows.every((r) => !r.holds && r.owner.startsWith("late-"))).toBe(true);
    // Each run has one place on each network, with the same number on both.
    const byOwner = new Map<string, number[]>();
    for (const r of rows) byOwner.set(r.owner, [...(byOwner.get(r.owner) ?? []), r.seq]);
    expect([...byOwner.keys()].sort()).toEqual([...late].sort());
    for (const seqs of byOwner.values()) expect(seqs[0]).toBe(seqs[1]);
    // One number per arrival, after the early ones', none taken twice.
    const seqs = [...byOwner.values()].map((s) => s[0]!).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: arrivals }, (_, i) => 11 + i));
  });

  it("gives up with a retryable BusyError (Retry-After) when its round budget runs out, leaving no half-written place", async () => {
    const t = turns({ ...DEFAULT_CONTENTION, maxRounds: 1, retryAfterSeconds: 3 });
    const names = Array.from({ length: 12 }, (_, i) => `busy-${i}`);
    const results = await Promise.allSettled(names.map((n) => t.join(run(n))));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(BusyError);
      expect(failure).toMatchObject({ code: "BUSY", status: 503, retryAfterSeconds: 3 });
    }
    const rows = await t.list();
    expect(rows).toHaveLength(2 * (names.length - failures.length));
    expect(new Set(rows.map((r) => r.seq)).size).toBe(names.length - failures.length);
  });
});
