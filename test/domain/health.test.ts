import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHECK_TIERS,
  FINDING_CODES,
  FINDING_SEVERITIES,
  REMEDIES,
  type FindingDraft,
  healthTransition,
  interconnectHealthSchema,
  nextHealth,
  statusOf,
} from "../../src/domain/health";

const draft = fc.record<FindingDraft>({
  code: fc.constantFrom(...FINDING_CODES),
  subject: fc.constantFrom("circuit", "primary", "secondary", "10.10.0.0/16"),
  tier: fc.constantFrom(...CHECK_TIERS),
  signal: fc.constant("signal"),
  expected: fc.constant("x"),
  observed: fc.constant("y"),
  severity: fc.constantFrom(...FINDING_SEVERITIES),
  remedy: fc.constantFrom(...REMEDIES),
  action: fc.constant("do it"),
});
const T0 = "2026-12-01T10:00:00.000Z";
const T1 = "2026-12-01T10:05:00.000Z";
const T2 = "2026-12-01T10:10:00.000Z";
const PATH_DOWN: FindingDraft = {
  code: "path-down",
  subject: "secondary",
  tier: "routes",
  signal: "s",
  expected: "e",
  observed: "o",
  severity: "warning",
  remedy: "alert-only",
  action: "a",
};

describe("health status", () => {
  it("is down with any critical finding, degraded with only warnings, healthy with none", () => {
    fc.assert(
      fc.property(fc.array(draft), (drafts) => {
        const s = statusOf(drafts);
        if (drafts.some((d) => d.severity === "critical")) expect(s).toBe("down");
        else expect(s).toBe(drafts.length ? "degraded" : "healthy");
      }),
    );
  });
});

describe("nextHealth", () => {
  it("keeps since for a finding that persists, and the status' since while it holds", () => {
    fc.assert(
      fc.property(fc.array(draft, { maxLength: 6 }), (drafts) => {
        const all = [...CHECK_TIERS];
        const first = nextHealth(undefined, drafts, { at: T0, tiers: all });
        const second = nextHealth(first, drafts, { at: T1, tiers: all });
        expect(interconnectHealthSchema.parse(second)).toEqual(second);
        expect(second.findings.every((f) => f.since === T0)).toBe(true);
        expect(second.since).toBe(T0);
        expect(second.checkedAt).toBe(T1);
        expect(healthTransition(first, second)).toBeUndefined();
      }),
    );
  });

  it("a control-plane check keeps the route findings of the last route check, a route check replaces them", () => {
    const routes = nextHealth(undefined, [PATH_DOWN], { at: T0, tiers: ["control-plane", "routes"] });
    expect(routes).toMatchObject({ status: "degraded", routesCheckedAt: T0 });
    const control = nextHealth(routes, [], { at: T1, tiers: ["control-plane"] });
    expect(control).toMatchObject({ status: "degraded", routesCheckedAt: T0, checkedAt: T1, findings: [{ code: "path-down", since: T0 }] });
    const recovered = nextHealth(control, [], { at: T2, tiers: ["control-plane", "routes"] });
    expect(recovered).toMatchObject({ status: "healthy", since: T2, findings: [] });
    expect(healthTransition(control, recovered)).toMatchObject({
      from: "degraded",
      to: "healthy",
      raised: [],
      cleared: [{ code: "path-down" }],
    });
  });

  it("reports a transition when the set of findings changes under the same status", () => {
    const a = PATH_DOWN;
    const b: FindingDraft = { ...a, code: "vnet-prefix-unrouted", subject: "10.11.0.0/16", remedy: "auto-repair" };
    const all = [...CHECK_TIERS];
    const one = nextHealth(undefined, [a], { at: T0, tiers: all });
    const two = nextHealth(one, [a, b], { at: T1, tiers: all });
    expect(healthTransition(one, two)).toMatchObject({
      from: "degraded",
      to: "degraded",
      raised: [{ code: "vnet-prefix-unrouted", since: T1 }],
      cleared: [],
    });
    expect(healthTransition(undefined, one)).toMatchObject({ from: undefined, to: "degraded" });
  });
});
