import { describe, expect, it } from "vitest";
import {
  COMPENSATION_REMOVED_EVERYTHING,
  CREATED_NOTHING,
  describeHolder,
  failedProvisioningLeftNothing,
  type RecordOutcome,
} from "../../src/domain/failed-provisioning";

const failed = (step: string, message: string, kind = "provision"): RecordOutcome => ({
  name: "x",
  state: "failed",
  currentOperation: { kind },
  failure: { step, message },
});

describe("failedProvisioningLeftNothing", () => {
  it("is true for a provisioning that failed before creating anything, or whose compensation removed everything", () => {
    expect(failedProvisioningLeftNothing(failed("preflight", "NOT_FOUND: Virtual network vnet-missing was not found"))).toBe(true);
    expect(
      failedProvisioningLeftNothing(failed("drg", `RelatedResourceNotAuthorizedOrNotFound: …; ${COMPENSATION_REMOVED_EVERYTHING}`)),
    ).toBe(true);
    expect(failedProvisioningLeftNothing(failed("drg", `DEADLINE_EXCEEDED: …; ${CREATED_NOTHING}`))).toBe(true);
  });

  it("is false whenever something may remain: kept resources, a failed compensation, a failed teardown, a live record", () => {
    expect(
      failedProvisioningLeftNothing(failed("circuit", `X; ${COMPENSATION_REMOVED_EVERYTHING}, kept gateway-subnet: something uses it`)),
    ).toBe(false);
    expect(failedProvisioningLeftNothing(failed("circuit", "X; resources kept for inspection: gateway, circuit"))).toBe(false);
    expect(
      failedProvisioningLeftNothing(
        failed("circuit", "X; compensation FAILED at gateway (…): tear down manually or DELETE the interconnect"),
      ),
    ).toBe(false);
    expect(failedProvisioningLeftNothing(failed("record", "CONFLICT: …", "teardown"))).toBe(false);
    expect(failedProvisioningLeftNothing({ name: "x", state: "active", currentOperation: { kind: "provision" } })).toBe(false);
    expect(failedProvisioningLeftNothing({ name: "x", state: "failed" })).toBe(false);
  });

  it("describes a holder with its state, and a failed one with how to release it", () => {
    expect(describeHolder({ name: "vnet-missing", state: "failed", failure: { step: "preflight", message: "" } }, "block")).toBe(
      "interconnect vnet-missing (failed at preflight; DELETE it to release the block)",
    );
    expect(describeHolder({ name: "erp-prod", state: "provisioning" }, "virtual network")).toBe("interconnect erp-prod (provisioning)");
  });
});
