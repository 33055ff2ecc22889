import { observeControlPlane, observeRoutes } from "../src/activities/health-reads";
import { observeMonitor } from "../src/activities/monitor";
import { resourceNames } from "../src/domain/names";
import { RequestCounter, type CloudRequests } from "./provisioning/request-counter";
import { RG, startCrossCloud } from "../test/local/emulators/cross-cloud";
import { watchedInterconnect } from "../test/support/watched-interconnect";

/**
 * `npm run bench`, the health watch: the cloud requests of one control-plane check and of one
 * route-level check of a healthy interconnect (the app's own reads, real SDKs, counted at the
 * emulators' HTTP servers, LRO polls included), scaled to a day at the configured cadences and to 500
 * interconnects in one subscription, against ARM's per-subscription limits (learn.microsoft.com,
 * azure-resource-manager/management/request-limits-and-throttling, 2024 regional token bucket:
 * reads refill 25/s, writes 10/s, per subscription and service principal; the earlier hourly limits
 * were 12,000 reads and 1,200 writes).
 */
const INTERCONNECTS = 500;
const READS_PER_HOUR = 25 * 3600;
const WRITES_PER_HOUR = 10 * 3600;
const LEGACY_READS_PER_HOUR = 12_000;
const LEGACY_WRITES_PER_HOUR = 1_200;
/** Kept well inside: the watch may use at most half of the subscription's sustained read rate. */
const MAX_SHARE = 0.5;

async function main(): Promise<void> {
  const controlMinutes = Number(process.env.HEALTH_CONTROL_PLANE_MINUTES ?? 5);
  const routesMinutes = Number(process.env.HEALTH_ROUTES_MINUTES ?? 30);
  const cloud = await startCrossCloud();
  try {
    const { emu } = cloud;
    const name = "erp-prod";
    const names = resourceNames(name);
    const { azureClients, azure, oci, log, targets } = await watchedInterconnect(cloud, name);
    const monitoring = azureClients.monitoring(emu.arm.subscriptionId, log);
    // The optional end-to-end probe (spec.monitor): the seeded VM to an address in the VCN.
    const probe = await monitoring.beginCreateConnectionMonitor("NetworkWatcherRG", "NetworkWatcher_eastus", names.connectionMonitor, {
      location: "eastus",
      endpoints: [
        {
          name: "source-vm",
          type: "AzureVM",
          resourceId: `/subscriptions/${emu.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/vm-probe`,
        },
        { name: "vcn-destination", type: "ExternalAddress", address: "10.20.1.10" },
      ],
      testConfigurations: [
        { name: "tcp-1521", protocol: "Tcp", testFrequencySec: 60, tcpConfiguration: { port: 1521 } },
        { name: "icmp", protocol: "Icmp", testFrequencySec: 60 },
      ],
      testGroups: [
        { name: "vnet-to-vcn", sources: ["source-vm"], destinations: ["vcn-destination"], testConfigurations: ["tcp-1521", "icmp"] },
      ],
    });
    const armPort = Number(new URL(emu.arm.url).port);
    const ociPort = Number(new URL(emu.oci.url).port);
    const counter = new RequestCounter([armPort, ociPort]);
    const live = await observeControlPlane(azure, oci, targets);
    const control = { arm: counter.of(armPort), oci: counter.of(ociPort) };
    counter.reset();
    await observeRoutes(azure, oci, targets, live.drgAttachment.found ? live.drgAttachment.drgRouteTableId : undefined, live.peering.found);
    const routes = { arm: counter.of(armPort), oci: counter.of(ociPort) };
    counter.reset();
    await observeMonitor(monitoring, probe?.id ?? "", new Date(), routesMinutes);
    const monitor = { arm: counter.of(armPort) };
    counter.close();

    const controlPerDay = (24 * 60) / controlMinutes;
    const routesPerDay = (24 * 60) / routesMinutes;
    const reads = (c: CloudRequests) => c.reads + c.lroPolls;
    // Counted with the probe: an interconnect without spec.monitor makes monitor.arm fewer reads a route check.
    const armReadsPerDay = reads(control.arm) * controlPerDay + (reads(routes.arm) + reads(monitor.arm)) * routesPerDay;
    const armWritesPerDay = control.arm.writes * controlPerDay + routes.arm.writes * routesPerDay;
    const ociPerDay = (reads(control.oci) + control.oci.writes) * controlPerDay + (reads(routes.oci) + routes.oci.writes) * routesPerDay;
    const fleetReadsPerHour = (armReadsPerDay * INTERCONNECTS) / 24;
    const fleetWritesPerHour = (armWritesPerDay * INTERCONNECTS) / 24;

    const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;
    console.log(
      `Health watch cloud requests (cadences: control plane every ${controlMinutes} min, routes every ${routesMinutes} min), measured ${new Date().toISOString().slice(0, 10)}:`,
    );
    console.log(`  one control-plane check: ARM ${control.arm.reads} GETs; OCI ${reads(control.oci)} GETs`);
    console.log(
      `  one route-level check:   ARM ${routes.arm.writes} POST actions (ARP, BGP summary, routes x 2 paths) + ${routes.arm.lroPolls} operation polls + ${routes.arm.reads} GETs; OCI ${reads(routes.oci)} GETs`,
    );
    console.log(
      `  the end-to-end probe (spec.monitor), on the route cadence: ARM ${reads(monitor.arm)} GETs (the connection monitor, its metrics); counted below`,
    );
    console.log(`  per interconnect per day: ARM ${armReadsPerDay} reads + ${armWritesPerDay} POST actions; OCI ${ociPerDay} requests`);
    console.log(
      `  ${INTERCONNECTS} interconnects in one subscription: ARM ${Math.round(fleetReadsPerHour)} reads/h (${pct(fleetReadsPerHour, READS_PER_HOUR)} of ${READS_PER_HOUR}/h, the 25/s refill) and ${Math.round(fleetWritesPerHour)} POST actions/h, counted as writes (${pct(fleetWritesPerHour, WRITES_PER_HOUR)} of ${WRITES_PER_HOUR}/h)`,
    );
    console.log(
      `  under the earlier hourly limits that would be ${pct(fleetReadsPerHour, LEGACY_READS_PER_HOUR)} of ${LEGACY_READS_PER_HOUR} reads/h and ${pct(fleetWritesPerHour, LEGACY_WRITES_PER_HOUR)} of ${LEGACY_WRITES_PER_HOUR} writes/h: such a subscription needs slower cadences or interconnects spread over subscriptions`,
    );
    if (fleetReadsPerHour > MAX_SHARE * READS_PER_HOUR || fleetWritesPerHour > MAX_SHARE * WRITES_PER_HOUR) {
      console.error(
        `FAIL: the watch of ${INTERCONNECTS} interconnects would use more than ${MAX_SHARE * 100}% of ARM's per-subscription rate`,
      );
      process.exitCode = 1;
    }
  } finally {
    await cloud.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
