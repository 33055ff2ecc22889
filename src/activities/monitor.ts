/**
 * The optional end-to-end probe (day2-operations.md §4): what it needs (a Network Watcher in the source
 * VM's region, the Network Watcher agent extension on the VM), the connection monitor (a TCP test to the
 * VCN address's port and an ICMP test, from the VM), its removal, and its results for the health watch.
 */
import type { AzureMonitoring, ConnectionMonitorResult, NetworkWatcher } from "../clouds/azure/monitoring";
import { sameAzureRegion } from "../domain/azure-regions";
import { MONITOR_TEST_FREQUENCY_SECONDS, MONITOR_THRESHOLDS, type MonitorObservation, monitorTestNames } from "../domain/monitor";
import { resourceNames } from "../domain/names";
import {
  type ConnectionMonitorObservation,
  type DeleteOutcome,
  type NetworkWatcherRef,
  permanent,
  withInterconnectTag,
} from "../contracts";
import { defineActivity, StepFailed } from "./step";

/** The agent Connection Monitor needs on an Azure VM source (network-watcher-agent-linux.md / -windows.md). */
export const NETWORK_WATCHER_AGENT = {
  publisher: "Microsoft.Azure.NetworkWatcher",
  types: ["NetworkWatcherAgentLinux", "NetworkWatcherAgentWindows"],
};

const VM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i;

export const azureReadMonitorReadiness = defineActivity("azureReadMonitorReadiness", "read", async (input, ctx) => {
  const arm = ctx.azureMonitoring(input.subscriptionId);
  const [, resourceGroup = "", vmName = ""] = VM_ID.exec(input.sourceVirtualMachineId) ?? [];
  const vm = await arm.getVirtualMachine(resourceGroup, vmName);
  const region = vm?.location ?? input.fallbackRegion;
  const [watchers, extensions] = await Promise.all([
    arm.listNetworkWatchers(),
    vm ? arm.listVirtualMachineExtensions(resourceGroup, vmName) : Promise.resolve([]),
  ]);
  const watcher = watchers.find((w) => w.location !== undefined && sameAzureRegion(w.location, region));
  const agent = extensions.find(
    (e) => e.publisher === NETWORK_WATCHER_AGENT.publisher && NETWORK_WATCHER_AGENT.types.includes(e.typePropertiesType ?? ""),
  );
  return {
    virtualMachine: vm ? { found: true, location: vm.location } : { found: false },
    networkWatcher: watcher ? watcherRef(watcher) : null,
    agentExtension: agent
      ? { name: agent.name ?? "", type: agent.typePropertiesType ?? "", provisioningState: agent.provisioningState ?? "Unknown" }
      : null,
    region,
  };
});

export const azureEnsureConnectionMonitor = defineActivity("azureEnsureConnectionMonitor", "mutation", async (input, ctx) => {
  const arm = ctx.azureMonitoring(input.subscriptionId);
  const { networkWatcher: nw, monitor } = input;
  const name = resourceNames(ctx.opContext.interconnect).connectionMonitor;
  const existing = await arm.getConnectionMonitor(nw.resourceGroup, nw.name, name);
  if (existing) return observation(existing);
  const tests = monitorTestNames(monitor);
  const successThreshold = { ...MONITOR_THRESHOLDS };
  const started = await arm.beginCreateConnectionMonitor(nw.resourceGroup, nw.name, name, {
    location: nw.location,
    tags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
    endpoints: [
      { name: "source-vm", type: "AzureVM", resourceId: monitor.sourceVirtualMachineId },
      { name: "vcn-destination", type: "ExternalAddress", address: monitor.destinationAddress },
    ],
    testConfigurations: [
      {
        name: tests.tcp,
        protocol: "Tcp",
        testFrequencySec: MONITOR_TEST_FREQUENCY_SECONDS,
        tcpConfiguration: { port: monitor.destinationPort, disableTraceRoute: false },
        successThreshold,
      },
      {
        name: tests.icmp,
        protocol: "Icmp",
        testFrequencySec: MONITOR_TEST_FREQUENCY_SECONDS,
        icmpConfiguration: { disableTraceRoute: false },
        successThreshold,
      },
    ],
    testGroups: [
      { name: "vnet-to-vcn", sources: ["source-vm"], destinations: ["vcn-destination"], testConfigurations: [tests.tcp, tests.icmp] },
    ],
    notes: `End-to-end probe of interconnect ${ctx.opContext.interconnect} (created by the interconnect service).`,
  });
  return observation(started ?? (await arm.getConnectionMonitor(nw.resourceGroup, nw.name, name)));
});

