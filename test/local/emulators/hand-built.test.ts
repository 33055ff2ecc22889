import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CrossCloud, RG, admin, startCrossCloud } from "./cross-cloud";

/**
 * POST /admin/seed/handBuiltInterconnects: a whole interconnect built in both emulators as by a person at
 * the two consoles, read back only through the real SDK clients; its validation, its conflicts, and its
 * all-or-nothing when Oracle's side is held by a fault.
 */
let cloud: CrossCloud;

beforeAll(async () => {
  cloud = await startCrossCloud();
});
afterAll(async () => {
  await cloud.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const seed = (body: unknown) => admin(cloud.emu, "POST", "/admin/seed/handBuiltInterconnects", body);
const targets = (body: Json): string[] => (body.error.details as Json[]).map((d) => d.target as string);

describe("the hand-built interconnect seed", () => {
  it("answers a bad request with 400 naming every field, and builds nothing", async () => {
    const res = await seed({
      bandwidthInMbps: 3000,
      peeringLocation: "Chicago",
      bgp: { primaryPeeringCidr: "192.168.100.1/30", secondaryPeeringCidr: "192.168.100.8/29" },
      gateway: { sku: "ErGw9AZ" },
      omitRouteRule: "not-a-prefix",
      names: { circuit: "-er bad" },
      colour: "blue",
    });
    expect(res.status).toBe(400);
    expect((res.body as Json).error.code).toBe("InvalidHandBuiltInterconnect");
    expect(targets(res.body)).toEqual(
      expect.arrayContaining([
        "name",
        "bandwidthInMbps",
        "peeringLocation",
        "bgp.primaryPeeringCidr",
        "bgp.secondaryPeeringCidr",
        "gateway.sku",
        "omitRouteRule",
        "names.circuit",
      ]),
    );
    expect(JSON.stringify(res.body)).toMatch(/colour/);

    const semantic = await seed({
      name: "legacy",
      peeringLocation: "London",
      gateway: { sku: "ErGw1AZ", fastPath: true },
      bgp: { primaryPeeringCidr: "10.10.7.0/30", secondaryPeeringCidr: "10.10.7.0/30" },
    });
    expect(semantic.status).toBe(400);
    expect(targets(semantic.body)).toEqual(expect.arrayContaining(["gateway.fastPath", "bgp.secondaryPeeringCidr"]));

    const live = await seed({
      name: "legacy",
      peeringLocation: "London",
      virtualNetwork: "vnet-nope",
      vcnId: "ocid1.vcn.oc1.iad.aaaaaaaanope",
    });
    expect(live.status).toBe(400);
    expect(targets(live.body)).toEqual(expect.arrayContaining(["peeringLocation", "virtualNetwork", "vcnId"]));
    const overlap = await seed({ name: "legacy", bgp: { primaryPeeringCidr: "10.20.0.0/30", secondaryPeeringCidr: "192.168.100.4/30" } });
    expect(overlap.status).toBe(400);
    expect(targets(overlap.body)).toEqual(["bgp.primaryPeeringCidr"]);
    expect((await seed({ name: "legacy", omitRouteRule: "10.99.0.0/16" })).body).toMatchObject({
      error: { details: [{ target: "omitRouteRule" }] },
    });
    expect((await seed({ name: "legacy", gatewaySubnetPrefix: "10.99.255.0/27" })).body).toMatchObject({
      error: { details: [{ target: "gatewaySubnetPrefix" }] },
    });

    const state = (await admin(cloud.emu, "GET", "/admin/state")).body as Json;
    expect(Object.values(state.arm.resources as Json).some((r: Json) => r.type === "Microsoft.Network/expressRouteCircuits")).toBe(false);
    expect(state.oci.drgs).toHaveLength(0);
  });

  it("leaves nothing behind when Oracle's side is held by a fault, and says which", async () => {
    cloud.emu.faults.setSide("oci", { providerNeverProvisions: true }, true);
    try {
      const res = await seed({ name: "legacy" });
      expect(res.status).toBe(409);
      expect(JSON.stringify(res.body)).toMatch(/PENDING_PROVIDER.*providerNeverProvisions/);
    } finally {
      cloud.emu.faults.setSide("oci", {}, false);
    }
    const state = (await admin(cloud.emu, "GET", "/admin/state")).body as Json;
    const types = Object.values(state.arm.resources as Json).map((r: Json) => r.type);
    expect(types).not.toContain("Microsoft.Network/expressRouteCircuits");
    expect(types).not.toContain("Microsoft.Network/virtualNetworkGateways");
    expect(types).not.toContain("Microsoft.Network/publicIPAddresses");
    expect(Object.keys(state.arm.resources as Json).some((id) => id.endsWith("/subnets/gatewaysubnet"))).toBe(false);
    expect(state.oci.drgs).toHaveLength(0);
    expect(state.oci.virtualCircuits).toHaveLength(0);
  });

  it("builds the whole chain as the two consoles would: provider-provisioned, BGP up, connected, untagged", async () => {
    const res = await seed({ name: "legacy" });
    expect(res.status).toBe(201);
    const ids = res.body as Json;
    const { arm, oci } = cloud;

    const circuit = await arm.expressRouteCircuits.get(RG, "er-legacy");
    expect(circuit.id).toBe(ids.azure.circuitId);
    expect(circuit.serviceProviderProvisioningState).toBe("Provisioned");
    expect(circuit.tags).toBeUndefined();
    const peering = circuit.peerings?.find((p) => p.name === "AzurePrivatePeering");
    expect([peering?.peerASN, peering?.primaryPeerAddressPrefix, peering?.secondaryPeerAddressPrefix]).toEqual([
      31898,
      "192.168.100.0/30",
      "192.168.100.4/30",
    ]);
    // The key is in the portal, never in the answer.
    expect(JSON.stringify(ids)).not.toContain(circuit.serviceKey);
    expect(ids.azure.serviceKey).toBe(`${circuit.serviceKey?.slice(0, 8)}-****-****-****-************`);

    const { virtualCircuit } = await oci.getVirtualCircuit({ virtualCircuitId: ids.oci.virtualCircuitId });
    expect(virtualCircuit).toMatchObject({
      lifecycleState: "PROVISIONED",
      providerState: "ACTIVE",
      bgpSessionState: "UP",
      providerServiceKeyName: circuit.serviceKey,
      gatewayId: ids.oci.drgId,
      bandwidthShapeName: "1 Gbps",
      displayName: "vc-legacy",
    });
    expect(virtualCircuit.crossConnectMappings?.map((m) => [m.oracleBgpPeeringIp, m.customerBgpPeeringIp])).toEqual([
      ["192.168.100.1/30", "192.168.100.2/30"],
      ["192.168.100.5/30", "192.168.100.6/30"],
    ]);
    expect((await oci.getDrgAttachment({ drgAttachmentId: ids.oci.drgAttachmentId })).drgAttachment.lifecycleState).toBe("ATTACHED");
    const rules = (await oci.getRouteTable({ rtId: cloud.emu.oci.routeTableId })).routeTable.routeRules;
    expect(rules.map((r) => [r.destination, r.networkEntityId])).toEqual([["10.10.0.0/16", ids.oci.drgId]]);

    const gateway = await arm.virtualNetworkGateways.get(RG, "ergw-legacy");
    expect(gateway).toMatchObject({ provisioningState: "Succeeded", gatewayType: "ExpressRoute", sku: { name: "UltraPerformance" } });
    expect(gateway.ipConfigurations?.[0]).toMatchObject({
      subnet: { id: ids.azure.gatewaySubnetId },
      publicIPAddress: { id: ids.azure.publicIpId },
    });
    expect((await arm.subnets.get(RG, "vnet-erp", "GatewaySubnet")).addressPrefix).toBe("10.10.255.0/27");
    const connection = await arm.virtualNetworkGatewayConnections.get(RG, "conn-legacy");
    expect(connection).toMatchObject({ connectionStatus: "Connected", expressRouteGatewayBypass: true, peer: { id: ids.azure.circuitId } });
    const arp = await arm.expressRouteCircuits.beginListArpTableAndWait(RG, "er-legacy", "AzurePrivatePeering", "primary", {
      updateIntervalInMs: 20,
    });
    expect(arp.value?.map((e) => e.interface)).toEqual(["On-Prem", "Microsoft"]);

    expect(ids.adoption).toEqual({
      name: "legacy",
      azure: { circuitId: ids.azure.circuitId, connectionName: "conn-legacy" },
      oci: { region: "us-ashburn-1", compartmentId: cloud.emu.oci.compartmentId, vcnId: cloud.emu.oci.vcnId },
    });
  });

  it("refuses with 409 what is taken: the names, the VNet's one gateway, the VCN's one DRG", async () => {
    const res = await seed({ name: "legacy" });
    expect(res.status).toBe(409);
    expect(targets(res.body)).toEqual(
      expect.arrayContaining(["names.circuit", "names.gateway", "names.publicIp", "names.connection", "virtualNetwork", "vcnId"]),
    );
  });

  it("leaves out one VCN route rule when asked, in another VNet and VCN", async () => {
    await admin(cloud.emu, "POST", "/admin/seed/virtualNetworks", { name: "vnet-b", addressPrefixes: ["10.30.0.0/16", "10.31.0.0/16"] });
    const vcn = (await admin(cloud.emu, "POST", "/admin/seed/vcns", { displayName: "vcn-b", cidrBlocks: ["10.40.0.0/16"] })).body as Json;
    const res = await seed({
      name: "legacy-b",
      virtualNetwork: "vnet-b",
      gatewaySubnetPrefix: "10.30.255.0/27",
      vcnId: vcn.id,
      bandwidthInMbps: 2000,
      gateway: { sku: "ErGw1AZ" },
      bgp: { primaryPeeringCidr: "192.168.101.0/30", secondaryPeeringCidr: "192.168.101.4/30" },
      omitRouteRule: "10.31.0.0/16",
    });
    expect(res.status).toBe(201);
    const ids = res.body as Json;
    expect(ids.oci.omittedRouteRule).toBe("10.31.0.0/16");
    const rules = (await cloud.oci.getRouteTable({ rtId: vcn.defaultRouteTableId })).routeTable.routeRules;
    expect(rules.map((r) => r.destination)).toEqual(["10.30.0.0/16"]);
    const connection = await cloud.arm.virtualNetworkGatewayConnections.get(RG, "conn-legacy-b");
    expect(connection).toMatchObject({ connectionStatus: "Connected", expressRouteGatewayBypass: false });
    const { virtualCircuit } = await cloud.oci.getVirtualCircuit({ virtualCircuitId: ids.oci.virtualCircuitId });
    expect(virtualCircuit.bandwidthShapeName).toBe("2 Gbps");
  });
});
