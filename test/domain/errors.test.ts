import { describe, expect, it } from "vitest";
import { DomainError, ErrorCodes, ValidationError, isDomainError, toProblem } from "../../src/domain/errors";

describe("DomainError", () => {
  it("takes the status that fits its code unless told otherwise", () => {
    expect(new DomainError(ErrorCodes.NOT_FOUND, "no such interconnect").status).toBe(404);
    expect(new DomainError(ErrorCodes.PRECONDITION_FAILED, "etag").status).toBe(412);
    expect(new DomainError(ErrorCodes.CONFLICT, "x", { status: 423 }).status).toBe(423);
    expect(new DomainError("SOMETHING_NEW", "x").status).toBe(500);
  });

  it("keeps cause and details", () => {
    const cause = new Error("socket hang up");
    const err = new DomainError(ErrorCodes.CLOUD_REQUEST_FAILED, "ARM PUT failed", { cause, details: { requestId: "r1" } });
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ requestId: "r1" });
    expect(err).toBeInstanceOf(Error);
    expect(isDomainError(err)).toBe(true);
    expect(isDomainError(new Error("plain"))).toBe(false);
  });
});

describe("toProblem", () => {
  it("renders RFC 9457 problem details with field errors for validation failures", () => {
    const err = new ValidationError([
      { path: "azure.virtualNetwork.gatewaySubnetPrefix", message: "must be /27 or larger" },
      { path: "bandwidthGbps", message: "must be one of 1, 2, 5, 10" },
    ]);
    const problem = toProblem(err, "/api/interconnects/erp-prod");
    expect(problem).toEqual({
      type: "urn:interconnect:error:validation-failed",
      title: "The request is not valid",
      status: 400,
      detail: "azure.virtualNetwork.gatewaySubnetPrefix: must be /27 or larger; bandwidthGbps: must be one of 1, 2, 5, 10",
      code: "VALIDATION_FAILED",
      instance: "/api/interconnects/erp-prod",
      errors: err.issues,
    });
    expect(JSON.parse(JSON.stringify(problem))).toEqual(problem);
  });

  it("omits instance and errors when there are none", () => {
    const problem = toProblem(new DomainError(ErrorCodes.INVALID_TRANSITION, "active cannot become provisioning"));
    expect(problem).toEqual({
      type: "urn:interconnect:error:invalid-transition",
      title: "The interconnect cannot move to that state",
      status: 409,
      detail: "active cannot become provisioning",
      code: "INVALID_TRANSITION",
    });
  });
});
