/**
 * The watchdog's decisions for a change in place and an adoption, through the real replay engine with
 * a scripted scan: a stalled one runs again from its own input; one that ended without finishing is
 * ended on the record (a change: after reading both sides) or, an adoption, started again once.
 */
import { describe, expect, it } from "vitest";
import type { WatchedOperationRow } from "../../src/contracts";
import { watchdogSweep } from "../../src/workflows/watchdog";
import { DEFAULT_WORKFLOW_TIMING } from "../../src/workflows/names";
import { CIRCUIT_AT_2_GBPS, VIRTUAL_CIRCUIT_AT_1_GBPS } from "../support/change-fixtures";
import { EXAMPLE_PLAN, EXAMPLE_SPEC } from "./fixtures";
import { runOrchestration, type Call } from "./harness";

const START = new Date("2025-06-01T08:00:00Z");
const minutesAgo = (m: number) => new Date(START.getTime() - m * 60_000).toISOString();
const NAMES = { circuit: "er-legacy", connection: "conn-legacy", gateway: "ergw-legacy" };
const TO = { ...EXAMPLE_SPEC, bandwidthGbps: 2 };
const CIRCUIT = CIRCUIT_AT_2_GBPS;
const VC = VIRTUAL_CIRCUIT_AT_1_GBPS;

function row(over: Partial<WatchedOperationRow>): WatchedOperationRow {
  return {
    name: "erp-legacy",
    state: "active",
    kind: "change",
    instanceId: "change-erp-legacy-3",
    attempt: 3,
    runtimeStatus: "Running",
    startedAt: minutesAgo(200),
    customStatus: null,
    lastUpdatedTime: minutesAgo(2),
    spec: EXAMPLE_SPEC,
    bgpPlan: EXAMPLE_PLAN,
    names: NAMES,
    virtualCircuitId: "ocid1.virtualcircuit.oc1..legacy",
    input: {
      name: "erp-legacy",
      actor: "ana@contoso.com",
      ticketRef: "CHG7",
      from: EXAMPLE_SPEC,
      to: TO,
      kinds: ["bandwidth"],
      bgpPlan: EXAMPLE_PLAN,
      names: NAMES,
    },
    ...over,
  };
}

async function sweep(operations: WatchedOperationRow[], activitySeconds?: number) {
  const result = await runOrchestration({
    ...(activitySeconds === undefined ? {} : { activitySeconds }),
    orchestrator: watchdogSweep,
    input: { marginMinutes: 10, timing: DEFAULT_WORKFLOW_TIMING },
    instanceId: "watchdog-1",
    start: START,
    activities: (name, input) => {
      if (name === "watchdogScan") return { operations };
      if (name === "watchdogRecover") return { outcome: "restarted" };
      if (name === "watchdogEnd") return { outcome: "ended" };
      if (name === "networkTurnSweep") return { released: [] };
      if (name === "azureReadCircuitSettings") return { circuit: CIRCUIT, bandwidthsOfferedMbps: [1000, 2000] };
      if (name === "ociReadVirtualCircuitSettings") return VC;
      throw new Error(`unexpected activity ${name} ${JSON.stringify(input)}`);
    },
  });
  expect(result.error).toBeUndefined();
  return result;
}

const named = (calls: Call[], name: string) => calls.filter((c) => c.name === name).map((c) => c.input);

