import { describe, expect, it } from "vitest";
import { DEFAULT_WORKFLOW_TIMING, workflowTimingFromSettings } from "../../src/workflows/names";
import { DEFAULT_WAIT_PROFILES, nextPollAt, type PollCadence } from "../../src/workflows/waits";
import type { RunResult } from "./harness";
import { cloudCalls, cloudsWithRecord, provisionInput, runProvision } from "./fixtures";
import type { FakeClouds, FakeOptions } from "./fake-clouds";

const MIN = 60_000;
const S = 1000;
/** The fake's (and the emulators') default durations on the critical path: the gateway, then the connection. */
const GATEWAY_MIN = 30;
const CONNECTION_MIN = 2;
const CRITICAL_PATH_MIN = GATEWAY_MIN + CONNECTION_MIN;

async function provision(options: FakeOptions = {}): Promise<{ run: RunResult; clouds: FakeClouds }> {
  const clouds = cloudsWithRecord(options);
  const run = await runProvision(clouds);
  return { run, clouds };
}

const at = (run: RunResult, name: string, nth = 0) => Date.parse(run.calls.filter((c) => c.name === name)[nth]!.at);
const minutesSinceStart = (run: RunResult, t: number) => (t - run.startedAt.getTime()) / MIN;

describe("waits that know what they wait for", () => {
  it("provisions within 5% of the critical path with at most 60 cloud reads", async () => {
    const { run } = await provision();
    expect(run.error).toBeUndefined();
    const elapsedMin = (run.endedAt.getTime() - run.startedAt.getTime()) / MIN;
    expect(elapsedMin).toBeGreaterThanOrEqual(CRITICAL_PATH_MIN);
    expect(elapsedMin).toBeLessThanOrEqual(CRITICAL_PATH_MIN * 1.05);
    expect(cloudCalls(run.calls).length).toBeLessThanOrEqual(60);
  });

  it("detects the gateway within a minute of it turning Succeeded, without polling before its earliest plausible completion", async () => {
    const { run } = await provision();
    const created = at(run, "azureEnsureGateway");
    const succeededAt = created + GATEWAY_MIN * MIN;
    const gatewayReads = run.calls.filter((c) => c.name === "azureGetGateway").map((c) => Date.parse(c.at));
    // the cheap health reads between OCI steps, then the wait proper from minute 20
    const early = gatewayReads.filter((t) => t < created + DEFAULT_WAIT_PROFILES.gateway.earliestSeconds * S);
    expect(early.length).toBeLessThanOrEqual(3);
    expect(early.every((t) => t < created + 15 * MIN)).toBe(true);
    const detected = gatewayReads.find((t) => t >= succeededAt)!;
    expect(detected - succeededAt).toBeLessThan(60 * S);
    expect(gatewayReads.filter((t) => t < succeededAt).length).toBeLessThanOrEqual(20);
    // the connection is created right after: the orchestration moved on at once
    expect(at(run, "azureEnsureConnection") - detected).toBeLessThan(30 * S);
  });

  it("detects the connection and the provider soon after they complete", async () => {
    const { run } = await provision();
    const connectionCreated = at(run, "azureEnsureConnection");
    const connected = run.calls
      .filter((c) => c.name === "azureGetConnection")
      .map((c) => Date.parse(c.at))
      .at(-1)!;
    expect(connected - (connectionCreated + CONNECTION_MIN * MIN)).toBeGreaterThanOrEqual(0);
    expect(connected - (connectionCreated + CONNECTION_MIN * MIN)).toBeLessThan(30 * S);
    // BGP UP 5 min after the virtual circuit (1 min pickup, 3 provisioning, 1 BGP): seen within the provider's 60 s floor
    const vcCreated = at(run, "ociEnsureVirtualCircuit");
    const providerDone = at(run, "azureGetCircuit");
    expect(providerDone - (vcCreated + 5 * MIN)).toBeGreaterThanOrEqual(0);
    expect(providerDone - (vcCreated + 5 * MIN)).toBeLessThanOrEqual(62 * S);
    // nothing is polled before its earliest plausible completion
    expect(run.calls.filter((c) => c.name === "ociGetVirtualCircuit").every((c) => Date.parse(c.at) >= vcCreated + 3 * MIN)).toBe(true);
  });

  it.each([22, 27, 33, 38])(
    "a gateway done after %i min is seen within the window fraction of the time left in its window",
    async (minutes) => {
      const { run } = await provision({ gatewayCreateMinutes: minutes });
      expect(run.error).toBeUndefined();
      const succeededAt = at(run, "azureEnsureGateway") + minutes * MIN;
      const detected = run.calls
        .filter((c) => c.name === "azureGetGateway")
        .map((c) => Date.parse(c.at))
        .find((t) => t >= succeededAt)!;
      const profile = DEFAULT_WAIT_PROFILES.gateway;
      const bound = Math.max(
        profile.minIntervalSeconds! * S,
        DEFAULT_WORKFLOW_TIMING.pollWindowFraction * (profile.latestSeconds * S - minutes * MIN),
      );
      // + one activity's time: the poll scheduled just before the flip
      expect(detected - succeededAt).toBeLessThanOrEqual(bound + 2 * S);
      expect(cloudCalls(run.calls).length).toBeLessThanOrEqual(60 + Math.max(0, minutes - 30) * 2);
    },
  );

  it("a slow gateway (45 min, the end of its usual window) still costs few reads and little lag", async () => {
    const { run } = await provision({ gatewayCreateMinutes: 45 });
    expect(run.error).toBeUndefined();
    const succeededAt = at(run, "azureEnsureGateway") + 45 * MIN;
    const detected = run.calls
      .filter((c) => c.name === "azureGetGateway")
      .map((c) => Date.parse(c.at))
      .find((t) => t >= succeededAt)!;
    expect(detected - succeededAt).toBeLessThan(60 * S);
    expect(cloudCalls(run.calls).length).toBeLessThanOrEqual(90);
  });
});

