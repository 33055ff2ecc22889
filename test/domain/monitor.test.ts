import { describe, expect, it } from "vitest";
import type { ValidationError } from "../../src/domain/errors";
import { monitorFindings } from "../../src/domain/monitor";
import { parseInterconnectSpec } from "../../src/domain/spec";
import { exampleSpecBody } from "../support/example-spec";

const CM =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus/connectionMonitors/cm-erp-prod";
const VM =
  "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-erp-network/providers/Microsoft.Compute/virtualMachines/vm-probe";
const test = (testConfiguration: string, checksFailedPercent: number | null, roundTripTimeMs: number | null) => ({
  testConfiguration,
  checksFailedPercent,
  roundTripTimeMs,
});

describe("the end-to-end probe's findings (Connection Monitor's default thresholds: 10 % failed checks, 750 ms)", () => {
  it("finds nothing while every test passes, or before the monitor has data", () => {
    expect(
      monitorFindings({
        found: true,
        connectionMonitorId: CM,
        provisioningState: "Succeeded",
        tests: [test("tcp-1521", 0, 6), test("icmp", null, null)],
      }),
    ).toEqual([]);
  });

  it("a test whose every check fails is critical (down); some failed checks and a slow round trip are warnings", () => {
    const findings = monitorFindings({
      found: true,
      connectionMonitorId: CM,
      provisioningState: "Succeeded",
      tests: [test("tcp-1521", 100, 0), test("icmp", 25, 900)],
    });
    expect(findings.map((f) => [f.code, f.subject, f.severity, f.tier, f.observed])).toEqual([
      ["monitor-checks-failed", "tcp-1521", "critical", "routes", "100 %"],
      ["monitor-checks-failed", "icmp", "warning", "routes", "25 %"],
      ["monitor-round-trip-slow", "icmp", "warning", "routes", "900 ms"],
    ]);
    expect(findings[0]?.signal).toBe(`connection monitor ${CM} metric ChecksFailedPercent (TestConfigurationName tcp-1521)`);
  });

  it("a monitor deleted outside the service is a finding for a person to decide", () => {
    expect(monitorFindings({ found: false, connectionMonitorId: CM })).toMatchObject([
      { code: "monitor-missing", severity: "warning", remedy: "ask", expected: `connection monitor ${CM}` },
    ]);
  });
});

describe("spec.monitor", () => {
  const withMonitor = (monitor: unknown) => ({ ...exampleSpecBody(), monitor });
  const issues = (input: unknown) => {
    try {
      parseInterconnectSpec(input);
      return [];
    } catch (e) {
      return (e as ValidationError).issues.map((i) => i.path);
    }
  };

  it("is optional, and taken as given", () => {
    expect(parseInterconnectSpec(exampleSpecBody()).monitor).toBeUndefined();
    const monitor = { sourceVirtualMachineId: VM, destinationAddress: "10.20.1.10", destinationPort: 1521 };
    expect(parseInterconnectSpec(withMonitor(monitor)).monitor).toEqual(monitor);
  });

  it("names each bad field: not a VM id, not an address, not a port, a VM in another subscription", () => {
    expect(issues(withMonitor({ sourceVirtualMachineId: "vm-probe", destinationAddress: "db.example", destinationPort: 0 }))).toEqual([
      "monitor.sourceVirtualMachineId",
      "monitor.destinationAddress",
      "monitor.destinationPort",
    ]);
    const elsewhere = VM.replace("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222");
    expect(issues(withMonitor({ sourceVirtualMachineId: elsewhere, destinationAddress: "10.20.1.10", destinationPort: 1521 }))).toEqual([
      "monitor.sourceVirtualMachineId",
    ]);
    expect(issues(withMonitor({ sourceVirtualMachineId: VM, destinationAddress: "10.20.1.10" }))).toEqual(["monitor.destinationPort"]);
  });
});
