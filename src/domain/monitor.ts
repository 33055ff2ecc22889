import { z } from "zod";
import type { FindingDraft } from "./health";

/**
 * The optional end-to-end probe (day2-operations.md §4): one connection monitor per interconnect, from a
 * VM in the VNet to an address and port in the VCN, a TCP test to the port and an ICMP test. It catches
 * what every other signal stays green through (a security list, a UDR, a route rule on a subnet's own
 * table). Its results are Azure Monitor metrics of the monitor, read on the route-level cadence.
 */

/** Connection Monitor's own default thresholds ("States": checks failed 10 %, round trip 750 ms), set on the tests too. */
export const MONITOR_THRESHOLDS = { checksFailedPercent: 10, roundTripTimeMs: 750 } as const;
/** How often the monitor's agent runs each test (seconds; one of 30, 60, 300, 900, 1800). */
export const MONITOR_TEST_FREQUENCY_SECONDS = 60;

export interface MonitorSpec {
  sourceVirtualMachineId: string;
  destinationAddress: string;
  destinationPort: number;
}

/** The test configuration names, which are also the metrics' TestConfigurationName dimension. */
export function monitorTestNames(monitor: Pick<MonitorSpec, "destinationPort">): { tcp: string; icmp: string } {
  return { tcp: `tcp-${monitor.destinationPort}`, icmp: "icmp" };
}

const testResult = z.strictObject({
  testConfiguration: z.string(),
  checksFailedPercent: z.number().nullable(),
  roundTripTimeMs: z.number().nullable(),
});

/** What the health watch read of the monitor: its resource, and each test's averages over the last window. */
export const monitorObservationSchema = z.discriminatedUnion("found", [
  z.strictObject({ found: z.literal(false), connectionMonitorId: z.string() }),
  z.strictObject({
    found: z.literal(true),
    connectionMonitorId: z.string(),
    provisioningState: z.string(),
    tests: z.array(testResult),
  }),
]);
export type MonitorObservation = z.infer<typeof monitorObservationSchema>;

export function monitorFindings(o: MonitorObservation): FindingDraft[] {
  const out: FindingDraft[] = [];
  const add = (d: Omit<FindingDraft, "tier">): void => void out.push({ ...d, tier: "routes" });
  if (!o.found) {
    add({
      code: "monitor-missing",
      subject: "connection-monitor",
      signal: "connectionMonitors GET",
      expected: `connection monitor ${o.connectionMonitorId}`,
      observed: "404",
      severity: "warning",
      remedy: "ask",
      action:
        "The end-to-end probe's connection monitor was deleted outside the service, so nothing tests the data path any more. Recreate it (provisioning the same spec again does) if that was not deliberate.",
    });
    return out;
  }
  for (const t of o.tests) {
    if (t.checksFailedPercent !== null && t.checksFailedPercent > MONITOR_THRESHOLDS.checksFailedPercent) {
      const all = t.checksFailedPercent >= 100;
      add({
        code: "monitor-checks-failed",
        subject: t.testConfiguration,
        signal: `connection monitor ${o.connectionMonitorId} metric ChecksFailedPercent (TestConfigurationName ${t.testConfiguration})`,
        expected: `at most ${MONITOR_THRESHOLDS.checksFailedPercent} %`,
        observed: `${round(t.checksFailedPercent)} %`,
        severity: all ? "critical" : "warning",
        remedy: "alert-only",
        action: all
          ? `No check of ${t.testConfiguration} got through from the VM to the VCN: the data path is broken although the control plane may look healthy. Look at the route findings, the VCN security list / NSG for the port, and the VM's UDRs (Network Watcher next hop).`
          : `Some checks of ${t.testConfiguration} fail: packet loss or a flapping path. Compare with the per-path findings and the circuit's metrics.`,
      });
    }
    if (t.roundTripTimeMs !== null && t.roundTripTimeMs > MONITOR_THRESHOLDS.roundTripTimeMs) {
      add({
        code: "monitor-round-trip-slow",
        subject: t.testConfiguration,
        signal: `connection monitor ${o.connectionMonitorId} metric RoundTripTimeMs (TestConfigurationName ${t.testConfiguration})`,
        expected: `at most ${MONITOR_THRESHOLDS.roundTripTimeMs} ms`,
        observed: `${round(t.roundTripTimeMs)} ms`,
        severity: "warning",
        remedy: "alert-only",
        action:
          "The round trip is slower than Connection Monitor's default threshold: check for a path down (traffic on one path) or congestion at the bandwidth limit.",
      });
    }
  }
  return out;
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}
