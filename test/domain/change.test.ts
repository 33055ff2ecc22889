import { describe, expect, it } from "vitest";
import { applyMergePatch, planChange } from "../../src/domain/change";
import { ValidationError } from "../../src/domain/errors";
import { parseInterconnectSpec, type InterconnectSpec } from "../../src/domain/spec";
import { exampleSpec, exampleSpecBody } from "../support/example-spec";

/** What a merge patch of an active interconnect's spec may change in place (day2-operations.md §3.4). */
const current = exampleSpec();

function refusal(patch: unknown, from: InterconnectSpec = current): ValidationError {
  try {
    planChange(from, patch);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

const withSku = (tier: string, family: string) =>
  parseInterconnectSpec({ ...exampleSpecBody(), azure: { ...exampleSpecBody().azure, circuitSku: { tier, family } } });

describe("applyMergePatch (RFC 7396)", () => {
  it("merges objects, replaces values and arrays, and removes with null", () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], a: null })).toEqual({
      b: { d: 3, x: 1 },
      e: [2],
    });
  });
});

describe("a change in place", () => {
  it("takes a bandwidth increase only with confirmIrreversible, and says what cannot be undone without it", () => {
    const refused = refusal({ bandwidthGbps: 2 });
    expect(refused.status).toBe(409);
    expect(refused.code).toBe("CONFLICT");
    expect(refused.issues).toEqual([
      { path: "bandwidthGbps", message: expect.stringMatching(/can never be undone.*"confirmIrreversible": true/) },
    ]);
    const plan = planChange(current, { bandwidthGbps: 2, confirmIrreversible: true });
    expect(plan.next.bandwidthGbps).toBe(2);
    expect(plan.items).toEqual([expect.objectContaining({ kind: "bandwidth", path: "bandwidthGbps", from: 1, to: 2 })]);
  });

  it("refuses a decrease with what to do instead, confirmed or not", () => {
    const two = parseInterconnectSpec({ ...exampleSpecBody(), bandwidthGbps: 2 });
    const refused = refusal({ bandwidthGbps: 1, confirmIrreversible: true }, two);
    expect(refused.status).toBe(409);
    expect(refused.issues).toEqual([
      { path: "bandwidthGbps", message: expect.stringMatching(/cannot decrease.*provision a new interconnect/) },
    ]);
  });

  it("answers 400 for a bandwidth FastConnect does not offer, and for a confirmation that is not a boolean", () => {
    const bad = refusal({ bandwidthGbps: 3 });
    expect(bad.status).toBe(400);
    expect(bad.issues[0]?.path).toBe("bandwidthGbps");
    expect(refusal({ confirmIrreversible: "yes" }).issues).toEqual([{ path: "confirmIrreversible", message: "must be true or false" }]);
    expect(refusal([1]).status).toBe(400);
  });

  it("follows the SKU table: Standard ⇄ Premium freely, MeteredData → UnlimitedData confirmed, never back, never to Local", () => {
    expect(planChange(current, { azure: { circuitSku: { tier: "Premium" } } }).items).toEqual([
      expect.objectContaining({ kind: "circuitSku", to: { tier: "Premium", family: "MeteredData" } }),
    ]);
    expect(
      planChange(withSku("Premium", "MeteredData"), { azure: { circuitSku: { tier: "Standard" } } }).items[0]?.irreversible,
    ).toBeUndefined();
    expect(refusal({ azure: { circuitSku: { family: "UnlimitedData" } } }).issues[0]).toEqual({
      path: "azure.circuitSku",
      message: expect.stringMatching(/MeteredData → UnlimitedData can never be undone/),
    });
    expect(planChange(current, { azure: { circuitSku: { family: "UnlimitedData" } }, confirmIrreversible: true }).items[0]).toMatchObject({
      kind: "circuitSku",
      irreversible: expect.any(String),
    });
    const unlimited = withSku("Standard", "UnlimitedData");
    expect(refusal({ azure: { circuitSku: { family: "MeteredData" } }, confirmIrreversible: true }, unlimited).issues).toEqual([
      { path: "azure.circuitSku.family", message: expect.stringMatching(/cannot go from UnlimitedData back to MeteredData/) },
    ]);
    expect(refusal({ azure: { circuitSku: { tier: "Local" } } }, unlimited).issues[0]?.path).toBe("azure.circuitSku.tier");
    expect(planChange(withSku("Local", "UnlimitedData"), { azure: { circuitSku: { tier: "Premium" } } }).items[0]?.kind).toBe("circuitSku");
  });

  it("changes tags, FastPath where the gateway SKU has it, and keepResourcesOnFailure without confirmation", () => {
    const plan = planChange(current, {
      tags: { "cost-center": "cc-42" },
      azure: { gateway: { fastPath: false } },
      keepResourcesOnFailure: true,
    });
    expect(plan.items.map((i) => i.kind).sort()).toEqual(["fastPath", "record", "tags"]);
    expect(plan.next.tags).toEqual({ "cost-center": "cc-42" });
    const small = parseInterconnectSpec({ ...exampleSpecBody(), azure: { ...exampleSpecBody().azure, gateway: { sku: "Standard" } } });
    const noFastPath = refusal({ azure: { gateway: { fastPath: true } } }, small);
    expect(noFastPath.status).toBe(400);
    expect(noFastPath.issues[0]?.path).toBe("azure.gateway.fastPath");
  });

  it("refuses every rebuild-only field at once, each with what to do instead", () => {
    const refused = refusal({
      azure: { peeringLocation: "Washington DC2", virtualNetwork: { name: "vnet-other" }, gateway: { sku: "ErGw3AZ" } },
      oci: { vcnId: "ocid1.vcn.oc1.iad.aaaaaaaaothervcn" },
      bgp: { primaryPeeringCidr: "192.168.101.0/30" },
      bandwidthGbps: 2,
    });
    expect(refused.status).toBe(409);
    expect(refused.issues.map((i) => i.path).sort()).toEqual([
      "azure.gateway.sku",
      "azure.peeringLocation",
      "azure.virtualNetwork.name",
      "bgp.primaryPeeringCidr",
      "oci.vcnId",
    ]);
    expect(refused.issues.find((i) => i.path === "azure.peeringLocation")?.message).toMatch(
      /provision a new interconnect .* then DELETE this one/,
    );
    expect(refusal({ name: "other-name" }).issues[0]?.path).toBe("name");
  });

  it("finds nothing to do in a patch that repeats the spec", () => {
    expect(planChange(current, { bandwidthGbps: 1, tags: null }).items).toEqual([]);
  });
});
