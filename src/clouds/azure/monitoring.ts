/**
 * The optional end-to-end probe (day2-operations.md §4): Network Watcher and its connection monitors
 * (@azure/arm-network), the source VM and its extensions (@azure/arm-compute), and the monitor's results.
 *
 * Results: the connection monitor API of arm-network 36 (api-version 2025-05-01) has no query or
 * results operation any more (the classic monitor's `query` went with it, retired 29 Feb 2024). What a
 * connection monitor reports lands in Azure Monitor metrics of the monitor resource, namespace
 * Microsoft.Network/networkWatchers/connectionMonitors: `ChecksFailedPercent` and `RoundTripTimeMs`
 * (average, split by the `TestConfigurationName` dimension; Microsoft's "Supported metrics -
 * Microsoft.Network/networkWatchers/connectionMonitors"), read here with @azure/arm-monitor's
 * `metrics.list` (GET {monitor id}/providers/Microsoft.Insights/metrics, api-version 2024-02-01) over ARM.
 */
import type { NetworkManagementClient, ConnectionMonitor, ConnectionMonitorResult, NetworkWatcher } from "@azure/arm-network";
import type { ComputeManagementClient, VirtualMachine, VirtualMachineExtension } from "@azure/arm-compute";
import type { MonitorClient } from "@azure/arm-monitor";
import type { CloudCallLog } from "../call-log";
import { ArmCalls, type DeleteStart } from "./arm-calls";

export type { ConnectionMonitor, ConnectionMonitorResult, NetworkWatcher, VirtualMachine, VirtualMachineExtension };

export interface MonitoringClients {
  compute: ComputeManagementClient;
  monitor: MonitorClient;
}

/** One test configuration's results over the window: the average of each metric, null when the monitor sent none. */
export interface MonitorTestResult {
  testConfiguration: string;
  checksFailedPercent: number | null;
  roundTripTimeMs: number | null;
}

export const CONNECTION_MONITOR_METRICS = ["ChecksFailedPercent", "RoundTripTimeMs"] as const;
const METRIC_NAMESPACE = "Microsoft.Network/networkWatchers/connectionMonitors";

export class AzureMonitoring extends ArmCalls {
  constructor(
    protected readonly client: NetworkManagementClient,
    log: CloudCallLog,
    private readonly clients: MonitoringClients,
  ) {
    super(log);
  }

  /** Every Network Watcher of the subscription (one per region, usually NetworkWatcher_<region> in NetworkWatcherRG). */
  listNetworkWatchers(): Promise<NetworkWatcher[]> {
    return this.collect("GET networkWatchers", (o) => this.client.networkWatchers.listAll(o));
  }

  getConnectionMonitor(rg: string, watcher: string, name: string): Promise<ConnectionMonitorResult | undefined> {
    return this.getOrUndefined("GET connectionMonitors", (o) => this.client.connectionMonitors.get(rg, watcher, name, o));
  }

  beginCreateConnectionMonitor(
    rg: string,
    watcher: string,
    name: string,
    body: ConnectionMonitor,
  ): Promise<ConnectionMonitorResult | undefined> {
    return this.begin("PUT connectionMonitors", (o) => this.client.connectionMonitors.beginCreateOrUpdate(rg, watcher, name, body, o));
  }

  beginDeleteConnectionMonitor(rg: string, watcher: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE connectionMonitors", (o) => this.client.connectionMonitors.beginDelete(rg, watcher, name, o));
  }

  getVirtualMachine(rg: string, name: string): Promise<VirtualMachine | undefined> {
    const client = this.clients.compute;
    return this.getOrUndefined("GET virtualMachines", (o) => client.virtualMachines.get(rg, name, o));
  }

  async listVirtualMachineExtensions(rg: string, vm: string): Promise<VirtualMachineExtension[]> {
    const client = this.clients.compute;
    const list = await this.awaitRead("GET virtualMachines/extensions", (o) => client.virtualMachineExtensions.list(rg, vm, o));
    return list.value ?? [];
  }

  /** ChecksFailedPercent and RoundTripTimeMs per test configuration, averaged over [start, end]. */
  async connectionMonitorResults(connectionMonitorId: string, start: Date, end: Date): Promise<MonitorTestResult[]> {
    const client = this.clients.monitor;
    // The SDK's URL template is "/{+resourceUri}/…": the id without its leading slash.
    const resourceUri = connectionMonitorId.replace(/^\/+/, "");
    const response = await this.awaitRead("GET metrics", (o) =>
      client.metrics.list(resourceUri, {
        ...o,
        timespan: `${start.toISOString()}/${end.toISOString()}`,
        interval: "FULL",
        metricnames: CONNECTION_MONITOR_METRICS.join(","),
        aggregation: "average",
        metricnamespace: METRIC_NAMESPACE,
        filter: "TestConfigurationName eq '*'",
      }),
    );
    const byTest = new Map<string, MonitorTestResult>();
    for (const metric of response.value) {
      const name = metric.name.value;
      for (const series of metric.timeseries) {
        const test = series.metadatavalues?.find((m) => m.name?.value?.toLowerCase() === "testconfigurationname")?.value ?? "";
        const values = (series.data ?? []).map((d) => d.average).filter((v): v is number => typeof v === "number");
        const average = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
        const entry = byTest.get(test) ?? { testConfiguration: test, checksFailedPercent: null, roundTripTimeMs: null };
        if (name === "ChecksFailedPercent") entry.checksFailedPercent = average;
        if (name === "RoundTripTimeMs") entry.roundTripTimeMs = average;
        byTest.set(test, entry);
      }
    }
    return [...byTest.values()].sort((a, b) => a.testConfiguration.localeCompare(b.testConfiguration));
  }
}
