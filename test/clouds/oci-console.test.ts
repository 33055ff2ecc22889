/**
 * The OCI SDK's retrier writes every failed attempt with console.warn ("Request cannot be retried. Not
 * Retrying. Exception occurred : …" on a plain 404). Inside our calls those lines are dropped; the
 * call's outcome says it better. Any other console.warn still reaches the console.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudCallLog } from "../../src/clouds/call-log";
import { startEmulators, type RunningEmulators } from "../../src/local/emulators";

const written: string[] = [];
const realWarn = console.warn;
let emulators: RunningEmulators;

beforeAll(async () => {
  // Before the adapter loads: it keeps the console.warn it finds and forwards what it does not drop.
  console.warn = (...args: unknown[]) => void written.push(args.map(String).join(" "));
  emulators = await startEmulators();
});

afterAll(async () => {
  console.warn = realWarn;
  await emulators.close();
});

describe("OCI SDK console lines", () => {
  it("a 404 inside a call prints nothing; a warning outside one still prints", async () => {
    const { OciClients } = await import("../../src/clouds/oci/network");
    const oci = emulators.oci;
    const clients = new OciClients({
      tenancyId: oci.tenancyId,
      userId: oci.userId,
      fingerprint: oci.fingerprint,
      endpoint: oci.url,
      privateKey: readFileSync(oci.privateKeyPath, "utf8"),
      retry: { maxAttempts: 2, baseDelaySeconds: 0.01, maxDelaySeconds: 0.02 },
    });
    const network = clients.network(oci.region, new CloudCallLog());
    expect(await network.getVcn("ocid1.vcn.oc1.phx.doesnotexist")).toBeUndefined();
    expect(written.filter((l) => /Request cannot be retried|Retrying request|retry attempts/.test(l))).toEqual([]);
    console.warn("Request cannot be retried. Not Retrying. (not from the SDK)");
    expect(written).toEqual(["Request cannot be retried. Not Retrying. (not from the SDK)"]);
  });
});
