/**
 * Waiting for a turn on the VNet and VCN, on the real replay engine: the run touches nothing while
 * queued, shows whom it waits behind, wakes on the released turn's event (or its own timer), gives up
 * at the queue deadline having built nothing, and leaves the record alone once superseded.
 */
import { describe, expect, it } from "vitest";
import { cloudCalls, cloudsWithRecord, EXAMPLE_SPEC, provisionInput, runProvision, runTeardown, TEARDOWN_ID } from "./fixtures";
import { DEFAULT_WORKFLOW_TIMING } from "../../src/workflows/names";

const behind = { owner: "erp-a", operation: "provision", instanceId: "provision-erp-a-1", since: "2025-06-01T07:50:00.000Z", holds: true };
const waiting = { outcome: "waiting", behind, position: 1, released: [] };

describe("a provisioning queued behind another run on its VNet and VCN", () => {
  it("waits with 'queued behind … since …' and a deadline, wakes on its round's event, then builds", async () => {
    const clouds = cloudsWithRecord();
    clouds.turnAnswers.push(waiting);
    const run = await runProvision(clouds, { events: { "networkTurn-1": { reason: "a turn was released" } } });
    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({ state: "active" });
    const queued = run.statuses.find((s) => s.step === "queue" && String(s.message).startsWith("queued behind"));
    expect(queued).toMatchObject({
      operation: "provision",
      step: "queue",
      stepNumber: 1,
      message: expect.stringMatching(/^queued behind erp-a \(provision\) since 2025-06-01T08:00:0\d\.000Z$/),
      waitingFor: expect.stringMatching(
        /^its turn on virtual network \/subscriptions\/.+\/virtualnetworks\/vnet-erp and VCN ocid1\.vcn\..+ \(position 1 in line\)$/,
      ),
    });
    // The deadline is QUEUE_DEADLINE_MINUTES (default a day) after the wait began.
    expect(Date.parse(String(queued?.deadline)) - Date.parse(String(queued?.since))).toBe(24 * 60 * 60_000);
    expect(String(queued?.message)).toContain(String(queued?.since));
    // Its second look is the one the event woke (the first round's event), and only then it builds.
    const takes = run.calls.filter((c) => c.name === "networkTurnTake").map((c) => (c.input as { wakeEvent: string }).wakeEvent);
    expect(takes).toEqual(["networkTurn-1", "networkTurn-2"]);
    expect(
      run.calls.findIndex((c) => c.name === "networkTurnTake" && (c.input as { wakeEvent: string }).wakeEvent === "networkTurn-2"),
    ).toBeLessThan(run.calls.findIndex((c) => c.name === "recordUpdate"));
    expect(clouds.turnReleases).toBe(1);
    expect(clouds.audit.some((a) => a.step === "queue" && a.message === queued?.message)).toBe(true);
  });

  it("looks again on its own timer when no event comes (a lost wake-up cannot strand it)", async () => {
    const clouds = cloudsWithRecord();
    clouds.turnAnswers.push(waiting, waiting);
    const run = await runProvision(clouds);
    expect(run.output).toMatchObject({ state: "active" });
    const firstTimer = run.timers[0];
    expect(firstTimer).toBeDefined();
    expect(Date.parse(String(firstTimer?.fireAt)) - Date.parse("2025-06-01T08:00:00.000Z")).toBeLessThanOrEqual(
      DEFAULT_WORKFLOW_TIMING.pollMaxIntervalSeconds * 1000 + 60_000,
    );
    expect(run.calls.filter((c) => c.name === "networkTurnTake")).toHaveLength(3);
  });

  it("gives up at the queue deadline, failed at queue having created nothing, and gives its place back", async () => {
    const clouds = cloudsWithRecord();
    for (let i = 0; i < 50; i++) clouds.turnAnswers.push(waiting);
    const run = await runProvision(clouds, { input: provisionInput({ timing: { ...DEFAULT_WORKFLOW_TIMING, queueDeadlineMinutes: 30 } }) });
    expect(String(run.error)).toMatch(/gave up waiting for its turn after 30 min/);
    expect(clouds.record).toMatchObject({
      state: "failed",
      failure: { step: "queue", code: "DEADLINE_EXCEEDED", message: expect.stringMatching(/this run created nothing$/) },
    });
    expect(cloudCalls(run.calls)).toEqual([]);
    expect(clouds.turnReleases).toBe(1);
  });

  it("ends without touching the record or the clouds once superseded (cancelled by a DELETE while queued)", async () => {
    const clouds = cloudsWithRecord();
    clouds.turnAnswers.push({
      outcome: "superseded",
      reason: "the interconnect's record moved on (deleted, operation provision-erp-prod-1)",
    });
    const run = await runProvision(clouds);
    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({ state: "superseded" });
    expect(clouds.recordHistory).toEqual([]);
    expect(cloudCalls(run.calls)).toEqual([]);
  });
});

describe("a teardown queued behind another run", () => {
  it("removes nothing before its turn, and gives the turn back once deleted", async () => {
    const clouds = cloudsWithRecord({}, "active");
    clouds.record = { ...clouds.record!, state: "tearing-down", operationId: TEARDOWN_ID, spec: EXAMPLE_SPEC };
    clouds.turnAnswers.push({ ...waiting, behind: { ...behind, operation: "teardown", instanceId: "teardown-erp-a-2" } });
    const run = await runTeardown(clouds, { events: { "networkTurn-1": {} } });
    expect(run.error).toBeUndefined();
    expect(run.statuses.some((s) => /^queued behind erp-a \(teardown\) since 2025-06-01T/.test(String(s.message)))).toBe(true);
    const secondLook = run.calls.findIndex(
      (c) => c.name === "networkTurnTake" && (c.input as { wakeEvent: string }).wakeEvent === "networkTurn-2",
    );
    const firstRemoval = run.calls.findIndex((c) => /^(azure|oci)(Delete|Remove)/.test(c.name));
    expect(secondLook).toBeGreaterThan(-1);
    expect(firstRemoval === -1 || firstRemoval > secondLook).toBe(true);
    expect(clouds.record?.state).toBe("deleted");
    expect(clouds.turnReleases).toBe(1);
  });
});
