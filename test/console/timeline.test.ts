import { describe, expect, it } from "vitest";
import { operationLabel } from "../../web/src/format";
import { buildRuns, placeRows } from "../../web/src/timeline";
import type { AuditRow } from "../../web/src/types";

let seq = 0;
/** A workflow row (orchestration time in details.at) or, with `activity`, an activity's row (wall clock only). */
function row(
  step: string,
  event: string | undefined,
  orchestrationAt: string | undefined,
  extra: Partial<AuditRow> & { details?: Record<string, unknown> } = {},
): AuditRow {
  seq += 1;
  const wall = new Date(Date.parse("2026-12-01T10:00:00Z") + seq * 1000).toISOString();
  const details = { ...(event ? { event } : {}), ...(orchestrationAt ? { at: orchestrationAt } : {}), ...extra.details };
  const phase = event === "waiting" ? "info" : (event ?? extra.phase ?? "succeeded");
  return {
    id: `${wall}-${String(seq).padStart(6, "0")}`,
    at: wall,
    step,
    phase,
    operation: "provision",
    instanceId: "provision-x-1",
    ...extra,
    details,
  };
}

const T = (min: number) => new Date(Date.parse("2026-12-01T12:00:00Z") + min * 60_000).toISOString();

describe("the timeline model from audit rows", () => {
  it("makes runs of provisionings and teardowns only, not of the health watch's rows", () => {
    const rows = [
      row("gateway", "started", T(0)),
      row("gateway", "succeeded", T(1)),
      row("health", undefined, undefined, {
        phase: "info",
        operation: "watch",
        instanceId: "health-x",
        message: "health unknown → healthy",
      }),
    ];
    expect(buildRuns(rows).map((r) => r.instanceId)).toEqual(["provision-x-1"]);
  });

  it("places an activity's row between its neighbours on the orchestration clock", () => {
    const rows = [row("drg", "started", T(0)), row("ociEnsureDrg", undefined, undefined), row("drg", "succeeded", T(2))];
    expect(placeRows(rows)).toEqual([Date.parse(T(0)), Date.parse(T(1)), Date.parse(T(2))]);
  });

  it("builds one bar per step, shades waits with what they waited for, marks retries and throttling, and puts compensation in its own lane", () => {
    seq = 0;
    const rows = [
      row("request", undefined, undefined, { phase: "info", actor: "ana@contoso.com", ticketRef: "CHG1" }),
      row("gateway", "started", T(0)),
      row("azureEnsureGateway", undefined, undefined, {
        phase: "retrying",
        message: "PUBLIC_IP_PENDING: still Updating",
        details: { code: "PUBLIC_IP_PENDING" },
      }),
      row("gateway", "retrying", T(1), {
        message: "azureEnsureGateway: THROTTLED: 429 Too Many Requests",
        details: { attempt: 1, delaySeconds: 60, code: "THROTTLED" },
      }),
      row("gateway", "succeeded", T(3)),
      row("provider", "started", T(3)),
      row("provider", "waiting", T(3), {
        details: { wait: "provider", waitingFor: "virtual circuit PROVISIONED", since: T(3), deadline: T(63) },
      }),
      row("provider", "failed", T(63), { message: "provider: DEADLINE_EXCEEDED: gave up", details: { code: "DEADLINE_EXCEEDED" } }),
      row("compensation", "started", T(64)),
      row("virtual-circuit", "started", T(64)),
      row("virtual-circuit", "waiting", T(65), {
        details: { wait: "virtualCircuitTermination", waitingFor: "the virtual circuit to be TERMINATED", since: T(65), deadline: T(125) },
      }),
      row("virtual-circuit", "waiting", T(67), {
        details: { wait: "virtualCircuitTermination", waitingFor: "the virtual circuit to be TERMINATED", outcome: "done" },
      }),
      row("virtual-circuit", "succeeded", T(68)),
      row("compensation", "succeeded", T(70)),
    ];
    const [run] = buildRuns([...rows].reverse());
    expect(run).toMatchObject({
      instanceId: "provision-x-1",
      outcome: "failed",
      actor: "ana@contoso.com",
      ticketRef: "CHG1",
      failure: { step: "provider" },
    });
    expect(run!.bars.map((b) => [b.lane, b.step, b.outcome])).toEqual([
      ["main", "gateway", "succeeded"],
      ["main", "provider", "failed"],
      ["compensation", "compensation", "succeeded"],
      ["compensation", "virtual-circuit", "succeeded"],
    ]);
    const [gateway, provider, , vc] = run!.bars;
    expect(gateway!.marks.map((m) => m.kind)).toEqual(["retry", "throttled"]);
    // the back-off after throttling is a durable timer too
    expect(gateway!.waits).toEqual([
      expect.objectContaining({ start: Date.parse(T(1)), end: Date.parse(T(2)), what: expect.stringContaining("retry in 60 s") }),
    ]);
    expect(provider!.waits).toEqual([
      { start: Date.parse(T(3)), end: Date.parse(T(63)), what: "virtual circuit PROVISIONED", deadline: T(63), open: false },
    ]);
    expect(provider!.message).toBe("provider: DEADLINE_EXCEEDED: gave up");
    expect(provider!.code).toBe("DEADLINE_EXCEEDED");
    // a wait's own end row ends it, not the step's end
    expect(vc!.waits.map((w) => [w.start, w.end])).toEqual([[Date.parse(T(65)), Date.parse(T(67))]]);
  });

  it("keeps a run in flight open up to the latest orchestration time, and calls a run that stopped half-way unfinished", () => {
    seq = 0;
    const rows = [
      row("record", "started", T(0)),
      row("record", "succeeded", T(1)),
      row("gateway-ready", "started", T(2)),
      row("gateway-ready", "waiting", T(2), {
        details: { wait: "gateway", waitingFor: "the ExpressRoute gateway to be Succeeded", since: T(0), deadline: T(90) },
      }),
    ];
    const [live] = buildRuns(rows, { instanceId: "provision-x-1", nowMs: Date.parse(T(30)) });
    expect(live).toMatchObject({ outcome: "running", live: true, end: Date.parse(T(30)) });
    const waiting = live!.bars.at(-1)!;
    expect(waiting).toMatchObject({ step: "gateway-ready", outcome: "running", end: Date.parse(T(30)) });
    // a wait that began before its step (the gateway was started earlier) is drawn from the step's start
    expect(waiting.waits[0]).toMatchObject({ start: Date.parse(T(2)), end: Date.parse(T(30)), open: true });
    const [stopped] = buildRuns(rows);
    expect(stopped).toMatchObject({ outcome: "unfinished", live: false });
    expect(stopped!.bars.at(-1)!.outcome).toBe("unfinished");
  });

  it("separates runs by instance, newest first, and marks a run that reached activate as succeeded", () => {
    seq = 0;
    const first = [row("record", "started", T(0)), row("activate", "started", T(5)), row("activate", "succeeded", T(6))];
    const second = [
      row("record", "started", T(100), { instanceId: "teardown-x-2", operation: "teardown" }),
      row("deleted", "started", T(110), { instanceId: "teardown-x-2", operation: "teardown" }),
      row("deleted", "succeeded", T(111), { instanceId: "teardown-x-2", operation: "teardown" }),
    ];
    const runs = buildRuns([...first, ...second]);
    expect(runs.map((r) => [r.instanceId, r.operation, r.outcome])).toEqual([
      ["teardown-x-2", "teardown", "succeeded"],
      ["provision-x-1", "provision", "succeeded"],
    ]);
  });

  it("makes runs of changes and adoptions too, each named by its operation; a change that committed succeeded", () => {
    seq = 0;
    const provision = [row("activate", "started", T(0)), row("activate", "succeeded", T(1))];
    const change = [
      row("record", "started", T(10), { instanceId: "change-x-2", operation: "change" }),
      row("circuit", "started", T(11), { instanceId: "change-x-2", operation: "change" }),
      row("circuit", "succeeded", T(12), { instanceId: "change-x-2", operation: "change" }),
      row("commit", "started", T(13), { instanceId: "change-x-2", operation: "change" }),
      row("commit", "succeeded", T(14), { instanceId: "change-x-2", operation: "change" }),
    ];
    const adopt = [
      row("verification", "started", T(20), { instanceId: "adopt-y-1", operation: "adopt" }),
      row("verification", "failed", T(21), { instanceId: "adopt-y-1", operation: "adopt", message: "routeRules: no rule" }),
    ];
    const runs = buildRuns([...provision, ...change, ...adopt]);
    expect(runs.map((r) => [r.instanceId, r.operation, r.outcome])).toEqual([
      ["adopt-y-1", "adopt", "failed"],
      ["change-x-2", "change", "succeeded"],
      ["provision-x-1", "provision", "succeeded"],
    ]);
    expect(runs.map((r) => operationLabel(r.operation))).toEqual(["Adoption", "Change", "Provisioning"]);
    expect(operationLabel("teardown")).toBe("Teardown");
  });
});
