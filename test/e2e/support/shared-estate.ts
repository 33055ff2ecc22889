import { expect } from "vitest";
import { peeringTable } from "./direct";
import { counts, inventory, type Inventory } from "./inventory";
import { spec } from "./specs";
import type { E2eStack, Json } from "./stack";

/** The seeded VCN's prefix, which Oracle advertises to Azure over every virtual circuit. */
const VCN_PREFIX = "10.20.0.0/16";

/** What n interconnects sharing one VNet, VCN, DRG and gateway look like: one of each shared thing, n of each own. */
export function sharedCounts(n: number): ReturnType<typeof counts> {
  return {
    circuits: n,
    gateways: 1,
    connections: n,
    publicIps: 1,
    gatewaySubnets: 1,
    virtualCircuits: n,
    drgs: 1,
    drgAttachments: 1,
    routeRules: 1,
    connectionMonitors: 0,
  };
}

/**
 * Interconnects on the emulators' one VNet and VCN (issue 9), provisioned and deleted over HTTP, and
 * the check that each one left still works end to end. `touched` collects the names for clean-up.
 */
export function sharedEstate(stackOf: () => E2eStack, touched: Set<string>) {
  const clouds = async (): Promise<Inventory> => inventory(await stackOf().admin("GET", "state"));

  async function provision(name: string): Promise<Json> {
    touched.add(name);
    const res = await stackOf().api("POST", "interconnects", spec(name, { allocateBgp: true }));
    expect(res.status).toBe(202);
    const record = await stackOf().waitForRecord(name, (r) => r.state === "active" || r.state === "failed", 120_000);
    expect(record.failure).toBeNull();
    expect(record.state).toBe("active");
    return record;
  }

  async function remove(name: string, whileRunning?: () => Promise<void>): Promise<Json> {
    const res = await stackOf().api("DELETE", `interconnects/${name}`);
    expect(res.status).toBe(202);
    await whileRunning?.();
    const record = await stackOf().waitForRecord(name, (r) => r.state === "deleted" || r.state === "failed", 120_000);
    expect(record.failure).toBeNull();
    expect(record.state).toBe("deleted");
    return record;
  }

  /**
   * Each named interconnect still works end to end: active, its circuit provisioned and connected, its
   * virtual circuit up on the one DRG, the VNet prefix routed to that DRG, and both device paths' ARP
   * and route tables showing the Oracle peer and the VCN prefix.
   */
  async function expectWorking(names: string[]): Promise<Inventory> {
    const stack = stackOf();
    const inv = await clouds();
    expect(counts(inv)).toEqual(sharedCounts(names.length));
    const drgId = inv.drgs[0]!.id;
    expect(inv.drgAttachments[0]?.raw).toMatchObject({ drgId, lifecycleState: "ATTACHED" });
    expect(inv.routeRules[0]).toMatchObject({ destination: "10.10.0.0/16", networkEntityId: drgId });
    expect(inv.gateways[0]?.state).toBe("Succeeded");
    for (const name of names) {
      const record = (await stack.api("GET", `interconnects/${name}`)).json;
      expect(record.state).toBe("active");
      expect(record.resources.drgId).toBe(drgId);
      const circuit = inv.circuits.find((c) => c.id.toLowerCase() === String(record.resources.circuitId).toLowerCase());
      expect(circuit?.raw).toMatchObject({ properties: { serviceProviderProvisioningState: "Provisioned" } });
      const vc = inv.virtualCircuits.find((v) => v.id === record.resources.virtualCircuitId);
      expect(vc?.raw).toMatchObject({ gatewayId: drgId, lifecycleState: "PROVISIONED", providerState: "ACTIVE", bgpSessionState: "UP" });
      const connection = inv.connections.find((c) => c.id.toLowerCase() === String(record.resources.connectionId).toLowerCase());
      expect(connection?.raw).toMatchObject({ properties: { connectionStatus: "Connected" } });
      for (const path of ["primary", "secondary"] as const) {
        const oracle = String(record.bgpPlan[path].oracleBgpPeeringIp).split("/")[0];
        const arp = await peeringTable(stack, record.resources.circuitId, "arpTables", path);
        expect(arp.map((a) => a.ipAddress)).toContain(oracle);
        const routes = await peeringTable(stack, record.resources.circuitId, "routeTables", path);
        expect(routes).toContainEqual(expect.objectContaining({ network: VCN_PREFIX, nextHop: oracle }));
      }
    }
    return inv;
  }

  const auditOf = async (name: string): Promise<Json[]> =>
    (await stackOf().api("GET", `interconnects/${name}/audit?top=1000&order=asc`)).json.items as Json[];

  return { clouds, provision, remove, expectWorking, auditOf };
}
