import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as core from "oci-core";
import { clientsFor, RG, POLL, waitFor } from "../local/emulators/cross-cloud";
import { addRouteRuleByHand, createRouteTableByHand, removeRouteRuleByHand } from "./support/direct";
import { counts, NOTHING } from "./support/inventory";
import { sharedEstate } from "./support/shared-estate";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * Several interconnects on one VNet, VCN, DRG and gateway (issue 9), over HTTP on the local stack:
 * tearing one down never breaks another, the last one leaves nothing, whatever the order; what
 * someone made outside the service keeps what it needs; a failed provisioning's compensation never
 * removes what another interconnect uses. The second and later interconnects find the first one's
 * gateway in the VNet and its DRG attached to the VCN and share them (no oci.drgId in the spec).
 */
let stack: E2eStack;
const touched = new Set<string>();

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000 });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  await stack.cleanUp(touched);
  touched.clear();
}, 240_000);

const { clouds, provision, remove, expectWorking, auditOf } = sharedEstate(() => stack, touched);

describe("two interconnects on one VNet, VCN, DRG and gateway", () => {
  it("deleting A keeps everything B uses, B's record says with whom it shares; deleting B then leaves nothing", async () => {
    await provision("share-a");
    await provision("share-b");
    await expectWorking(["share-a", "share-b"]);

    // The record tells the truth: B uses A's gateway and DRG, and says so.
    const b = (await stack.api("GET", "interconnects/share-b")).json;
    const sharing = (kind: string) => (b.sharing as Json[]).find((s) => s.kind === kind);
    for (const kind of ["gateway", "gateway-public-ip", "gateway-subnet", "drg", "drg-attachment", "route-rule"]) {
      expect(sharing(kind), kind).toMatchObject({ shared: true, sharedWith: ["share-a"], createdBy: "share-a" });
    }
    expect(sharing("virtual-network")).toMatchObject({ shared: true, sharedWith: ["share-a"], createdBy: null });
    expect(b.resources.owned).toEqual({ gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false });

    await remove("share-a");
    await expectWorking(["share-b"]);
    // A's teardown said what it kept, why, and for whom.
    const kept = (await auditOf("share-a")).filter((r) => r.details?.event === "skipped");
    for (const step of ["route-rules", "drg-attachment", "drg", "gateway"]) {
      expect(
        kept.some((r) => r.step === step && /share-b/.test(r.message)),
        step,
      ).toBe(true);
    }
    // Handed over: B is now the only user of what A created.
    const handed = (await stack.api("GET", "interconnects/share-b")).json.sharing as Json[];
    expect(handed.find((s: Json) => s.kind === "drg")).toMatchObject({ shared: false, sharedWith: [], createdBy: "share-a" });

    await remove("share-b");
    expect(counts(await clouds())).toEqual(NOTHING);
    const handOver = (await auditOf("share-b")).filter((r) => r.phase === "succeeded" && /handed over/.test(r.message ?? ""));
    expect(handOver.map((r) => r.step).sort()).toEqual(["drg", "drg-attachment", "gateway", "gateway-subnet", "route-rules"]);
  }, 300_000);
});

describe("three interconnects, deleted in every order", () => {
  const names = ["share-x", "share-y", "share-z"];
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ].map((o) => o.map((i) => names[i]!));

  it("every order keeps the others working after each delete and leaves nothing billing after the last", async () => {
    for (const order of orders) {
      for (const name of names) await provision(name);
      await expectWorking(names);
      const left = [...names];
      for (const name of order) {
        await remove(name);
        left.splice(left.indexOf(name), 1);
        if (left.length > 0) await expectWorking(left);
      }
      expect(counts(await clouds()), `after deleting ${order.join(", ")}`).toEqual(NOTHING);
    }
  }, 900_000);
});

