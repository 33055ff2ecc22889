/**
 * The health watch's reads over the app's own cloud clients (real SDKs) against both emulators, on an
 * interconnect built under the app's resource names; failures are injected as a user would, through the
 * emulators' admin incidents.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthTargets } from "../../src/contracts";
import { observeControlPlane, observeRoutes, refreshFailedCircuit, refreshFailedConnection } from "../../src/activities/health-reads";
import type { CloudCallLog } from "../../src/clouds/call-log";
import type { AzureNetwork } from "../../src/clouds/azure/network";
import type { OciNetwork } from "../../src/clouds/oci/network";
import { desiredSnapshot, type DesiredSnapshot } from "../../src/domain/desired-snapshot";
import { checkFindings } from "../../src/domain/health-check";
import { exampleSpec } from "../support/example-spec";
import { watchedInterconnect } from "../support/watched-interconnect";
import { type CrossCloud, type ProvisionedIds, admin, startCrossCloud, waitFor } from "../local/emulators/cross-cloud";

const NAME = "erp-prod";
let cloud: CrossCloud;
let ids: ProvisionedIds;
let azure: AzureNetwork;
let oci: OciNetwork;
let log: CloudCallLog;
let targets: HealthTargets;
let desired: DesiredSnapshot;

beforeAll(async () => {
  cloud = await startCrossCloud();
  ({ ids, azure, oci, log, targets } = await watchedInterconnect(cloud, NAME));
  const { emu } = cloud;
  desired = desiredSnapshot(
    {
      spec: {
        ...exampleSpec(NAME),
        azure: {
          ...exampleSpec(NAME).azure,
          circuitSku: { tier: "Standard", family: "MeteredData" },
          gateway: { sku: "UltraPerformance", fastPath: true },
        },
      },
      bgpPlan: {
        primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      },
      resources: { drgId: ids.drgId, routeTableId: emu.oci.routeTableId, routedPrefixes: ["10.10.0.0/16"] },
    },
    new Date().toISOString(),
    ["10.20.0.0/16"],
  );
});

afterAll(async () => {
  await cloud.close();
});

async function check() {
  const live = await observeControlPlane(azure, oci, targets);
  const routes = await observeRoutes(
    azure,
    oci,
    targets,
    live.drgAttachment.found ? live.drgAttachment.drgRouteTableId : undefined,
    live.peering.found,
  );
  return { live, routes, findings: checkFindings(desired, live, routes) };
}
const incident = (body: Record<string, unknown>) => admin(cloud.emu, "POST", "/admin/incidents", body);
const codes = (f: { code: string; subject: string }[]) => f.map((x) => `${x.code}:${x.subject}`).sort();

describe("health reads", () => {
  it("read a healthy interconnect as healthy, in 8 control-plane calls", async () => {
    const before = log.calls.length;
    const live = await observeControlPlane(azure, oci, targets);
    expect(log.calls.length - before).toBe(8);
    const { findings, routes } = await check();
    expect(findings).toEqual([]);
    expect(routes.paths.primary).toEqual({ arpPeer: true, statePfxRcd: "1", routes: ["10.20.0.0/16"] });
    expect(live.drgAttachment).toMatchObject({ found: true, lifecycleState: "ATTACHED" });
  });

  it("see a path down, a removed route rule, a grown VNet and a deleted connection for what they are", async () => {
    await incident({ kind: "pathDown", virtualCircuitId: ids.virtualCircuitId, path: "secondary" });
    await incident({ kind: "virtualNetworkPrefixAdded", virtualNetworkId: cloud.emu.arm.virtualNetworkId, prefix: "10.11.0.0/16" });
    await incident({ kind: "routeRuleRemoved", routeTableId: targets.routeTableId, destination: "10.10.0.0/16" });
    expect(codes((await check()).findings)).toEqual([
      "path-down:secondary",
      "route-rule-missing:10.10.0.0/16",
      "vnet-prefix-unrouted:10.11.0.0/16",
    ]);

    await incident({ kind: "pathUp", virtualCircuitId: ids.virtualCircuitId, path: "secondary" });
    await incident({ kind: "connectionFailed", connectionId: ids.connectionId });
    const failed = await check();
    expect(codes(failed.findings)).toContain("connection-failed:connection");
    expect(codes(failed.findings)).toContain("drg-route-missing:10.11.0.0/16");
    expect(await refreshFailedConnection(azure, targets)).toBe("refreshing");
    await waitFor(async () => {
      const c = (await observeControlPlane(azure, oci, targets)).connection;
      return c.found && c.connectionStatus === "Connected" ? true : undefined;
    }, "connection Connected after the refresh");
    expect(await refreshFailedConnection(azure, targets)).toBe("not-failed");

    await incident({ kind: "connectionDeleted", connectionId: ids.connectionId });
    const deleted = await check();
    expect(codes(deleted.findings)).toEqual(
      expect.arrayContaining(["connection-missing:connection", "drg-route-missing:10.10.0.0/16", "drg-route-missing:10.11.0.0/16"]),
    );
    expect(deleted.findings.find((f) => f.code === "connection-missing")?.remedy).toBe("ask");
  });

  it("refresh a Failed circuit by GET+PUT of its own body, keeping the provider's peering", async () => {
    expect(await refreshFailedCircuit(azure, targets, () => undefined)).toBe("not-failed");
    await incident({ kind: "circuitFailed", circuitId: ids.circuitId });
    expect(codes(await observeControlPlane(azure, oci, targets).then((l) => checkFindings(desired, l)))).toContain(
      "circuit-failed:circuit",
    );
    const secrets: string[] = [];
    expect(await refreshFailedCircuit(azure, targets, (s) => secrets.push(s))).toBe("refreshing");
    expect(secrets).toHaveLength(1);
    const back = await waitFor(async () => {
      const l = await observeControlPlane(azure, oci, targets);
      return l.circuit.found && l.circuit.provisioningState === "Succeeded" ? l : undefined;
    }, "circuit Succeeded");
    expect(back.peering).toMatchObject({ found: true, peerASN: 31898, primaryPeerAddressPrefix: "192.168.100.0/30" });
  });
});
