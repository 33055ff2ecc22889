import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureClients } from "../../../src/clouds/azure/network";
import type { AzureMonitoring } from "../../../src/clouds/azure/monitoring";
import { CloudCallLog } from "../../../src/clouds/call-log";
import { type ArmTestEnv, POLL, cleanupCerts, staticToken, startArmTestEnv } from "./arm-helpers";

/**
 * Network Watcher, connection monitors, the probe's source VM and the monitor's Azure Monitor metrics on
 * the ARM emulator, through the app's own adapter (@azure/arm-network, @azure/arm-compute and
 * @azure/arm-monitor over HTTPS), with results scripted by the emulator's incidents.
 */
let env: ArmTestEnv;
let azure: AzureMonitoring;
const NW_RG = "NetworkWatcherRG";
const NW = "NetworkWatcher_eastus";
let vmId: string;

const body = (port = 1521) => ({
  location: "eastus",
  endpoints: [
    { name: "src", type: "AzureVM" as const, resourceId: vmId },
    { name: "dst", type: "ExternalAddress" as const, address: "10.20.1.10" },
  ],
  testConfigurations: [
    { name: `tcp-${port}`, protocol: "Tcp" as const, testFrequencySec: 60, tcpConfiguration: { port } },
    { name: "icmp", protocol: "Icmp" as const, testFrequencySec: 60 },
  ],
  testGroups: [{ name: "g", sources: ["src"], destinations: ["dst"], testConfigurations: [`tcp-${port}`, "icmp"] }],
});

beforeAll(async () => {
  env = await startArmTestEnv();
  const clients = new AzureClients({
    credential: staticToken(env.arm.token),
    armEndpoint: env.arm.url,
    tlsCa: env.arm.caCertPem,
    retry: { maxRetries: 0 },
  });
  azure = clients.monitoring(env.arm.subscriptionId, new CloudCallLog());
  vmId = `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${env.arm.resourceGroup}/providers/Microsoft.Compute/virtualMachines/vm-probe`;
});

afterAll(async () => {
  await env.close();
  cleanupCerts();
});

describe("ARM emulator: Network Watcher and connection monitors", () => {
  it("lists the region's Network Watcher and reads the seeded VMs and the agent extension", async () => {
    const watchers = await azure.listNetworkWatchers();
    expect(watchers.map((w) => [w.name, w.location])).toEqual([[NW, "eastus"]]);
    expect((await azure.getVirtualMachine(env.arm.resourceGroup, "vm-probe"))?.location).toBe("eastus");
    expect(await azure.getVirtualMachine(env.arm.resourceGroup, "vm-missing")).toBeUndefined();
    const agent = await azure.listVirtualMachineExtensions(env.arm.resourceGroup, "vm-probe");
    expect(agent.map((e) => [e.publisher, e.typePropertiesType, e.provisioningState])).toEqual([
      ["Microsoft.Azure.NetworkWatcher", "NetworkWatcherAgentLinux", "Succeeded"],
    ]);
    expect(await azure.listVirtualMachineExtensions(env.arm.resourceGroup, "vm-noagent")).toEqual([]);
  });

  it("validates a connection monitor like its other resources: test groups must name defined endpoints and tests", async () => {
    const bad = { ...body(), testGroups: [{ name: "g", sources: ["nope"], destinations: ["dst"], testConfigurations: ["icmp"] }] };
    await expect(azure.beginCreateConnectionMonitor(NW_RG, NW, "cm-bad", bad)).rejects.toMatchObject({
      code: "InvalidTestGroup",
      statusCode: 400,
    });
    const noPort = { ...body(), testConfigurations: [{ name: "tcp", protocol: "Tcp" as const, testFrequencySec: 60 }] };
    await expect(azure.beginCreateConnectionMonitor(NW_RG, NW, "cm-bad", noPort)).rejects.toMatchObject({
      code: "InvalidTcpConfiguration",
    });
    const classic = { location: "eastus", source: { resourceId: vmId }, destination: { address: "10.20.1.10", port: 1521 } };
    await expect(azure.beginCreateConnectionMonitor(NW_RG, NW, "cm-bad", classic)).rejects.toMatchObject({
      code: "ConnectionMonitorV1NotSupported",
    });
  });

  it("creates one as a long-running operation, reports passing metrics, then what an incident scripts, and deletes it", async () => {
    const started = await azure.beginCreateConnectionMonitor(NW_RG, NW, "cm-erp", body());
    expect(started?.provisioningState).toBe("Updating");
    await env.client.connectionMonitors.beginCreateOrUpdateAndWait(NW_RG, NW, "cm-erp", body(), POLL);
    const cm = await azure.getConnectionMonitor(NW_RG, NW, "cm-erp");
    expect(cm).toMatchObject({ provisioningState: "Succeeded", monitoringStatus: "Running" });
    const id = cm?.id ?? "";
    const end = new Date(env.clock.now());
    const start = new Date(end.getTime() - 30 * 60_000);
    expect(await azure.connectionMonitorResults(id, start, end)).toEqual([
      { testConfiguration: "icmp", checksFailedPercent: 0, roundTripTimeMs: 6 },
      { testConfiguration: "tcp-1521", checksFailedPercent: 0, roundTripTimeMs: 6 },
    ]);
    env.arm.applyIncident({
      kind: "connectionMonitorResults",
      connectionMonitorId: id,
      testConfiguration: "tcp-1521",
      checksFailedPercent: 100,
      roundTripTimeMs: 0,
    });
    expect(await azure.connectionMonitorResults(id, start, end)).toEqual([
      { testConfiguration: "icmp", checksFailedPercent: 0, roundTripTimeMs: 6 },
      { testConfiguration: "tcp-1521", checksFailedPercent: 100, roundTripTimeMs: 0 },
    ]);
    expect(["deleting", "deleted"]).toContain(await azure.beginDeleteConnectionMonitor(NW_RG, NW, "cm-erp"));
    await env.client.connectionMonitors.beginDeleteAndWait(NW_RG, NW, "cm-erp", POLL);
    expect(await azure.getConnectionMonitor(NW_RG, NW, "cm-erp")).toBeUndefined();
    await expect(azure.connectionMonitorResults(id, start, end)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("loses the Network Watcher and the agent extension to incidents", async () => {
    const nwId = `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${NW_RG}/providers/Microsoft.Network/networkWatchers/${NW}`;
    env.arm.applyIncident({ kind: "virtualMachineExtensionRemoved", virtualMachineId: vmId, extension: "AzureNetworkWatcherExtension" });
    expect(await azure.listVirtualMachineExtensions(env.arm.resourceGroup, "vm-probe")).toEqual([]);
    env.arm.applyIncident({ kind: "networkWatcherDeleted", networkWatcherId: nwId });
    expect(await azure.listNetworkWatchers()).toEqual([]);
  });
});
