import { describe, expect, it } from "vitest";
import { removalDecision, routeRuleId, sharingView, usageRefsOf, usersOf, usesOf, usesResources } from "../../src/domain/sharing";
import { COMPENSATION_REMOVED_EVERYTHING } from "../../src/domain/failed-provisioning";

const DRG = "ocid1.drg.oc1.iad.shared";

describe("what may be removed (removalDecision)", () => {
  it("keeps a resource another interconnect still uses, naming it", () => {
    const d = removalDecision("drg", DRG, { users: ["b", "c"], createdBy: "a" }, "a", true);
    expect(d).toMatchObject({ remove: false, why: "shared", users: ["b", "c"] });
    expect(d.message).toMatch(/interconnect\(s\) b, c still use it; the last of them removes it/);
  });

  it("ignores the caller on the row (a release redelivered before the row was rewritten)", () => {
    expect(removalDecision("drg", DRG, { users: ["a"], createdBy: "a" }, "a", true)).toMatchObject({ remove: true });
  });

  it("hands over: the last user removes what another interconnect created", () => {
    const d = removalDecision("gateway", "/subscriptions/s/gw", { users: [], createdBy: "a" }, "b", false);
    expect(d).toMatchObject({ remove: true });
    expect(d.message).toMatch(/created by interconnect a and handed over; b is its last user/);
  });

  it("never removes what existed before the service, even unused", () => {
    expect(removalDecision("drg", DRG, { users: [] }, "a", false)).toMatchObject({ remove: false, why: "not-ours" });
    expect(removalDecision("drg", DRG, undefined, "a", false)).toMatchObject({ remove: false, why: "not-ours" });
  });

  it("takes the record's word for a resource with no row (recorded before usage rows existed)", () => {
    expect(removalDecision("drg-attachment", "ocid1.drgattachment.x", undefined, "a", true)).toMatchObject({ remove: true });
  });

  it("never removes the customer's VNet, VCN or route table", () => {
    for (const kind of ["virtual-network", "vcn", "route-table"] as const)
      expect(removalDecision(kind, "x", { users: [], createdBy: "a" }, "a", true)).toMatchObject({ remove: false, why: "not-ours" });
  });
});

describe("who uses what", () => {
  it("a deleted record or a failed provisioning that left nothing uses nothing", () => {
    expect(usesResources(undefined)).toBe(false);
    expect(usesResources({ name: "a", state: "deleted" })).toBe(false);
    expect(
      usesResources({
        name: "a",
        state: "failed",
        currentOperation: { kind: "provision" },
        failure: { step: "provider", message: `timed out; ${COMPENSATION_REMOVED_EVERYTHING}` },
      }),
    ).toBe(false);
    expect(
      usesResources({ name: "a", state: "failed", currentOperation: { kind: "teardown" }, failure: { step: "drg", message: "x" } }),
    ).toBe(true);
    expect(usesResources({ name: "a", state: "active" })).toBe(true);
  });

  it("names the rows of a record's resources, one per routed prefix", () => {
    const refs = usageRefsOf(
      {
        virtualNetworkId: "/v",
        gatewayId: "/gw",
        drgId: DRG,
        routeTableId: "ocid1.routetable.x",
        routedPrefixes: ["10.10.0.0/16", "10.11.0.0/16"],
      },
      "ocid1.vcn.x",
    );
    expect(refs.map((r) => r.kind)).toEqual(["virtual-network", "vcn", "route-table", "gateway", "drg", "route-rule", "route-rule"]);
    expect(refs.at(-1)?.resourceId).toBe(routeRuleId("ocid1.routetable.x", "10.11.0.0/16", DRG));
  });

  it("the view and the plan see the other users, case-insensitively", () => {
    const row = { kind: "gateway" as const, resourceId: "/Subscriptions/S/GW", users: ["a", "b"], createdBy: "a" };
    expect(sharingView(row, "b")).toEqual({
      kind: "gateway",
      resourceId: "/Subscriptions/S/GW",
      shared: true,
      sharedWith: ["a"],
      createdBy: "a",
    });
    expect(sharingView({ ...row, users: ["b"] }, "b")).toMatchObject({ shared: false, sharedWith: [] });
    expect(usersOf("/subscriptions/s/gw", usesOf([row]), "b")).toEqual(["a"]);
  });
});
