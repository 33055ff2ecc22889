import { describe, expect, it } from "vitest";
import { RestError, createHttpHeaders, type PipelineRequest } from "@azure/core-rest-pipeline";
import { OciError } from "oci-common";
import { CloudError, classifyAzureError, classifyOciError, parseRetryAfter, redactSecrets } from "../../src/clouds/errors";

function restError(status: number, code: string, headers: Record<string, string> = {}): RestError {
  return new RestError(`${code}: something`, {
    code,
    statusCode: status,
    response: { status, headers: createHttpHeaders(headers), request: {} as PipelineRequest },
  });
}

function ociError(status: number, code: string, requestId = "opc-1"): OciError {
  return new OciError(
    status,
    code,
    `${code} happened\nSee https://docs.oracle.com for help`,
    requestId,
    "VirtualNetwork",
    "op",
    "",
    "",
    "",
  );
}

describe("classifyAzureError", () => {
  it("429 is retryable and carries Retry-After and the request id", () => {
    const e = classifyAzureError(restError(429, "TooManyRequests", { "retry-after": "7", "x-ms-request-id": "req-429" }));
    expect(e).toMatchObject({
      cloud: "azure",
      code: "TooManyRequests",
      statusCode: 429,
      retryable: true,
      retryAfterSeconds: 7,
      requestId: "req-429",
    });
  });

  it("5xx is retryable; 400, 401, 403 and 404 are permanent", () => {
    expect(classifyAzureError(restError(503, "ServiceUnavailable")).retryable).toBe(true);
    for (const [status, code] of [
      [400, "InvalidRequestFormat"],
      [401, "InvalidAuthenticationToken"],
      [403, "AuthorizationFailed"],
      [404, "ResourceNotFound"],
    ] as const) {
      const e = classifyAzureError(restError(status, code));
      expect(e.retryable, code).toBe(false);
      expect(e.statusCode).toBe(status);
    }
    expect(classifyAzureError(restError(404, "ResourceNotFound")).notFound).toBe(true);
  });

  it("conflicts while the provider propagates are retryable, other 409s are not", () => {
    expect(classifyAzureError(restError(409, "ConflictError")).retryable).toBe(true);
    expect(classifyAzureError(restError(409, "AnotherOperationInProgress")).retryable).toBe(true);
    expect(classifyAzureError(restError(409, "InvalidResourceReference")).retryable).toBe(false);
  });

  it("reads the ARM code out of a failed long-running operation", () => {
    const lro = new Error(
      "The long-running operation has failed. ConflictError. The specified dedicated circuit is not in Deprovisioned state.",
    );
    const e = classifyAzureError(lro, { requestId: "poll-1" });
    expect(e).toMatchObject({ code: "ConflictError", retryable: true, requestId: "poll-1" });
    expect(e.message).toContain("not in Deprovisioned state");
    const permanentLro = new Error("The long-running operation has failed. InvalidGatewaySku. FastPath needs UltraPerformance.");
    expect(classifyAzureError(permanentLro).retryable).toBe(false);
  });

  it("transport failures are retryable; unknown errors are permanent", () => {
    expect(classifyAzureError(new RestError("connect ECONNREFUSED", { code: "REQUEST_SEND_ERROR" })).retryable).toBe(true);
    expect(classifyAzureError(new TypeError("x is undefined")).retryable).toBe(false);
  });

  it("never repeats a secret in the message", () => {
    const key = "1a2b3c4d-1111-4222-8333-444455556666";
    const e = classifyAzureError(restError(400, "InvalidServiceKey"), { secrets: [key] });
    expect(e.message).not.toContain(key);
    const e2 = classifyAzureError(new RestError(`bad key ${key}`, { statusCode: 400, code: "Bad" }), { secrets: [key] });
    expect(e2.message).toBe("bad key [redacted]");
  });
});

describe("classifyOciError", () => {
  it("429, 5xx and 409 IncorrectState are retryable; 412 NoEtagMatch too (re-read and merge)", () => {
    expect(classifyOciError(ociError(429, "TooManyRequests")).retryable).toBe(true);
    expect(classifyOciError(ociError(500, "InternalServerError")).retryable).toBe(true);
    expect(classifyOciError(ociError(409, "IncorrectState")).retryable).toBe(true);
    expect(classifyOciError(ociError(412, "NoEtagMatch")).retryable).toBe(true);
  });

  it("validation, authorization, not-found and other conflicts are permanent, with the opc-request-id", () => {
    for (const [status, code] of [
      [400, "InvalidParameter"],
      [401, "NotAuthenticated"],
      [404, "NotAuthorizedOrNotFound"],
      [409, "Conflict"],
    ] as const) {
      const e = classifyOciError(ociError(status, code, `opc-${status}`));
      expect(e, code).toMatchObject({ cloud: "oci", code, statusCode: status, retryable: false, requestId: `opc-${status}` });
    }
  });

  it("keeps the first line of the SDK's message and redacts secrets and PEM blocks", () => {
    const key = "1a2b3c4d-1111-4222-8333-444455556666";
    const e = classifyOciError(
      new OciError(400, "InvalidParameter", `providerServiceKeyName ${key} rejected\nhelp text`, "r", "", "", "", "", ""),
      { secrets: [key] },
    );
    expect(e.message).toBe("providerServiceKeyName [redacted] rejected");
    expect(redactSecrets("x -----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- y")).toBe("x [redacted PEM] y");
  });

  it("a transport failure (no answer) is retryable", () => {
    const e = classifyOciError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" });
    expect(e).toBeInstanceOf(CloudError);
    expect(e.retryable).toBe(true);
  });
});

describe("parseRetryAfter", () => {
  it("accepts delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("12")).toBe(12);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