describe("what someone made outside the service", () => {
  it("a route rule added by hand to the DRG keeps the attachment and the DRG, with the audit row saying why", async () => {
    const a = await provision("share-hand");
    await addRouteRuleByHand(stack, a.resources.routeTableId, "10.99.0.0/16", a.resources.drgId);
    await remove("share-hand");
    const inv = await clouds();
    // Everything else of the interconnect is gone; its own rule too, the hand-made one stays, and what it needs.
    expect(counts(inv)).toEqual({ ...NOTHING, drgs: 1, drgAttachments: 1, routeRules: 1 });
    expect(inv.routeRules[0]).toMatchObject({ destination: "10.99.0.0/16", networkEntityId: a.resources.drgId });
    const kept = (await auditOf("share-hand")).filter((r) => r.details?.event === "skipped");
    expect(kept.find((r) => r.step === "drg-attachment")?.message).toMatch(/10\.99\.0\.0\/16 \(added by hand\)/);
    expect(kept.find((r) => r.step === "drg")?.message).toMatch(/kept with the drg-attachment/);
    await removeRouteRuleByHand(stack, a.resources.routeTableId, "10.99.0.0/16");
    await stack.admin("POST", "reset");
  }, 300_000);

  it("so does one in a route table of the VCN made by hand (not its default one), named in the audit row", async () => {
    const a = await provision("share-table");
    const tableId = await createRouteTableByHand(
      stack,
      String(a.spec.oci.vcnId),
      "rt-app-subnet",
      "10.98.0.0/16",
      String(a.resources.drgId),
    );
    await remove("share-table");
    const inv = await clouds();
    expect(counts(inv)).toEqual({ ...NOTHING, drgs: 1, drgAttachments: 1, routeRules: 1 });
    expect(inv.routeRules[0]).toMatchObject({ routeTableId: tableId, destination: "10.98.0.0/16", networkEntityId: a.resources.drgId });
    const kept = (await auditOf("share-table")).filter((r) => r.details?.event === "skipped");
    expect(kept.find((r) => r.step === "drg-attachment")?.message).toContain(
      `route table rt-app-subnet (${tableId}) still routes 10.98.0.0/16 (added by hand)`,
    );
    expect(kept.find((r) => r.step === "drg")?.message).toMatch(/kept with the drg-attachment/);
    await removeRouteRuleByHand(stack, tableId, "10.98.0.0/16");
    await stack.admin("POST", "reset");
  }, 300_000);
});

/**
 * A circuit, virtual circuit and DRG someone built outside the service (through the two SDKs), and their
 * connection on the gateway the service created: the provider provisions that circuit as it does the service's.
 */
async function connectOutsideCircuit(gatewayId: string): Promise<{ connectionId: string; circuitId: string }> {
  const { emu, arm, oci } = clientsFor(stack.emulators);
  try {
    const circuit = await arm.expressRouteCircuits.beginCreateOrUpdateAndWait(
      RG,
      "er-outside",
      {
        location: "eastus",
        sku: { name: "Standard_MeteredData", tier: "Standard", family: "MeteredData" },
        serviceProviderProperties: {
          serviceProviderName: "Oracle Cloud FastConnect",
          peeringLocation: "Washington DC",
          bandwidthInMbps: 1000,
        },
      },
      POLL,
    );
    const { drg } = await oci.createDrg({ createDrgDetails: { compartmentId: emu.oci.compartmentId, displayName: "drg-outside" } });
    await waitFor(
      async () => ((await oci.getDrg({ drgId: drg.id })).drg.lifecycleState === "AVAILABLE" ? true : undefined),
      "DRG AVAILABLE",
    );
    await oci.createVirtualCircuit({
      createVirtualCircuitDetails: {
        compartmentId: emu.oci.compartmentId,
        type: core.models.CreateVirtualCircuitDetails.Type.Private,
        bandwidthShapeName: "1 Gbps",
        gatewayId: drg.id,
        providerServiceId: emu.oci.providerServiceId,
        providerServiceKeyName: circuit.serviceKey ?? "",
        crossConnectMappings: [
          { oracleBgpPeeringIp: "192.168.200.1/30", customerBgpPeeringIp: "192.168.200.2/30" },
          { oracleBgpPeeringIp: "192.168.200.5/30", customerBgpPeeringIp: "192.168.200.6/30" },
        ],
      },
    });
    const provisioned = await waitFor(
      async () => {
        const c = await arm.expressRouteCircuits.get(RG, "er-outside");
        return c.serviceProviderProvisioningState === "Provisioned" && c.peerings?.some((p) => p.name === "AzurePrivatePeering")
          ? c
          : undefined;
      },
      "outside circuit Provisioned with AzurePrivatePeering",
      60_000,
    );
    const connection = await arm.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      "conn-outside",
      {
        location: "eastus",
        connectionType: "ExpressRoute",
        virtualNetworkGateway1: { id: gatewayId },
        peer: { id: provisioned.id },
        routingWeight: 0,
      },
      POLL,
    );
    expect(connection.provisioningState).toBe("Succeeded");
    return { connectionId: connection.id ?? "", circuitId: provisioned.id ?? "" };
  } finally {
    oci.close();
  }
}

