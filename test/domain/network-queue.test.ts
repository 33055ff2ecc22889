import { describe, expect, it } from "vitest";
import { nextInLine, queuedMessage, turnNetworks, turnOf, type TurnEntry } from "../../src/domain/network-queue";
import { exampleSpec } from "../support/example-spec";

const VNET = "virtualNetwork|vnet-1";
const VCN = "vcn|vcn-1";
const at = "2026-12-01T10:00:00.000Z";
const entry = (owner: string, network: string, seq: number, holds = false): TurnEntry => ({
  network,
  owner,
  operation: "provision",
  instanceId: `provision-${owner}-1`,
  seq,
  holds,
  since: at,
});
/** A run's places on both its networks, as join() writes them (one number for both). */
const both = (owner: string, seq: number, holds = false, vnet = VNET, vcn = VCN) => [
  entry(owner, vnet, seq, holds),
  entry(owner, vcn, seq, holds),
];

describe("turnOf: one run at a time per VNet and VCN, first come first served", () => {
  it("grants the only run, and the first of several", () => {
    expect(turnOf("a", [VNET, VCN], both("a", 1))).toEqual({ granted: true });
    expect(turnOf("a", [VNET, VCN], [...both("a", 1), ...both("b", 2)])).toEqual({ granted: true });
  });

  it("keeps a later run behind an earlier one that waits, and behind a holder even one that came later", () => {
    const entries = [...both("a", 1), ...both("b", 2)];
    expect(turnOf("b", [VNET, VCN], entries)).toMatchObject({ granted: false, behind: { owner: "a", holds: false } });
    // c came first (seq 1) but b took the turn: a holder is never overtaken.
    const held = [...both("b", 2, true), ...both("c", 1)];
    expect(turnOf("c", [VNET, VCN], held)).toMatchObject({ granted: false, behind: { owner: "b", holds: true } });
  });

  it("needs both turns: a holder of only the VCN blocks, and the holder is named before an earlier waiter", () => {
    const entries = [entry("x", VCN, 5, true), ...both("a", 1), ...both("b", 2)];
    expect(turnOf("a", [VNET, VCN], entries)).toMatchObject({ granted: false, behind: { owner: "x", holds: true } });
    expect(turnOf("b", [VNET, VCN], entries)).toMatchObject({ granted: false, behind: { owner: "x" } });
  });

  it("cannot deadlock: A first on the VNet and B first on the VCN is impossible with one number per run", () => {
    // A (seq 1) on VNET1+VCN2, B (seq 2) on VNET2+VCN2, C (seq 3) on VNET1+VCN1: A goes first; B and C wait.
    const entries = [...both("a", 1, false, "v1", "c2"), ...both("b", 2, false, "v2", "c2"), ...both("c", 3, false, "v1", "c1")];
    const granted = ["a", "b", "c"].filter((o) => {
      const mine = entries.filter((e) => e.owner === o).map((e) => e.network);
      return turnOf(o, mine, entries).granted;
    });
    expect(granted).toEqual(["a"]);
  });

  it("runs on other networks do not count: different VNets and VCNs go in parallel", () => {
    const entries = [...both("a", 1, true), ...both("b", 2, false, "virtualNetwork|vnet-2", "vcn|vcn-2")];
    expect(turnOf("b", ["virtualNetwork|vnet-2", "vcn|vcn-2"], entries)).toEqual({ granted: true });
  });

  it("counts a run with no place on a network as last in line there", () => {
    expect(turnOf("z", [VNET, VCN], both("a", 1))).toMatchObject({ granted: false, behind: { owner: "a" } });
  });
});

describe("nextInLine", () => {
  it("names the earliest waiting run of each network without a holder, once", () => {
    const entries = [...both("b", 3), ...both("a", 2), entry("x", "vcn|other", 1, true), entry("y", "vcn|other", 4)];
    expect(nextInLine([VNET, VCN, "vcn|other"], entries).map((e) => e.owner)).toEqual(["a"]);
  });
});

describe("words and keys", () => {
  it("says whom it waits behind and since when, and keys the VNet (lowercased ARM id) before the VCN", () => {
    expect(queuedMessage({ owner: "erp-a", operation: "teardown" }, at)).toBe(`queued behind erp-a (teardown) since ${at}`);
    expect(turnNetworks(exampleSpec())).toEqual([
      "virtualNetwork|/subscriptions/11111111-1111-4111-8111-111111111111/resourcegroups/rg-erp-network/providers/microsoft.network/virtualnetworks/vnet-erp",
      "vcn|ocid1.vcn.oc1.iad.aaaaaaaaerpvcn",
    ]);
  });
});
