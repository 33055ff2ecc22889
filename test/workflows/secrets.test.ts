import { describe, expect, it } from "vitest";
import { cloudsWithRecord, runProvision, runTeardown, TEARDOWN_ID } from "./fixtures";

/**
 * A cloud's error text can quote the ExpressRoute service key (OCI: "Invalid providerServiceKeyName
 * <key>"). The instance output (Durable status API, the record's currentOperation), the custom status,
 * the record's failure and the audit must show it masked.
 */
const SERVICE_KEY = "6f3c2a1b-9d8e-4f70-a1b2-c3d4e5f60718";
const MASKED = "6f3c2a1b-****-****-****-************";
const quoting = `Invalid providerServiceKeyName ${SERVICE_KEY} for provider service`;

describe("a failure that quotes the service key", () => {
  it("ends a provisioning with the key masked in the instance output, status, record and audit", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureVirtualCircuit", [
      { code: "TooManyRequests", message: quoting, retryable: true, cloud: "oci", statusCode: 429 },
      { code: "InvalidParameter", message: quoting, retryable: false, cloud: "oci", statusCode: 400 },
    ]);
    const run = await runProvision(clouds);
    expect(run.error).toContain(
      `failed at virtual-circuit: InvalidParameter: Invalid providerServiceKeyName ${MASKED} for provider service`,
    );
    // the retry was noted in the custom status while it waited
    expect(run.statuses.some((s) => s.lastObserved === `Invalid providerServiceKeyName ${MASKED} for provider service`)).toBe(true);
    expect(JSON.stringify(clouds.record?.failure)).toContain(MASKED);
    expect(clouds.audit.some((a) => a.message.includes(MASKED))).toBe(true);
    for (const shown of [run.error, JSON.stringify(run.statuses), JSON.stringify(clouds.record), JSON.stringify(clouds.audit)]) {
      expect(shown).not.toContain(SERVICE_KEY);
    }
  });

  it("ends a teardown with the key masked in the instance output", async () => {
    const clouds = cloudsWithRecord({}, "active");
    clouds.record!.operationId = TEARDOWN_ID;
    clouds.failNext.set("azureDeleteConnection", [
      {
        code: "BadRequest",
        message: `connection refers to circuit with service key ${SERVICE_KEY}`,
        retryable: false,
        cloud: "azure",
        statusCode: 400,
      },
    ]);
    const run = await runTeardown(clouds);
    expect(run.error).toContain(`BadRequest: connection refers to circuit with service key ${MASKED}`);
    expect(run.error).not.toContain(SERVICE_KEY);
    expect(JSON.stringify(clouds.record)).not.toContain(SERVICE_KEY);
  });
});
