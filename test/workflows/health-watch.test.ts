/**
 * The health watch on durable-functions' own replay engine: one check per generation, a durable timer,
 * continueAsNew; the clouds and the store behind a scripted activity boundary.
 */
import { describe, expect, it } from "vitest";
import {
  stepFailureError,
  type HealthLoad,
  type HealthSaveInput,
  type HealthSettings,
  type HealthTargets,
  type TurnHolder,
} from "../../src/contracts";
import type { InterconnectHealth } from "../../src/domain/health";
import type { ControlPlaneObservation, RouteObservation } from "../../src/domain/observation";
import { healthWatch, MAX_REPAIR_ATTEMPTS } from "../../src/workflows/health-watch";
import { DRG, RT, desired, healthyLive, healthyRoutes } from "../support/health-fixtures";
import { replayHistory, runOrchestration, type RunResult } from "./harness";

const NAME = "erp-prod";
const ID = `health-${NAME}`;
const TARGETS: HealthTargets = {
  interconnect: NAME,
  subscriptionId: "11111111-1111-4111-8111-111111111111",
  resourceGroup: "rg-erp-network",
  virtualNetworkName: "vnet-erp",
  gatewayId:
    "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-erp-network/providers/Microsoft.Network/virtualNetworkGateways/vgw-erp-prod-er",
  region: "us-ashburn-1",
  virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.vc",
  drgId: DRG,
  drgAttachmentId: "ocid1.drgattachment.oc1.iad.att",
  vcnId: "ocid1.vcn.oc1.iad.aaaaaaaavcn",
  routeTableId: RT,
};

/** The record and both clouds as the watch's activities see them. */
class World {
  state = "active";
  health: InterconnectHealth | undefined;
  settings: HealthSettings = { controlPlaneMinutes: 5, routesMinutes: 30, autoRepair: false };
  desired = desired();
  live: ControlPlaneObservation = healthyLive(this.desired);
  routes: RouteObservation = healthyRoutes(this.desired);
  saves: HealthSaveInput[] = [];
  /** The transitions the watch asked to note on the interconnect's tickets. */
  ticketNotes: { checkedAt: string; from?: string; to: string }[] = [];
  failControlPlane = false;
  /** The runs holding or waiting for the VCN's turn (the network queue). */
  vcnQueue: TurnHolder[] = [];
  audits: { step: string; event: string; message: string; details?: Record<string, unknown> }[] = [];
  /** The record's current operation and whether its instance runs (a change in place, say). */
  operation: { kind: string; instanceId: string; running: boolean } | null = {
    kind: "provision",
    instanceId: "provision-erp-prod-1",
    running: false,
  };
  /** An operation that starts on the interconnect while a check observes the clouds. */
  startsDuringCheck: { kind: string; instanceId: string } | undefined;

