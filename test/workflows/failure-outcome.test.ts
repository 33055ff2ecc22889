/**
 * What a failed provisioning tells the triggers through its record: a spec whose azure.location is not
 * the VNet's region fails pre-flight before anything exists; a run whose compensation removed everything
 * says so in words failedProvisioningLeftNothing recognises, and claims no shared resource any more.
 */
import { describe, expect, it } from "vitest";
import { failedProvisioningLeftNothing } from "../../src/domain/failed-provisioning";
import type { FakeClouds } from "./fake-clouds";
import { cloudCalls, cloudsWithRecord, EXAMPLE_SPEC, provisionInput, runProvision } from "./fixtures";

/** OCI refuses the DRG for good (unknown compartment): the provisioning fails at drg and compensates. */
const COMPARTMENT_NOT_FOUND = {
  code: "RelatedResourceNotAuthorizedOrNotFound",
  message: "compartmentId not found",
  retryable: false,
  cloud: "oci" as const,
  statusCode: 400,
};

function leftNothing(clouds: FakeClouds): boolean {
  const record = clouds.record;
  if (record === null) throw new Error("no record");
  return failedProvisioningLeftNothing({
    name: "erp-prod",
    state: record.state,
    currentOperation: { kind: "provision" },
    failure: record.failure as { step: string; message: string },
  });
}

describe("a failed provisioning's record", () => {
  it("pre-flight refuses an azure.location other than the VNet's region, naming azure.location, before anything exists", async () => {
    const clouds = cloudsWithRecord();
    const spec = { ...EXAMPLE_SPEC, azure: { ...EXAMPLE_SPEC.azure, location: "australiaeast" } };
    const run = await runProvision(clouds, { input: provisionInput({ spec }) });
    expect(run.error).toMatch(
      /preflight: PREFLIGHT_FAILED: azure\.location australiaeast differs from the region of virtual network vnet-erp \(eastus\); the gateway and its public IP must be in the VNet's region/,
    );
    expect(cloudCalls(run.calls).some((n) => n.includes("Ensure"))).toBe(false);
    expect(leftNothing(clouds)).toBe(true);
  });

  it("after a compensation that removed everything: the message says so and the record owns no shared resource", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureDrg", [COMPARTMENT_NOT_FOUND]);
    const run = await runProvision(clouds);
    expect(run.error).toMatch(/failed at drg: .*; compensation removed what this run created$/);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect(clouds.record?.resources.owned).toEqual({ gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false });
    expect(leftNothing(clouds)).toBe(true);
  });

  it("with resources kept for inspection: the record still owns them and holds its networks", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureDrg", [COMPARTMENT_NOT_FOUND]);
    const spec = { ...EXAMPLE_SPEC, keepResourcesOnFailure: true };
    const run = await runProvision(clouds, { input: provisionInput({ spec }) });
    expect(run.error).toMatch(/resources kept for inspection: gateway-subnet, gateway, drg/);
    expect(clouds.record?.resources.owned).toMatchObject({ gatewaySubnet: true, gateway: true });
    expect(leftNothing(clouds)).toBe(false);
  });
});

describe("the record and status while a failed provisioning compensates", () => {
  it("say failed, with the failure, before the first removal, and the step number never goes back", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureDrg", [COMPARTMENT_NOT_FOUND]);
    const run = await runProvision(clouds);
    expect(run.error).toMatch(/compensation removed what this run created$/);

    // The first failed write comes before any removal and already names the failure and the compensation.
    const firstFailed = clouds.recordHistory.findIndex((r) => r.state === "failed");
    expect(clouds.recordHistory[firstFailed]?.failure).toMatchObject({
      step: "drg",
      message: expect.stringMatching(/compartmentId not found; compensating: removing /),
    });
    const names = run.calls.map((c) => c.name);
    const firstRemoval = names.findIndex((n) => n.includes("Delete"));
    const failedWrite = names.findIndex(
      (n, i) => n === "recordUpdate" && (run.calls[i]?.input as { transitionTo?: string }).transitionTo === "failed",
    );
    expect(failedWrite).toBeGreaterThan(-1);
    expect(failedWrite).toBeLessThan(firstRemoval);

    const numbers = run.statuses.map((s) => s.stepNumber as number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(run.statuses.some((s) => s.phase === "compensating")).toBe(true);

    // After it removed everything, the record lists only the customer's own VNet and route table.
    expect(Object.keys(clouds.record?.resources ?? {}).sort()).toEqual(["owned", "routeTableId", "virtualNetworkId"]);
  });
});