describe("watchdog: changes and adoptions", () => {
  it("runs a stalled change again from its own input, under the adopted names, as the next attempt", async () => {
    const { calls, output } = await sweep([row({ lastUpdatedTime: minutesAgo(120) })]);
    const [recover] = named(calls, "watchdogRecover");
    expect(recover).toMatchObject({
      stalledInstanceId: "change-erp-legacy-3",
      restart: {
        kind: "change",
        instanceId: "change-erp-legacy-4",
        attempt: 4,
        orchestrator: "changeInterconnect",
        input: { from: EXAMPLE_SPEC, to: TO, kinds: ["bandwidth"], names: NAMES, actor: "watchdog", ticketRef: "CHG7" },
      },
    });
    expect(named(calls, "watchdogEnd")).toEqual([]);
    expect(output).toMatchObject({ stalled: [{ name: "erp-legacy", outcome: "restarted" }] });
  });

  it("leaves a change that moves alone", async () => {
    const { calls } = await sweep([row({})]);
    expect(named(calls, "watchdogRecover")).toEqual([]);
    expect(named(calls, "watchdogEnd")).toEqual([]);
  });

  it("ends a terminated change on the record after reading both sides by their adopted names, and starts nothing", async () => {
    const { calls } = await sweep([row({ runtimeStatus: "Terminated" })]);
    expect(named(calls, "watchdogRecover")).toEqual([]);
    const [read] = named(calls, "azureReadCircuitSettings");
    expect(read).toMatchObject({ opContext: { interconnect: "erp-legacy", operation: "change", names: NAMES } });
    expect(named(calls, "ociReadVirtualCircuitSettings")).toMatchObject([{ virtualCircuitId: "ocid1.virtualcircuit.oc1..legacy" }]);
    const [end] = named(calls, "watchdogEnd");
    expect(end).toMatchObject({
      endedInstanceId: "change-erp-legacy-3",
      kind: "change",
      change: { from: EXAMPLE_SPEC, to: TO },
      left: { circuit: { bandwidthInMbps: 2000 }, virtualCircuit: { bandwidthShapeName: "1 Gbps" } },
      stall: { reason: expect.stringMatching(/ended Terminated before it finished/) },
    });
  });

  it("ends a change the task hub lost only once past the margin, and then without its input", async () => {
    const recent = await sweep([row({ runtimeStatus: "Absent", startedAt: minutesAgo(5), lastUpdatedTime: null, input: null })]);
    expect(named(recent.calls, "watchdogEnd")).toEqual([]);
    const lost = await sweep([row({ runtimeStatus: "Absent", startedAt: minutesAgo(30), lastUpdatedTime: null, input: null })]);
    expect(named(lost.calls, "watchdogEnd")).toMatchObject([
      { change: null, stall: { reason: expect.stringMatching(/not in the task hub/) } },
    ]);
  });

  it("starts an adoption that ended again once, under a fresh adoption id; one the watchdog restarted is ended instead", async () => {
    const adoption = { request: { name: "erp-legacy" }, actor: "ana@contoso.com", catalog: {} };
    const first = await sweep([
      row({ kind: "adopt", instanceId: "adopt-erp-legacy-2", attempt: 1, runtimeStatus: "Failed", input: adoption }),
    ]);
    expect(named(first.calls, "watchdogRecover")).toMatchObject([
      {
        restart: {
          kind: "adopt",
          instanceId: "adopt-erp-legacy-3",
          attempt: 3,
          orchestrator: "adoptInterconnect",
          input: { actor: "watchdog" },
        },
      },
    ]);
    const again = await sweep([
      row({
        kind: "adopt",
        instanceId: "adopt-erp-legacy-3",
        attempt: 3,
        runtimeStatus: "Failed",
        input: { ...adoption, actor: "watchdog" },
      }),
    ]);
    expect(named(again.calls, "watchdogRecover")).toEqual([]);
    expect(named(again.calls, "azureReadCircuitSettings")).toEqual([]);
    expect(named(again.calls, "watchdogEnd")).toMatchObject([{ kind: "adopt", endedInstanceId: "adopt-erp-legacy-3", left: null }]);
  });

  it("restarts a stalled adoption that has no record yet once, under the next adoption id, from its own input", async () => {
    const adoption = { request: { name: "erp-legacy" }, actor: "ana@contoso.com", catalog: {} };
    const recordless = (over: Partial<WatchedOperationRow>) =>
      row({
        kind: "adopt",
        state: null,
        instanceId: "adopt-erp-legacy-2",
        attempt: 2,
        spec: null,
        bgpPlan: null,
        names: undefined,
        virtualCircuitId: undefined,
        input: adoption,
        ...over,
      });
    // One that moves is left alone.
    const moving = await sweep([recordless({ lastUpdatedTime: minutesAgo(2) })]);
    expect(named(moving.calls, "watchdogRecover")).toEqual([]);
    expect(named(moving.calls, "watchdogEnd")).toEqual([]);

    // Stalled, with no record or with a deleted one under its name: started again as adopt-erp-legacy-3, told there is no record.
    for (const state of [null, "deleted" as const]) {
      const { calls, output } = await sweep([recordless({ state, lastUpdatedTime: minutesAgo(45) })]);
      expect(named(calls, "watchdogRecover")).toEqual([
        expect.objectContaining({
          opContext: expect.objectContaining({ interconnect: "erp-legacy", operation: "adopt" }),
          stalledInstanceId: "adopt-erp-legacy-2",
          withoutRecord: true,
          restart: {
            kind: "adopt",
            instanceId: "adopt-erp-legacy-3",
            attempt: 3,
            orchestrator: "adoptInterconnect",
            input: { ...adoption, actor: "watchdog", timing: DEFAULT_WORKFLOW_TIMING },
          },
        }),
      ]);
      expect(named(calls, "watchdogEnd")).toEqual([]);
      expect(output).toMatchObject({ stalled: [{ name: "erp-legacy", instanceId: "adopt-erp-legacy-2", outcome: "restarted" }] });
    }
  });

  it("ends a record-less adoption the watchdog restarted that stalls again, or one whose input is gone, instead of restarting it", async () => {
    const base = { kind: "adopt" as const, state: null, spec: null, bgpPlan: null, lastUpdatedTime: minutesAgo(45) };
    for (const over of [
      { instanceId: "adopt-erp-legacy-3", attempt: 3, input: { request: { name: "erp-legacy" }, actor: "watchdog", catalog: {} } },
      { instanceId: "adopt-erp-legacy-1", attempt: 1, input: null },
    ]) {
      const { calls, output } = await sweep([row({ ...base, ...over })]);
      expect(named(calls, "watchdogRecover")).toEqual([]);
      // Nothing to read on the clouds: an adoption changed nothing but (perhaps) tags.
      expect(named(calls, "azureReadCircuitSettings")).toEqual([]);
      expect(named(calls, "watchdogEnd")).toEqual([
        expect.objectContaining({
          endedInstanceId: over.instanceId,
          kind: "adopt",
          withoutRecord: true,
          left: null,
          change: null,
          stall: expect.objectContaining({ reason: expect.stringMatching(/no progress for 45 min/) }),
        }),
      ]);
      expect(output).toMatchObject({ stalled: [{ instanceId: over.instanceId, outcome: "ended" }] });
    }
  });

  it("restarts a stalled teardown of an adopted interconnect with its own resource names", async () => {
    const { calls } = await sweep([
      row({ kind: "teardown", state: "tearing-down", instanceId: "teardown-erp-legacy-4", attempt: 4, lastUpdatedTime: minutesAgo(120) }),
    ]);
    expect(named(calls, "watchdogRecover")).toMatchObject([
      { restart: { kind: "teardown", instanceId: "teardown-erp-legacy-5", input: { name: "erp-legacy", names: NAMES } } },
    ]);
  });

  it("judges what the scan read by when it began reading, not by when its answer came back", async () => {
    // Quiet for 2 min when read; the scan's answer took 40 min to come back (a host busy with other runs).
    // The longest pause (20 min) plus the margin (10) is 30: against the later clock it looked 42 min quiet.
    const slow = await sweep([row({ lastUpdatedTime: minutesAgo(2) })], 40 * 60);
    expect(named(slow.calls, "watchdogRecover")).toEqual([]);
    expect(slow.output).toMatchObject({ stalled: [] });
    // A run quiet for longer than that when read is still found, whatever the delay.
    const stuck = await sweep([row({ lastUpdatedTime: minutesAgo(31) })], 40 * 60);
    expect(named(stuck.calls, "watchdogRecover")).toMatchObject([{ stalledInstanceId: "change-erp-legacy-3" }]);
  });
});
