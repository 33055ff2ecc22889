import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkFindings, repairPlan } from "../../src/domain/health-check";
import { statusOf } from "../../src/domain/health";
import type { ControlPlaneObservation } from "../../src/domain/observation";
import { DRG, RT, desired, healthyLive, healthyRoutes } from "../support/health-fixtures";

const codes = (f: { code: string; subject: string }[]) => f.map((x) => `${x.code}:${x.subject}`).sort();

describe("checkFindings", () => {
  it("finds nothing on a healthy interconnect", () => {
    const d = desired();
    expect(checkFindings(d, healthyLive(d), healthyRoutes(d))).toEqual([]);
  });

  it("one path down is degraded and alert-only; both down is down", () => {
    const d = desired();
    const routes = healthyRoutes(d);
    routes.paths.secondary = { arpPeer: false, statePfxRcd: "Idle", routes: [] };
    const one = checkFindings(d, healthyLive(d), routes);
    expect(one).toMatchObject([
      {
        code: "path-down",
        subject: "secondary",
        severity: "warning",
        remedy: "alert-only",
        observed: "ARP peer missing, statePfxRcd Idle",
      },
    ]);
    expect(statusOf(one)).toBe("degraded");
    routes.paths.primary = { arpPeer: true, statePfxRcd: "Active", routes: [] };
    const both = checkFindings(d, healthyLive(d), routes);
    expect(both.map((f) => f.severity)).toEqual(["critical", "critical"]);
    expect(statusOf(both)).toBe("down");
  });

  it("a connection deleted outside the service: BGP green, yet down, and for a person to decide", () => {
    const d = desired();
    const live = { ...healthyLive(d), connection: { found: false as const } };
    const routes = { ...healthyRoutes(d), drgVirtualCircuitRoutes: [] };
    const findings = checkFindings(d, live, routes);
    expect(codes(findings)).toEqual(["connection-missing:connection", "drg-route-missing:10.10.0.0/16"]);
    expect(findings.find((f) => f.code === "connection-missing")).toMatchObject({ severity: "critical", remedy: "ask" });
    expect(statusOf(findings)).toBe("down");
  });

  it("a removed route rule is down and auto-repairable with the exact rule; a grown VNet prefix is degraded with its rule", () => {
    const d = desired();
    const live = healthyLive(d);
    if (live.virtualNetwork.found) live.virtualNetwork.addressPrefixes.push("10.11.0.0/16");
    const routes = { ...healthyRoutes(d), vcnRouteRules: [], drgVirtualCircuitRoutes: ["10.10.0.0/16", "10.11.0.0/16"] };
    const findings = checkFindings(d, live, routes);
    expect(codes(findings)).toEqual(["route-rule-missing:10.10.0.0/16", "vnet-prefix-unrouted:10.11.0.0/16"]);
    const grown = findings.find((f) => f.code === "vnet-prefix-unrouted");
    expect(grown?.action).toContain(`destination 10.11.0.0/16, destinationType CIDR_BLOCK, networkEntityId ${DRG} to route table ${RT}`);
    expect(grown?.severity).toBe("warning");
    expect(repairPlan(findings)).toEqual({ routeRules: ["10.10.0.0/16", "10.11.0.0/16"], refreshCircuit: false, refreshConnection: false });
  });

  it("a Failed circuit or connection is repaired by refresh; the provider deprovisioning is alert-only and down", () => {
    const d = desired();
    const failed = healthyLive(d);
    if (failed.circuit.found) failed.circuit.provisioningState = "Failed";
    if (failed.connection.found) failed.connection.provisioningState = "Failed";
    expect(repairPlan(checkFindings(d, failed))).toEqual({ routeRules: [], refreshCircuit: true, refreshConnection: true });
    expect(statusOf(checkFindings(d, failed))).toBe("degraded");

    const gone = healthyLive(d);
    gone.virtualCircuit = { found: false };
    if (gone.circuit.found) gone.circuit.serviceProviderProvisioningState = "NotProvisioned";
    gone.peering = { found: false };
    const findings = checkFindings(d, gone);
    expect(codes(findings)).toEqual(["provider-not-provisioned:circuit", "virtual-circuit-missing:virtualCircuit"]);
    expect(findings.every((f) => f.remedy === "alert-only")).toBe(true);
    expect(repairPlan(findings)).toEqual({ routeRules: [], refreshCircuit: false, refreshConnection: false });
  });

  it("a detached DRG attachment is down, naming it", () => {
    const d = desired();
    const live = {
      ...healthyLive(d),
      drgAttachment: { found: true as const, lifecycleState: "DETACHED", vcnId: "ocid1.vcn.oc1.iad.aaaaaaaavcn" },
    };
    expect(checkFindings(d, live)).toMatchObject([{ code: "drg-attachment-missing", observed: "DETACHED", severity: "critical" }]);
  });

  it("classifies every drift of a recorded property as alert-only (degraded), and never plans a write for it", () => {
    const d = desired();
    const mutation = fc.constantFrom<(l: ControlPlaneObservation) => void>(
      (l) => void (l.circuit.found && (l.circuit.bandwidthInMbps = 2000)),
      (l) => void (l.circuit.found && (l.circuit.skuTier = "Premium")),
      (l) => void (l.circuit.found && (l.circuit.peeringLocation = "Ashburn")),
      (l) => void (l.peering.found && (l.peering.peerASN = 65000)),
      (l) => void (l.peering.found && (l.peering.secondaryPeerAddressPrefix = "192.168.200.4/30")),
      (l) => void (l.connection.found && (l.connection.fastPath = !l.connection.fastPath)),
      (l) => void (l.virtualCircuit.found && (l.virtualCircuit.bandwidthShapeName = "10 Gbps")),
    );
    fc.assert(
      fc.property(fc.uniqueArray(mutation, { minLength: 1, maxLength: 7 }), (mutations) => {
        const live = healthyLive(d);
        for (const m of mutations) m(live);
        const findings = checkFindings(d, live);
        expect(findings).toHaveLength(mutations.length);
        expect(findings.every((f) => f.code.endsWith("-drift") && f.remedy === "alert-only" && f.severity === "warning")).toBe(true);
        expect(statusOf(findings)).toBe("degraded");
        expect(repairPlan(findings)).toEqual({ routeRules: [], refreshCircuit: false, refreshConnection: false });
      }),
    );
  });
});