  boundary = (name: string, input: unknown): unknown => {
    const i = input as Record<string, unknown>;
    switch (name) {
      case "healthLoad": {
        const out: HealthLoad =
          this.state === "active"
            ? {
                watching: true,
                targets: TARGETS,
                desired: this.desired,
                ...(this.health ? { health: this.health } : {}),
                settings: this.settings,
                ...(i.vcnQueue ? { vcnQueue: this.vcnQueue } : {}),
                operationId: this.operation?.instanceId ?? null,
                ...(this.operation?.running ? { busy: { kind: this.operation.kind, instanceId: this.operation.instanceId } } : {}),
              }
            : { watching: false, state: this.state };
        return out;
      }
      case "healthObserveControlPlane":
        if (this.startsDuringCheck) {
          this.operation = { ...this.startsDuringCheck, running: true };
          this.startsDuringCheck = undefined;
        }
        if (this.failControlPlane) throw stepFailureError({ code: "AuthorizationFailed", message: "no access", retryable: false });
        return this.live;
      case "healthObserveRoutes":
        return this.routes;
      case "healthSave": {
        const save = i as unknown as HealthSaveInput;
        this.saves.push(save);
        if (save.operationId !== undefined && save.operationId !== (this.operation?.instanceId ?? null))
          return { saved: true, outdated: true };
        this.health = save.health;
        this.desired = save.desired;
        return { saved: this.state === "active" };
      }
      case "ociEnsureRouteRules": {
        const table = this.routes.vcnRouteRules ?? [];
        for (const d of i.destinations as string[])
          if (!table.some((r) => r.destination === d)) table.push({ destination: d, networkEntityId: DRG });
        this.routes.vcnRouteRules = table;
        return { routeTableId: RT, destinations: i.destinations };
      }
      case "itsmHealthNote": {
        const note = i as { checkedAt: string; from?: string; to: string };
        this.ticketNotes.push({ checkedAt: note.checkedAt, ...(note.from ? { from: note.from } : {}), to: note.to });
        return { tickets: [], added: 0 };
      }
      case "auditAppend":
        this.audits.push((i as { entry: World["audits"][number] }).entry);
        return {};
      case "healthRefreshCircuit":
        if (this.live.circuit.found) this.live.circuit.provisioningState = "Succeeded";
        return { outcome: "refreshing" };
      default:
        throw new Error(`unexpected activity ${name}`);
    }
  };
}

/** One generation of the eternal orchestration, then the next from its continueAsNew input. */
async function generations(world: World, count: number, first: unknown = { name: NAME }): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  let input = first;
  let start = new Date("2026-12-01T10:00:00Z");
  for (let n = 0; n < count; n++) {
    const run = await runOrchestration({ orchestrator: healthWatch, input, instanceId: ID, activities: world.boundary, start });
    expect(run.error).toBeUndefined();
    runs.push(run);
    if (run.continuedAsNew === undefined) break;
    input = run.continuedAsNew;
    start = run.endedAt;
  }
  return runs;
}

const names = (run: RunResult) => run.calls.map((c) => c.name);
const codes = (h: InterconnectHealth | undefined) => (h?.findings ?? []).map((f) => `${f.code}:${f.subject}`).sort();

