import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { adoptionBody, changePatch } from "../../src/cli/day2";
import { EXIT } from "../../src/cli/exit";

const none = { tag: [], removeTag: [] };

describe("interconnect change: the merge patch of the options", () => {
  it("names only what the options ask for, Mbps as the spec's Gbps, removed tags as null", () => {
    expect(
      changePatch({
        ...none,
        bandwidth: "5000",
        skuTier: "Premium",
        fastpath: false,
        tag: ["team=network", "cost=a=b"],
        removeTag: ["old"],
        confirmIrreversible: true,
      }),
    ).toEqual({
      bandwidthGbps: 5,
      azure: { circuitSku: { tier: "Premium" }, gateway: { fastPath: false } },
      tags: { team: "network", cost: "a=b", old: null },
      confirmIrreversible: true,
    });
    expect(changePatch({ ...none, skuFamily: "UnlimitedData" })).toEqual({ azure: { circuitSku: { family: "UnlimitedData" } } });
  });

  it("refuses an empty change, a bandwidth that is no FastConnect shape in Mbps, and a tag without =", () => {
    expect(() => changePatch({ ...none, confirmIrreversible: true })).toThrow(/^Nothing to change/);
    for (const bandwidth of ["2", "1500", "2 Gbps"])
      expect(() => changePatch({ ...none, bandwidth })).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
    expect(() => changePatch({ ...none, tag: ["=x"] })).toThrow(/--tag takes key=value/);
  });
});

describe("interconnect adopt: the request body", () => {
  it("starts from --from and lets each flag override its field; grants split on commas", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "cli-adopt-")), "adoption.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "legacy",
        azure: { circuitId: "/subscriptions/x/c", connectionName: "conn-legacy" },
        oci: { region: "us-ashburn-1", compartmentId: "ocid1.compartment.oc1..a", vcnId: "ocid1.vcn.oc1.iad.a" },
        tags: { a: "1" },
      }),
    );
    expect(
      adoptionBody({
        from: file,
        name: "legacy-2",
        connectionName: "conn-2",
        grant: ["connection,virtual-circuit", "circuit"],
        tag: ["b=2"],
      }),
    ).toEqual({
      name: "legacy-2",
      azure: { circuitId: "/subscriptions/x/c", connectionName: "conn-2" },
      oci: { region: "us-ashburn-1", compartmentId: "ocid1.compartment.oc1..a", vcnId: "ocid1.vcn.oc1.iad.a" },
      grant: ["connection", "virtual-circuit", "circuit"],
      tags: { a: "1", b: "2" },
    });
    expect(() => adoptionBody({ from: path.join(path.dirname(file), "missing.json"), grant: [], tag: [] })).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage }),
    );
  });
});