export const azureGetConnectionMonitor = defineActivity("azureGetConnectionMonitor", "read", async (input, ctx) => {
  const arm = ctx.azureMonitoring(input.subscriptionId);
  const where = await locate(arm, input, resourceNames(ctx.opContext.interconnect).connectionMonitor);
  return where ? observation(await arm.getConnectionMonitor(where.resourceGroup, where.watcher, where.name)) : { found: false };
});

export const azureDeleteConnectionMonitor = defineActivity(
  "azureDeleteConnectionMonitor",
  "mutation",
  async (input, ctx): Promise<DeleteOutcome> => {
    const arm = ctx.azureMonitoring(input.subscriptionId);
    const where = await locate(arm, input, resourceNames(ctx.opContext.interconnect).connectionMonitor);
    if (!where) return { status: "deleted" };
    const existing = await arm.getConnectionMonitor(where.resourceGroup, where.watcher, where.name);
    if (!existing) return { status: "deleted" };
    if (existing.provisioningState === "Deleting") return { status: "deleting" };
    return { status: await arm.beginDeleteConnectionMonitor(where.resourceGroup, where.watcher, where.name) };
  },
);

export const healthObserveMonitor = defineActivity("healthObserveMonitor", "read", async (input, ctx) =>
  observeMonitor(ctx.azureMonitoring(input.subscriptionId), input.connectionMonitorId, new Date(input.at), input.windowMinutes),
);

/** The health watch's read of the probe (2 ARM GETs: the monitor, its metrics over the window before `at`). */
export async function observeMonitor(
  arm: AzureMonitoring,
  connectionMonitorId: string,
  at: Date,
  windowMinutes: number,
): Promise<MonitorObservation> {
  const where = parseMonitorId(connectionMonitorId);
  if (!where)
    throw new StepFailed(permanent("VALIDATION_FAILED", `connectionMonitorId ${connectionMonitorId} is not a connection monitor id`));
  const cm = await arm.getConnectionMonitor(where.resourceGroup, where.watcher, where.name);
  if (!cm) return { found: false, connectionMonitorId };
  const start = new Date(at.getTime() - windowMinutes * 60_000);
  const tests = await arm.connectionMonitorResults(connectionMonitorId, start, at);
  return { found: true, connectionMonitorId, provisioningState: cm.provisioningState ?? "Unknown", tests };
}

function observation(cm: ConnectionMonitorResult | undefined): ConnectionMonitorObservation {
  if (!cm?.id) return { found: false };
  return { found: true, connectionMonitorId: cm.id, provisioningState: cm.provisioningState ?? "Unknown" };
}

function watcherRef(w: NetworkWatcher): NetworkWatcherRef {
  const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(w.id ?? "")?.[1] ?? "";
  return { id: w.id ?? "", name: w.name ?? "", resourceGroup, location: w.location ?? "" };
}

function parseMonitorId(id: string): { resourceGroup: string; watcher: string; name: string } | undefined {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkWatchers\/([^/]+)\/connectionMonitors\/([^/]+)$/i.exec(id);
  return m ? { resourceGroup: m[1] as string, watcher: m[2] as string, name: m[3] as string } : undefined;
}

/** The recorded monitor, or ours by name in the region's Network Watcher (a run that stopped before recording it). */
async function locate(
  arm: AzureMonitoring,
  input: { connectionMonitorId?: string | undefined; region: string },
  name: string,
): Promise<{ resourceGroup: string; watcher: string; name: string } | undefined> {
  if (input.connectionMonitorId !== undefined) return parseMonitorId(input.connectionMonitorId);
  const watcher = (await arm.listNetworkWatchers()).find((w) => w.location !== undefined && sameAzureRegion(w.location, input.region));
  if (!watcher) return undefined;
  const ref = watcherRef(watcher);
  return { resourceGroup: ref.resourceGroup, watcher: ref.name, name };
}
