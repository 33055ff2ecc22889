/**
 * A compartment the user cannot see: OCI's list operations answer 404 NotAuthorizedOrNotFound for it,
 * which is what the pre-flight relies on to catch a mistyped oci.compartmentId before anything bills.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ociError, startHarness, type Harness } from "./harness";

const NOPE = "ocid1.compartment.oc1..aaaaaaaanope";

describe("OCI emulator: compartments on list operations", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("answers 404 NotAuthorizedOrNotFound for an unknown compartment on every list, and lists the known ones", async () => {
    h = await startHarness();
    const lists: [string, (compartmentId: string) => Promise<unknown>][] = [
      ["vcns", (compartmentId) => h.client.listVcns({ compartmentId })],
      ["drgs", (compartmentId) => h.client.listDrgs({ compartmentId, limit: 1 })],
      ["drgAttachments", (compartmentId) => h.client.listDrgAttachments({ compartmentId })],
      ["virtualCircuits", (compartmentId) => h.client.listVirtualCircuits({ compartmentId })],
      ["fastConnectProviderServices", (compartmentId) => h.client.listFastConnectProviderServices({ compartmentId })],
    ];
    for (const [what, list] of lists) {
      const err = await ociError(() => list(NOPE));
      expect({ what, status: err.statusCode, code: err.serviceCode }).toEqual({ what, status: 404, code: "NotAuthorizedOrNotFound" });
      expect(err.message).toContain(NOPE);
      await expect(list(h.emu.seed.compartmentId), what).resolves.toBeDefined();
      await expect(list(h.emu.tenancyId), `${what} in the root compartment`).resolves.toBeDefined();
    }
  });
});
