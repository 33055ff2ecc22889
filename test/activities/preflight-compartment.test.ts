/**
 * A mistyped oci.compartmentId is caught by the pre-flight read (OCI answers 404 NotAuthorizedOrNotFound
 * on lists in a compartment the user cannot see), and a later teardown of that failed interconnect still
 * finds nothing to remove instead of failing on the same 404.
 */
import { describe, expect, it } from "vitest";
import { decodeFailure, type OciScope } from "../../src/contracts";
import { invoke, opContext, useActivityEnv } from "./env";

const getEnv = useActivityEnv();
const NOPE = "ocid1.compartment.oc1..aaaaaaaanope";

describe("the OCI compartment in pre-flight", () => {
  it("fails ociReadProviderService with NOT_FOUND naming oci.compartmentId, and reads the seeded compartment", async () => {
    const env = getEnv();
    const op = opContext("cmp-typo");
    const err = await invoke(env, "ociReadProviderService", { opContext: op, region: env.oci.region, compartmentId: NOPE }).catch(
      (e: unknown) => e,
    );
    const failure = decodeFailure(err);
    expect(failure).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(failure.message).toContain(`oci.compartmentId ${NOPE}`);
    const ok = await invoke(env, "ociReadProviderService", {
      opContext: op,
      region: env.oci.region,
      compartmentId: env.oci.seed.compartmentId,
    });
    expect(ok.providerName).toBe("Microsoft Azure");
  });

  it("lets the teardown of such an interconnect find nothing in that compartment rather than fail", async () => {
    const env = getEnv();
    const op = opContext("cmp-typo", "teardown");
    const oci: OciScope = { region: env.oci.region, compartmentId: NOPE };
    await expect(invoke(env, "ociDeleteVirtualCircuit", { opContext: op, oci })).resolves.toEqual({ status: "deleted" });
    await expect(invoke(env, "ociDeleteDrgAttachment", { opContext: op, oci, vcnId: env.oci.seed.vcnId })).resolves.toEqual({
      status: "deleted",
    });
    await expect(invoke(env, "ociDeleteDrg", { opContext: op, oci })).resolves.toEqual({ status: "deleted" });
    await expect(invoke(env, "ociGetDrg", { opContext: op, oci })).resolves.toEqual({ found: false });
  });
});
