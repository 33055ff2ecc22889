import { expect, it } from "vitest";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { findingCodes, useHealthWatchStack } from "./support/health-watch";
import type { Json } from "./support/stack";

/**
 * The optional end-to-end probe (spec.monitor, a Network Watcher connection monitor) on the whole local
 * stack: created after verification, its results (the monitor's Azure Monitor metrics, scripted through
 * the ARM emulator's admin incidents) read into findings on the route cadence, removed first by teardown,
 * and a pre-flight that names what is missing. Cadences: HEALTH_WATCH_STACK.
 */
const SUBSCRIPTION = "11111111-1111-4111-8111-111111111111";
const vm = (name: string) =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-erp-network/providers/Microsoft.Compute/virtualMachines/${name}`;
const NETWORK_WATCHER = `/subscriptions/${SUBSCRIPTION}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus`;
const probed = (name: string, source: string) => ({
  ...spec(name),
  monitor: { sourceVirtualMachineId: vm(source), destinationAddress: "10.20.1.10", destinationPort: 1521 },
});

const { stack, healthUntil } = useHealthWatchStack();

it("creates the probe after verification, turns its failing results into findings and back, and removes it before anything else", async () => {
  expect((await stack().api("POST", "interconnects", probed("erp-prod", "vm-probe"))).status).toBe(202);
  const record = await stack().waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(record.state).toBe("active");
  const monitorId = record.resources.connectionMonitorId as string;
  expect(monitorId).toBe(`${NETWORK_WATCHER}/connectionMonitors/cm-erp-prod`);
  const monitors = inventory(await stack().admin("GET", "state")).connectionMonitors;
  expect(monitors.map((m) => [m.id, m.state])).toEqual([[monitorId, "Succeeded"]]);
  const props = monitors[0]?.raw.properties as Json;
  expect(props.testConfigurations.map((t: Json) => [t.name, t.protocol, t.tcpConfiguration?.port])).toEqual([
    ["tcp-1521", "Tcp", 1521],
    ["icmp", "Icmp", undefined],
  ]);
  expect(props.endpoints.map((e: Json) => e.resourceId ?? e.address)).toEqual([vm("vm-probe"), "10.20.1.10"]);
  // Created after the verification, before the activation.
  const rows = (await stack().api("GET", "interconnects/erp-prod/audit?top=500&order=asc")).json.items as Json[];
  const at = (step: string, phase: string) => rows.findIndex((r) => r.step === step && r.phase === phase);
  expect(at("verification", "succeeded")).toBeLessThan(at("azureEnsureConnectionMonitor", "succeeded"));
  expect(at("azureEnsureConnectionMonitor", "succeeded")).toBeLessThan(at("activate", "succeeded"));

  expect(await healthUntil("the first check", (h) => h.status !== null)).toMatchObject({ status: "healthy", findings: [] });

  // The TCP test to the listener fails every check (a security list, say): down within a route cadence, named.
  await stack().admin("POST", "incidents", {
    kind: "connectionMonitorResults",
    connectionMonitorId: monitorId,
    testConfiguration: "tcp-1521",
    checksFailedPercent: 100,
    roundTripTimeMs: 0,
  });
  const down = await healthUntil("the failing TCP test", (h) => h.status === "down");
  expect(findingCodes(down)).toEqual(["monitor-checks-failed:tcp-1521"]);
  expect(down.findings[0]).toMatchObject({
    tier: "routes",
    severity: "critical",
    remedy: "alert-only",
    expected: "at most 10 %",
    observed: "100 %",
    signal: expect.stringContaining(`${monitorId} metric ChecksFailedPercent`),
  });

  // Some loss and a slow round trip on every test: degraded, two kinds of finding.
  await stack().admin("POST", "incidents", {
    kind: "connectionMonitorResults",
    connectionMonitorId: monitorId,
    checksFailedPercent: 25,
    roundTripTimeMs: 900,
  });
  const degraded = await healthUntil("partial loss", (h) => h.status === "degraded");
  expect(findingCodes(degraded)).toEqual([
    "monitor-checks-failed:icmp",
    "monitor-checks-failed:tcp-1521",
    "monitor-round-trip-slow:icmp",
    "monitor-round-trip-slow:tcp-1521",
  ]);

  // Recovered: healthy again, with a transition row each way.
  await stack().admin("POST", "incidents", {
    kind: "connectionMonitorResults",
    connectionMonitorId: monitorId,
    checksFailedPercent: 0,
    roundTripTimeMs: 6,
  });
  expect(await healthUntil("recovery", (h) => h.status === "healthy")).toMatchObject({ findings: [] });
  const moves = ((await stack().api("GET", "interconnects/erp-prod/audit?top=500&order=asc")).json.items as Json[])
    .filter((r) => r.step === "health" && r.operation === "watch")
    .map((r) => r.details.to);
  expect(moves).toEqual(["healthy", "down", "degraded", "healthy"]);

  // Teardown: the connection monitor goes first, before the connection (the first of the interconnect's own resources).
  expect((await stack().api("DELETE", "interconnects/erp-prod?reason=e2e")).status).toBe(202);
  await stack().waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed", 120_000);
  expect((await stack().api("GET", "interconnects/erp-prod")).json.state).toBe("deleted");
  const trail = (await stack().api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[];
  const teardown = trail.filter((r) => r.operation === "teardown");
  const first = (step: string) => teardown.findIndex((r) => r.step === step);
  expect(first("azureDeleteConnectionMonitor")).toBeGreaterThanOrEqual(0);
  expect(teardown.findIndex((r) => r.step === "connection-monitor" && r.phase === "succeeded")).toBeLessThan(
    first("azureDeleteConnection"),
  );
  expect(first("azureDeleteConnectionMonitor")).toBeLessThan(first("ociRemoveRouteRules"));
  expect(counts(inventory(await stack().admin("GET", "state")))).toEqual(NOTHING);
}, 300_000);

it("pre-flight names what the probe needs and is missing: the agent extension on the VM, the region's Network Watcher", async () => {
  await stack().admin("POST", "incidents", { kind: "networkWatcherDeleted", networkWatcherId: NETWORK_WATCHER });
  expect((await stack().api("POST", "interconnects", probed("erp-noprobe", "vm-noagent"))).status).toBe(202);
  const failed = await stack().waitForRecord("erp-noprobe", (r) => r.state === "failed" || r.state === "active", 120_000);
  expect(failed.state).toBe("failed");
  expect(failed.failure).toMatchObject({ step: "preflight", code: "PREFLIGHT_FAILED" });
  expect(failed.failure.message).toContain(`the Network Watcher agent extension is not installed on VM ${vm("vm-noagent")}`);
  expect(failed.failure.message).toContain(`no Network Watcher in region eastus of subscription ${SUBSCRIPTION}`);
  expect(counts(inventory(await stack().admin("GET", "state")))).toEqual(NOTHING);
}, 180_000);
