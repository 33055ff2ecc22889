import { describe, expect, it } from "vitest";
import { parseInstanceId, provisionInstanceId, resourceNames, teardownInstanceId } from "../../src/domain/names";
import { bandwidthFor, circuitSku, gatewaySku, isValidCircuitSku, maxCircuitConnections, supportsFastPath } from "../../src/domain/skus";
import fc from "fast-check";

describe("bandwidth", () => {
  it("maps Gbps to ExpressRoute Mbps and the OCI shape name", () => {
    expect([1, 2, 5, 10].map((g) => bandwidthFor(g as 1 | 2 | 5 | 10))).toEqual([
      { gbps: 1, bandwidthInMbps: 1000, bandwidthShapeName: "1 Gbps" },
      { gbps: 2, bandwidthInMbps: 2000, bandwidthShapeName: "2 Gbps" },
      { gbps: 5, bandwidthInMbps: 5000, bandwidthShapeName: "5 Gbps" },
      { gbps: 10, bandwidthInMbps: 10000, bandwidthShapeName: "10 Gbps" },
    ]);
  });
});

describe("SKUs", () => {
  it("builds circuit SKU names as tier_family and knows Local needs UnlimitedData", () => {
    expect(circuitSku("Standard", "MeteredData")).toEqual({ name: "Standard_MeteredData", tier: "Standard", family: "MeteredData" });
    expect(circuitSku("Local", "UnlimitedData").name).toBe("Local_UnlimitedData");
    expect(isValidCircuitSku("Local", "MeteredData")).toBe(false);
    expect(isValidCircuitSku("Premium", "MeteredData")).toBe(true);
  });

  it("knows which gateway SKUs have FastPath and how many circuits they connect", () => {
    expect(["Standard", "HighPerformance", "ErGw1AZ", "ErGw2AZ"].map((s) => supportsFastPath(s as "Standard"))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(supportsFastPath("UltraPerformance")).toBe(true);
    expect(supportsFastPath("ErGw3AZ")).toBe(true);
    expect(supportsFastPath("ErGwScale", 9)).toBe(false);
    expect(supportsFastPath("ErGwScale", 10)).toBe(true);
    expect([maxCircuitConnections("Standard"), maxCircuitConnections("ErGw2AZ"), maxCircuitConnections("UltraPerformance")]).toEqual([
      4, 8, 16,
    ]);
    expect([1, 2, 9, 10].map((u) => maxCircuitConnections("ErGwScale", u))).toEqual([4, 8, 8, 16]);
    expect(gatewaySku("ErGw3AZ")).toEqual({ name: "ErGw3AZ", tier: "ErGw3AZ" });
  });
});

describe("resource names", () => {
  it("derives every name from the interconnect name", () => {
    expect(resourceNames("erp-prod")).toEqual({
      circuit: "erc-erp-prod",
      gateway: "vgw-erp-prod-er",
      gatewayPublicIp: "pip-erp-prod-ergw",
      connection: "cn-erp-prod-er",
      virtualCircuit: "vc-erp-prod-azure",
      drg: "drg-erp-prod",
      drgAttachment: "drgatt-erp-prod-vcn",
      routeRuleDescription: "interconnect:erp-prod",
      connectionMonitor: "cm-erp-prod",
    });
  });

  const validName = fc.stringMatching(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/);

  it("keeps every ARM name within ARM's rules for any valid interconnect name", () => {
    fc.assert(
      fc.property(validName, (name) => {
        const n = resourceNames(name);
        for (const arm of [n.circuit, n.gateway, n.gatewayPublicIp, n.connection]) {
          expect(arm).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,78}[A-Za-z0-9_]$/);
        }
        for (const oci of [n.virtualCircuit, n.drg, n.drgAttachment]) expect(oci.length).toBeLessThanOrEqual(255);
      }),
    );
  });

  it("makes instance ids that are deterministic, distinct per attempt and readable back", () => {
    expect(provisionInstanceId("erp-prod", 1)).toBe("provision-erp-prod-1");
    expect(teardownInstanceId("erp-prod", 2)).toBe("teardown-erp-prod-2");
    expect(() => provisionInstanceId("erp-prod", 0)).toThrow(RangeError);
    expect(() => teardownInstanceId("erp-prod", 1.5)).toThrow(RangeError);
    fc.assert(
      fc.property(validName, fc.integer({ min: 1, max: 1_000_000 }), (name, attempt) => {
        expect(parseInstanceId(provisionInstanceId(name, attempt))).toEqual({ operation: "provision", name, attempt });
        expect(parseInstanceId(teardownInstanceId(name, attempt))).toEqual({ operation: "teardown", name, attempt });
        // Durable Functions forbids these characters in instance ids.
        expect(provisionInstanceId(name, attempt)).not.toMatch(/[/\\#?\s]/);
      }),
    );
    expect(parseInstanceId("some-other-id")).toBeUndefined();
  });
});