describe("healthWatch on the real replay engine", () => {
  it("checks, saves healthy once, sleeps the cadence on a durable timer and continues as new; routes on every 6th check", async () => {
    const world = new World();
    const runs = await generations(world, 7);
    expect(runs).toHaveLength(7);
    expect(names(runs[0]!)).toEqual(["healthLoad", "healthObserveControlPlane", "healthObserveRoutes", "healthSave", "itsmHealthNote"]);
    expect(names(runs[1]!)).toEqual(["healthLoad", "healthObserveControlPlane", "healthSave"]);
    expect(runs.map((r) => names(r).includes("healthObserveRoutes"))).toEqual([true, false, false, false, false, false, true]);
    expect(runs[0]!.timers).toHaveLength(1);
    expect(Date.parse(runs[0]!.timers[0]!.fireAt) - Date.parse(runs[0]!.timers[0]!.createdAt)).toBe(5 * 60_000);
    expect(runs[0]!.continuedAsNew).toEqual({ name: NAME, iteration: 1, repairs: {} });
    // One transition (unknown → healthy), then none: an audit row and an alert only on a change.
    expect(world.saves.map((s) => s.transition?.to ?? null)).toEqual(["healthy", null, null, null, null, null, null]);
    // The ticket hears the transition, once.
    expect(world.ticketNotes).toEqual([{ checkedAt: world.saves[0]!.health.checkedAt, to: "healthy" }]);
    expect(world.health).toMatchObject({ status: "healthy", findings: [] });
    // The first check took the VCN CIDRs into the desired snapshot.
    expect(world.desired.vcnPrefixes).toEqual(["10.20.0.0/16"]);
  });

  it("sees a deleted connection within one cadence as down, asks a person, and recovers to healthy", async () => {
    const world = new World();
    await generations(world, 1);
    world.settings.autoRepair = true;
    world.live.connection = { found: false };
    world.routes.drgVirtualCircuitRoutes = [];
    const [broken] = await generations(world, 1, { name: NAME, iteration: 6 });
    expect(world.health?.status).toBe("down");
    expect(codes(world.health)).toEqual(["connection-missing:connection", "drg-route-missing:10.10.0.0/16"]);
    expect(world.saves.at(-1)?.transition).toEqual({
      from: "healthy",
      to: "down",
      raised: ["connection-missing|connection", "drg-route-missing|10.10.0.0/16"],
      cleared: [],
    });
    // "ask": never recreated automatically, even with AUTO_REPAIR on.
    expect(names(broken!)).not.toContain("azureEnsureConnection");
    expect(Date.parse(world.health!.checkedAt) - Date.parse("2026-12-01T10:05:00Z")).toBeLessThanOrEqual(5 * 60_000);

    world.live = healthyLive(world.desired);
    world.routes = healthyRoutes(world.desired);
    await generations(world, 1, { name: NAME, iteration: 12 });
    expect(world.health).toMatchObject({ status: "healthy", findings: [] });
    expect(world.saves.at(-1)?.transition).toMatchObject({
      from: "down",
      to: "healthy",
      cleared: ["connection-missing|connection", "drg-route-missing|10.10.0.0/16"],
    });
  });

  it("reports a removed route rule with AUTO_REPAIR off, re-adds it (and a grown VNet's rule) with it on", async () => {
    const world = new World();
    world.routes.vcnRouteRules = [];
    if (world.live.virtualNetwork.found) world.live.virtualNetwork.addressPrefixes.push("10.11.0.0/16");
    world.routes.drgVirtualCircuitRoutes = ["10.10.0.0/16", "10.11.0.0/16"];
    const [off] = await generations(world, 1);
    expect(names(off!)).not.toContain("ociEnsureRouteRules");
    expect(world.health?.status).toBe("down");
    expect(codes(world.health)).toEqual(["route-rule-missing:10.10.0.0/16", "vnet-prefix-unrouted:10.11.0.0/16"]);

    world.settings.autoRepair = true;
    const [on] = await generations(world, 1, { name: NAME, iteration: 6 });
    const repair = on!.calls.find((c) => c.name === "ociEnsureRouteRules");
    expect(repair?.input).toMatchObject({
      region: "us-ashburn-1",
      routeTableId: RT,
      drgId: DRG,
      destinations: ["10.10.0.0/16", "10.11.0.0/16"],
      opContext: { operation: "watch", instanceId: ID },
    });
    // Re-checked that the record is still active right before writing to the cloud.
    expect(names(on!).slice(0, 5)).toEqual([
      "healthLoad",
      "healthObserveControlPlane",
      "healthObserveRoutes",
      "healthLoad",
      "ociEnsureRouteRules",
    ]);
    expect(on!.continuedAsNew).toMatchObject({ repairs: { "route-rule-missing|10.10.0.0/16": 1, "vnet-prefix-unrouted|10.11.0.0/16": 1 } });
    // The rule added for the grown VNet is the service's now.
    expect(world.desired.routeRules.destinations).toEqual(["10.10.0.0/16", "10.11.0.0/16"]);

    await generations(world, 1, { name: NAME, iteration: 12 });
    expect(world.health).toMatchObject({ status: "healthy", findings: [] });
  });

  it("defers a route rule repair while a provisioning or teardown holds or waits for the VCN's turn, with an audit row why", async () => {
    const world = new World();
    world.settings.autoRepair = true;
    world.routes.vcnRouteRules = [];
    world.vcnQueue = [
      { owner: "erp-dr", operation: "provision", instanceId: "provision-erp-dr-1", since: "2026-12-01T09:58:00Z", holds: true },
    ];
    const [busy] = await generations(world, 1);
    expect(names(busy!)).not.toContain("ociEnsureRouteRules");
    // The look at the queue is the re-read right before the repair, so a run that arrived during the check counts.
    expect(busy!.calls.filter((c) => c.name === "healthLoad").map((c) => (c.input as { vcnQueue?: boolean }).vcnQueue)).toEqual([
      undefined,
      true,
    ]);
    const deferred = world.audits.find((a) => a.step === "repair");
    expect(deferred).toMatchObject({ event: "skipped", details: { vcnId: TARGETS.vcnId, queuedInstanceIds: "provision-erp-dr-1" } });
    expect(deferred?.message).toMatch(
      /^route rule repair of 10\.10\.0\.0\/16 deferred: VCN ocid1\.vcn\.oc1\.iad\.aaaaaaaavcn is in use by provision of erp-dr \(provision-erp-dr-1, holding the turn\)/,
    );
    // Deferring is not an attempt: the finding keeps all its repair attempts.
    expect(busy!.continuedAsNew).toMatchObject({ repairs: {} });
    expect(codes(world.health)).toEqual(["route-rule-missing:10.10.0.0/16"]);

    world.vcnQueue = [];
    const [free] = await generations(world, 1, { ...(busy!.continuedAsNew as object), iteration: 6 });
    expect(names(free!)).toContain("ociEnsureRouteRules");
    await generations(world, 1, { ...(free!.continuedAsNew as object), iteration: 12 });
    expect(world.health).toMatchObject({ status: "healthy", findings: [] });
  });

  it("refreshes a Failed circuit at most MAX_REPAIR_ATTEMPTS times while the finding lasts", async () => {
    const world = new World();
    world.settings.autoRepair = true;
    world.boundary = ((inner) => (name: string, input: unknown) =>
      name === "healthRefreshCircuit" ? { outcome: "refreshing" } : inner(name, input))(world.boundary);
    if (world.live.circuit.found) world.live.circuit.provisioningState = "Failed";
    const runs = await generations(world, MAX_REPAIR_ATTEMPTS + 2);
    expect(runs.map((r) => names(r).filter((n) => n === "healthRefreshCircuit").length)).toEqual([1, 1, 1, 0, 0]);
    expect(world.health).toMatchObject({ status: "degraded", findings: [{ code: "circuit-failed", remedy: "auto-repair" }] });
  });

  it("ends at once on the stop event, and without reading the clouds once the record left active", async () => {
    const world = new World();
    const stopped = await runOrchestration({
      orchestrator: healthWatch,
      input: { name: NAME },
      instanceId: ID,
      activities: world.boundary,
      events: { stop: { reason: "teardown" } },
    });
    expect(stopped.output).toEqual({ stopped: "stop requested" });
    expect(stopped.continuedAsNew).toBeUndefined();

    world.state = "tearing-down";
    const ended = await runOrchestration({
      orchestrator: healthWatch,
      input: { name: NAME, iteration: 3 },
      instanceId: ID,
      activities: world.boundary,
    });
    expect(ended.output).toEqual({ stopped: "the interconnect is tearing-down" });
    expect(names(ended)).toEqual(["healthLoad"]);
    expect(ended.timers).toEqual([]);
  });

  it("keeps watching after a check that failed, and replays deterministically", async () => {
    const world = new World();
    world.failControlPlane = true;
    const [failed] = await generations(world, 1);
    expect(names(failed!)).toEqual(["healthLoad", "healthObserveControlPlane"]);
    expect(failed!.continuedAsNew).toEqual({ name: NAME, iteration: 1, repairs: {} });

    world.failControlPlane = false;
    const [ok] = await generations(world, 1);
    const replay = await replayHistory(healthWatch, ok!.history, { name: NAME }, ID);
    expect(replay.error).toBeUndefined();
    expect(replay.actions.filter((a) => a.startsWith("0:"))).toEqual(ok!.calls.map((c) => `0:${c.name}`));
  });

  it("refuses a corrupted input instead of watching something else", async () => {
    const world = new World();
    const run = await runOrchestration({
      orchestrator: healthWatch,
      input: { name: "Not A Name" },
      instanceId: ID,
      activities: world.boundary,
    });
    expect(run.error).toBeDefined();
    expect(run.calls).toEqual([]);
  });
});

