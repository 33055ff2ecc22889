import { describe, expect, it } from "vitest";
import { findStall } from "../../src/domain/stall";
import { longestPauseMinutes } from "../../src/workflows/watchdog";
import { DEFAULT_WORKFLOW_TIMING } from "../../src/workflows/names";

const rule = { marginMinutes: 15, longestPauseMinutes: 20 };
const at = (iso: string) => new Date(iso);

describe("findStall", () => {
  it("flags a running operation whose deadline passed by more than the margin, not before", () => {
    const op = {
      runtimeStatus: "Running",
      customStatus: { step: "circuit", deadline: "2026-12-01T10:00:00.000Z" },
      lastUpdatedTime: "2026-12-01T09:59:00.000Z",
    };
    expect(findStall(op, at("2026-12-01T10:14:00.000Z"), rule)).toBeUndefined();
    expect(findStall(op, at("2026-12-01T10:16:00.000Z"), rule)).toMatchObject({
      since: "2026-12-01T10:00:00.000Z",
      reason: expect.stringMatching(/deadline .* passed 16 min ago/),
    });
  });

  it("flags no progress for longer than the longest pause plus the margin (a lost timer without a deadline in view)", () => {
    const op = { runtimeStatus: "Running", customStatus: { step: "gateway" }, lastUpdatedTime: "2026-12-01T10:00:00.000Z" };
    expect(findStall(op, at("2026-12-01T10:34:00.000Z"), rule)).toBeUndefined();
    expect(findStall(op, at("2026-12-01T10:36:00.000Z"), rule)?.reason).toMatch(/no progress for 36 min/);
  });

  it("leaves ended instances alone (orphaned is the record view's and a request's business)", () => {
    for (const runtimeStatus of ["Completed", "Failed", "Terminated"]) {
      expect(
        findStall(
          { runtimeStatus, customStatus: { deadline: "2026-01-01T00:00:00.000Z" }, lastUpdatedTime: "2026-01-01T00:00:00.000Z" },
          at("2026-12-01T00:00:00.000Z"),
          rule,
        ),
      ).toBeUndefined();
    }
  });

  it("takes the longest pause from the wait profiles, the poll interval and the retry back-off", () => {
    // The gateway's first look (20 min) is the longest pause by default.
    expect(longestPauseMinutes(DEFAULT_WORKFLOW_TIMING)).toBe(20);
    expect(longestPauseMinutes({ ...DEFAULT_WORKFLOW_TIMING, pollMaxIntervalSeconds: 3600 })).toBe(60);
  });
});