describe("a connection made outside the service on its gateway", () => {
  it("keeps the gateway, its public IP and the GatewaySubnet at the last interconnect's teardown, the audit row naming the connection", async () => {
    const a = await provision("share-outer");
    const outside = await connectOutsideCircuit(String(a.resources.gatewayId));
    await remove("share-outer");
    const inv = await clouds();
    // The interconnect's own circuit chain, route rule, attachment and DRG are gone; the gateway and what it needs stay.
    expect(counts(inv)).toEqual({
      ...NOTHING,
      gateways: 1,
      publicIps: 1,
      gatewaySubnets: 1,
      connections: 1,
      circuits: 1,
      virtualCircuits: 1,
      drgs: 1,
    });
    expect(inv.gateways[0]?.id.toLowerCase()).toBe(String(a.resources.gatewayId).toLowerCase());
    expect(inv.connections[0]?.id.toLowerCase()).toBe(outside.connectionId.toLowerCase());
    expect(inv.circuits[0]?.id.toLowerCase()).toBe(outside.circuitId.toLowerCase());
    const kept = (await auditOf("share-outer")).filter((r) => r.details?.event === "skipped");
    expect(kept.find((r) => r.step === "gateway")?.message).toMatch(
      /still serves connection\(s\) .*conn-outside.* \(live cloud\); it is kept for them/,
    );
    await stack.admin("POST", "reset");
  }, 300_000);
});

describe("compensation of a failed second interconnect", () => {
  it("removes only what B created and keeps everything A uses", async () => {
    await provision("share-first");
    touched.add("share-late");
    await stack.faults("PUT", { providerNeverProvisions: true });
    try {
      expect((await stack.api("POST", "interconnects", spec("share-late", { allocateBgp: true }))).status).toBe(202);
      // Failed at once, then the compensation's outcome replaces "compensating: …".
      const record = await stack.waitForRecord(
        "share-late",
        (r) => r.state === "failed" && !/compensating: /.test(r.failure?.message ?? ""),
        120_000,
      );
      expect(record.failure.message).toMatch(/compensation removed what this run created$/);
    } finally {
      await stack.faults("PUT", {});
    }
    await expectWorking(["share-first"]);
    const kept = (await auditOf("share-late")).filter((r) => r.details?.event === "skipped").map((r) => r.step);
    expect(kept).toEqual(expect.arrayContaining(["gateway", "drg", "drg-attachment"]));
    // B used the shared resources no more: A is their only user.
    const first = (await stack.api("GET", "interconnects/share-first")).json.sharing as Json[];
    expect(first.filter((s) => s.shared)).toEqual([]);
  }, 300_000);
});