describe("healthWatch while an operation runs on the interconnect", () => {
  it("checks nothing during a change (no finding, ticket or repair for its own BGP flap), then compares with the committed spec", async () => {
    const world = new World();
    await generations(world, 1);
    expect(world.health?.status).toBe("healthy");
    const before = world.saves.length;

    // The change is half-way: the circuit has grown, the virtual circuit is reprovisioning with BGP down.
    world.settings.autoRepair = true;
    world.operation = { kind: "change", instanceId: "change-erp-prod-2", running: true };
    if (world.live.circuit.found) world.live.circuit.bandwidthInMbps = 2000;
    world.live.virtualCircuit = {
      ...world.live.virtualCircuit,
      found: true,
      lifecycleState: "PROVISIONING",
      bgpSessionState: "DOWN",
    } as never;
    world.routes.paths.primary.statePfxRcd = "Idle";
    const paused = await generations(world, 2, { name: NAME, iteration: 6 });
    for (const run of paused) {
      expect(names(run)).toEqual(["healthLoad"]);
      expect(run.timers).toHaveLength(1);
      expect(JSON.stringify(run.statuses.at(-1))).toMatch(/paused while an operation runs/);
    }
    expect(world.saves).toHaveLength(before);
    expect(world.ticketNotes).toHaveLength(1);
    expect(world.health?.status).toBe("healthy");
    // A paused check does not count: the route level runs on the first real check after it.
    expect(paused[1]!.continuedAsNew).toMatchObject({ iteration: 6 });

    // Committed: the record's desired snapshot follows the new bandwidth, and the change has ended.
    world.operation = { kind: "change", instanceId: "change-erp-prod-2", running: false };
    world.desired = {
      ...world.desired,
      takenAt: "2026-12-01T11:00:00.000Z",
      circuit: { ...world.desired.circuit, bandwidthInMbps: 2000 },
      virtualCircuit: { ...world.desired.virtualCircuit, bandwidthShapeName: "2 Gbps" },
    };
    world.live = healthyLive(world.desired);
    world.routes = healthyRoutes(world.desired);
    const [resumed] = await generations(world, 1, paused[1]!.continuedAsNew);
    expect(names(resumed!)).toContain("healthObserveRoutes");
    expect(world.health).toMatchObject({ status: "healthy", findings: [] });
  });

  it("saves nothing and notes no ticket when an operation began during the check, and repairs nothing under it", async () => {
    const world = new World();
    await generations(world, 1);
    world.settings.autoRepair = true;
    world.routes.vcnRouteRules = [];
    world.startsDuringCheck = { kind: "change", instanceId: "change-erp-prod-2" };
    const [run] = await generations(world, 1, { name: NAME, iteration: 6 });
    expect(names(run!)).not.toContain("ociEnsureRouteRules");
    expect(names(run!)).not.toContain("itsmHealthNote");
    expect(world.health?.status).toBe("healthy");

    // Without repair to stop it, the save is what refuses: the check began under the earlier operation.
    world.settings.autoRepair = false;
    world.operation = { kind: "provision", instanceId: "provision-erp-prod-1", running: false };
    world.startsDuringCheck = { kind: "change", instanceId: "change-erp-prod-3" };
    const notes = world.ticketNotes.length;
    const [late] = await generations(world, 1, { name: NAME, iteration: 6 });
    expect(names(late!)).toContain("healthSave");
    expect(world.health?.status).toBe("healthy");
    expect(world.ticketNotes).toHaveLength(notes);
  });
});
