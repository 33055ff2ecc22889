import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import {
  INTERCONNECT_STATES,
  type InterconnectState,
  assertTransition,
  canTransition,
  isInterconnectState,
  nextStates,
} from "../../src/domain/lifecycle";

const ALLOWED: [InterconnectState, InterconnectState][] = [
  ["requested", "provisioning"],
  ["requested", "failed"],
  ["requested", "deleted"],
  ["provisioning", "active"],
  ["provisioning", "failed"],
  ["provisioning", "tearing-down"],
  ["active", "tearing-down"],
  ["failed", "tearing-down"],
  ["failed", "requested"],
  ["tearing-down", "deleted"],
  ["tearing-down", "failed"],
  ["deleted", "requested"],
];

describe("lifecycle", () => {
  it("allows exactly the documented transitions", () => {
    for (const from of INTERCONNECT_STATES) {
      for (const to of INTERCONNECT_STATES) {
        const expected = ALLOWED.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it("rejects a forbidden transition with a 409 naming both states and the allowed ones", () => {
    let caught: unknown;
    try {
      assertTransition("active", "provisioning");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const err = caught as DomainError;
    expect(err.code).toBe("INVALID_TRANSITION");
    expect(err.status).toBe(409);
    expect(err.message).toContain('"active"');
    expect(err.message).toContain('"provisioning"');
    expect(err.message).toContain('"tearing-down"');
    expect(err.details).toEqual({ from: "active", to: "provisioning", allowed: ["tearing-down"] });
  });

  it("accepts allowed transitions silently and lists next states", () => {
    expect(() => assertTransition("provisioning", "tearing-down")).not.toThrow();
    expect(nextStates("tearing-down")).toEqual(["deleted", "failed"]);
  });

  it("recognises state strings from storage", () => {
    expect(isInterconnectState("tearing-down")).toBe(true);
    expect(isInterconnectState("Active")).toBe(false);
    expect(isInterconnectState(undefined)).toBe(false);
  });
});