describe("a failed gateway is noticed early", () => {
  it("before the circuit exists: no circuit is ever created, and what was built is removed", async () => {
    const { run, clouds } = await provision({ gatewayFailsAfterMinutes: 0.5 });
    expect(run.error).toMatch(
      /failed at gateway: GATEWAY_FAILED: the ExpressRoute gateway deployment Failed \(noticed before the DRG attachment\)/,
    );
    expect(run.error).toMatch(/compensation removed what this run created/);
    expect(cloudCalls(run.calls)).not.toContain("azureEnsureCircuit");
    expect(cloudCalls(run.calls)).not.toContain("ociEnsureVirtualCircuit");
    const failedAt = at(run, "azureEnsureGateway") + 0.5 * MIN;
    const noticedAt = run.calls
      .filter((c) => c.name === "azureGetGateway")
      .map((c) => Date.parse(c.at))
      .find((t) => t >= failedAt)!;
    // Counted from the gateway's start (the steps before it, its turn in the queue and pre-flight, take what they
    // take): within 2 minutes, where the gateway's own wait would first look after 20.
    expect((noticedAt - at(run, "azureEnsureGateway")) / MIN).toBeLessThan(2);
    expect(cloudCalls(run.calls)).toContain("azureDeleteGateway");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
    expect(clouds.record).toMatchObject({ state: "failed", failure: { step: "gateway", code: "GATEWAY_FAILED" } });
  });

  it("after the circuit exists: stopped minutes later, not at the gateway wait, with the virtual circuit removed before the circuit", async () => {
    const { run, clouds } = await provision({ gatewayFailsAfterMinutes: 4 });
    expect(run.error).toMatch(/GATEWAY_FAILED: the ExpressRoute gateway deployment Failed \(noticed before the route rules\)/);
    const failedAt = at(run, "azureEnsureGateway") + 4 * MIN;
    const noticedAt = run.calls
      .filter((c) => c.name === "azureGetGateway")
      .map((c) => Date.parse(c.at))
      .find((t) => t >= failedAt)!;
    // the gateway wait would have looked first at minute 20; the between-steps read sees it after the provider wait
    expect(noticedAt - failedAt).toBeLessThan(8 * MIN);
    expect(minutesSinceStart(run, noticedAt)).toBeLessThan(DEFAULT_WAIT_PROFILES.gateway.earliestSeconds / 60);
    const names = cloudCalls(run.calls);
    expect(names).not.toContain("ociEnsureRouteRules");
    expect(names.indexOf("ociDeleteVirtualCircuit")).toBeGreaterThan(-1);
    expect(names.indexOf("ociDeleteVirtualCircuit")).toBeLessThan(names.indexOf("azureDeleteCircuit"));
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("a gateway that fails late, during its own wait, is reported at once, not at the deadline", async () => {
    const { run, clouds } = await provision({ gatewayFailsAfterMinutes: 25 });
    expect(run.error).toMatch(
      /failed at gateway-ready: CLOUD_STATE_FAILED: while waiting for the ExpressRoute gateway to be Succeeded: the gateway deployment Failed/,
    );
    const failedAt = at(run, "azureEnsureGateway") + 25 * MIN;
    const noticedAt = run.calls
      .filter((c) => c.name === "azureGetGateway")
      .map((c) => Date.parse(c.at))
      .find((t) => t >= failedAt)!;
    expect(noticedAt - failedAt).toBeLessThan(90 * S);
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });
});

describe("nextPollAt", () => {
  const cadence: PollCadence = { minIntervalSeconds: 20, windowFraction: 0.05, backoffInitialSeconds: 30, maxIntervalSeconds: 300 };
  const gateway = DEFAULT_WAIT_PROFILES.gateway;
  const start = Date.parse("2025-06-01T08:00:00Z");
  const deadline = start + 90 * MIN;

  it("looks first at the earliest plausible completion", () => {
    expect(
      nextPollAt(gateway, cadence, { startedMs: start, nowMs: start + 9 * MIN, deadlineMs: deadline, lastIntervalMs: undefined }).fireAtMs,
    ).toBe(start + 20 * MIN);
  });

  it("polls at a shrinking fraction of the window left, never below the floor", () => {
    const first = nextPollAt(gateway, cadence, {
      startedMs: start,
      nowMs: start + 20 * MIN,
      deadlineMs: deadline,
      lastIntervalMs: undefined,
    });
    expect(first.intervalMs).toBe(0.05 * 25 * MIN);
    const later = nextPollAt(gateway, cadence, {
      startedMs: start,
      nowMs: start + 40 * MIN,
      deadlineMs: deadline,
      lastIntervalMs: first.intervalMs,
    });
    expect(later.intervalMs).toBe(gateway.minIntervalSeconds! * S);
    // a profile without its own floor uses the cadence's
    const drg = nextPollAt(DEFAULT_WAIT_PROFILES.drg, cadence, {
      startedMs: start,
      nowMs: start + 150 * S,
      deadlineMs: deadline,
      lastIntervalMs: undefined,
    });
    expect(drg.intervalMs).toBe(20 * S);
  });

  it("backs off by doubling past the window, up to the max, and never past the deadline", () => {
    const past = nextPollAt(gateway, cadence, { startedMs: start, nowMs: start + 46 * MIN, deadlineMs: deadline, lastIntervalMs: 30 * S });
    expect(past.intervalMs).toBe(60 * S);
    const capped = nextPollAt(gateway, cadence, {
      startedMs: start,
      nowMs: start + 60 * MIN,
      deadlineMs: deadline,
      lastIntervalMs: 240 * S,
    });
    expect(capped.intervalMs).toBe(300 * S);
    const cut = nextPollAt(gateway, cadence, { startedMs: start, nowMs: start + 88 * MIN, deadlineMs: deadline, lastIntervalMs: 300 * S });
    expect(cut.fireAtMs).toBe(deadline);
  });
});

describe("timing input", () => {
  const settings = {
    polling: { initialIntervalSeconds: 30, maxIntervalSeconds: 300, minIntervalSeconds: 15, waitProfiles: {} as Record<string, unknown> },
    deadlines: { gatewayMinutes: 90, providerMinutes: 60, connectionMinutes: 30, deprovisionMinutes: 60 },
    keepResourcesOnFailure: false,
  };

  it("maps the settings' wait profiles over the defaults and names an unknown wait after the setting", () => {
    const timing = workflowTimingFromSettings({
      ...settings,
      polling: { ...settings.polling, waitProfiles: { gateway: { latestSeconds: 3600 } } },
    });
    expect(timing.pollMinIntervalSeconds).toBe(15);
    expect(timing.waits.gateway).toEqual({ ...DEFAULT_WAIT_PROFILES.gateway, latestSeconds: 3600 });
    expect(timing.waits.drg).toEqual(DEFAULT_WAIT_PROFILES.drg);
    // deadlines without a setting of their own keep their defaults; given ones are taken as they are
    expect(timing.drgDeadlineMinutes).toBe(DEFAULT_WORKFLOW_TIMING.drgDeadlineMinutes);
    expect(
      workflowTimingFromSettings({ ...settings, deadlines: { ...settings.deadlines, verificationMinutes: 12 } })
        .verificationDeadlineMinutes,
    ).toBe(12);
    expect(() =>
      workflowTimingFromSettings({ ...settings, polling: { ...settings.polling, waitProfiles: { expressRouteGateway: {} } } }),
    ).toThrow(/WAIT_PROFILES\.expressRouteGateway is not a known wait \(known: gateway, drg/);
  });

  it("rejects a wait profile that ends before it starts, naming the field", async () => {
    const clouds = cloudsWithRecord();
    const timing = { ...DEFAULT_WORKFLOW_TIMING, waits: { gateway: { earliestSeconds: 1200, latestSeconds: 600 } } };
    const run = await runProvision(clouds, { input: { ...provisionInput(), timing } });
    expect(run.error).toMatch(/input\.timing\.waits\.gateway\.latestSeconds must be at least earliestSeconds/);
    expect(run.calls).toHaveLength(0);
  });

  it("rejects an unknown wait and a window fraction out of range", async () => {
    const clouds = cloudsWithRecord();
    const unknown = await runProvision(clouds, { input: { ...provisionInput(), timing: { waits: { gatway: { earliestSeconds: 1 } } } } });
    expect(unknown.error).toMatch(/input\.timing\.waits\.gatway is not a known wait/);
    const fraction = await runProvision(clouds, { input: { ...provisionInput(), timing: { pollWindowFraction: 2 } } });
    expect(fraction.error).toMatch(/input\.timing\.pollWindowFraction must be more than 0 and at most 1/);
  });

  it("follows a profile given in the input: a gateway expected at 30-35 min is first read at 30", async () => {
    const clouds = cloudsWithRecord();
    const timing = { waits: { gateway: { earliestSeconds: 1800, latestSeconds: 2100 } } };
    const run = await runProvision(clouds, { input: { ...provisionInput(), timing } });
    expect(run.error).toBeUndefined();
    const created = at(run, "azureEnsureGateway");
    const waitReads = run.calls.filter((c) => c.name === "azureGetGateway" && Date.parse(c.at) >= created + 15 * MIN);
    expect(waitReads).toHaveLength(1);
    expect(Date.parse(waitReads[0]!.at)).toBe(created + 30 * MIN);
  });
});
