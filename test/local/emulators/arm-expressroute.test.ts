import type { RestError } from "@azure/core-rest-pipeline";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { POLL, type ArmTestEnv, cleanupCerts, startArmTestEnv } from "./arm-helpers";
import { ORACLE_CIRCUIT } from "../../support/oracle-circuit";

const RG = "rg-erp-network";
const PEERING = "AzurePrivatePeering";
const CONFIG = { primaryPeerAddressPrefix: "192.168.100.0/30", secondaryPeerAddressPrefix: "192.168.100.4/30", vlanId: 33, peerASN: 31898 };

let env: ArmTestEnv;
/** Long enough (600 ms real) that a state between two steps is observable on a loaded machine; tests advance the clock past it. */
const LAG = 60 * 60_000;
beforeEach(async () => {
  env = await startArmTestEnv({ durations: { circuitDeprovisioningLag: LAG, connectionConnect: LAG } });
});
afterEach(async () => env.close());
afterAll(() => cleanupCerts());

async function createCircuit(name = "er-erp-prod"): Promise<{ id: string; serviceKey: string }> {
  const c = await env.client.expressRouteCircuits.beginCreateOrUpdateAndWait(RG, name, ORACLE_CIRCUIT, POLL);
  return { id: c.id ?? "", serviceKey: c.serviceKey ?? "" };
}

async function createGateway(sku: "Standard" | "UltraPerformance" | "ErGwScale", minScaleUnits?: number): Promise<string> {
  await env.client.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
  const gw = await env.client.virtualNetworkGateways.beginCreateOrUpdateAndWait(
    RG,
    "ergw",
    {
      location: "eastus",
      gatewayType: "ExpressRoute",
      sku: { name: sku, tier: sku },
      ...(minScaleUnits ? { autoScaleConfiguration: { bounds: { min: minScaleUnits, max: minScaleUnits } } } : {}),
      ipConfigurations: [{ name: "default", subnet: { id: `${env.arm.virtualNetworkId}/subnets/GatewaySubnet` } }],
    },
    POLL,
  );
  return gw.id ?? "";
}

function provision(serviceKey: string): void {
  env.link.azure.providerProvisioning(serviceKey);
  env.link.azure.providerProvisioned(serviceKey, CONFIG);
}

const connectionBody = (gatewayId: string, circuitId: string, fastPath = false) => ({
  location: "eastus",
  connectionType: "ExpressRoute" as const,
  virtualNetworkGateway1: { id: gatewayId },
  peer: { id: circuitId },
  routingWeight: 0,
  expressRouteGatewayBypass: fastPath,
});

describe("ExpressRoute circuit and the provider", () => {
  it("issues a service key and stays NotProvisioned until the provider provisions it", async () => {
    const poller = await env.client.expressRouteCircuits.beginCreateOrUpdate(RG, "er-erp-prod", ORACLE_CIRCUIT, POLL);
    const circuit = await poller.pollUntilDone();
    expect(circuit.serviceKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(circuit.circuitProvisioningState).toBe("Enabled");
    expect(circuit.serviceProviderProvisioningState).toBe("NotProvisioned");
    expect(circuit.peerings).toEqual([]);
    const key = circuit.serviceKey ?? "";
    expect(env.link.azure.describeCircuit(key)).toMatchObject({
      peeringLocation: "Washington DC",
      bandwidthInMbps: 1000,
      serviceProviderName: "Oracle Cloud FastConnect",
    });
    expect(env.link.azure.describeCircuit("00000000-0000-4000-8000-000000000000")).toBeUndefined();

    env.link.azure.providerProvisioning(key);
    expect((await env.client.expressRouteCircuits.get(RG, "er-erp-prod")).serviceProviderProvisioningState).toBe("Provisioning");
    env.link.azure.providerProvisioned(key, CONFIG);
    const provisioned = await env.client.expressRouteCircuits.get(RG, "er-erp-prod");
    expect(provisioned.serviceProviderProvisioningState).toBe("Provisioned");
    const peering = await env.client.expressRouteCircuitPeerings.get(RG, "er-erp-prod", PEERING);
    expect(peering).toMatchObject({
      peeringType: "AzurePrivatePeering",
      peerASN: 31898,
      azureASN: 12076,
      vlanId: 33,
      primaryPeerAddressPrefix: "192.168.100.0/30",
      secondaryPeerAddressPrefix: "192.168.100.4/30",
      state: "Enabled",
      provisioningState: "Succeeded",
    });
    expect(provisioned.peerings?.map((p) => p.name)).toEqual([PEERING]);
  });

  it("validates the provider, peering location and bandwidth against the provider catalog", async () => {
    const bad = (await env.client.expressRouteCircuits
      .beginCreateOrUpdateAndWait(
        RG,
        "er-x",
        { ...ORACLE_CIRCUIT, serviceProviderProperties: { ...ORACLE_CIRCUIT.serviceProviderProperties, peeringLocation: "Chicago" } },
        POLL,
      )
      .catch((e: unknown) => e)) as RestError;
    expect(bad.statusCode).toBe(400);
    expect(bad.code).toBe("InvalidPeeringLocation");
    const bw = (await env.client.expressRouteCircuits
      .beginCreateOrUpdateAndWait(
        RG,
        "er-x",
        { ...ORACLE_CIRCUIT, serviceProviderProperties: { ...ORACLE_CIRCUIT.serviceProviderProperties, bandwidthInMbps: 3000 } },
        POLL,
      )
      .catch((e: unknown) => e)) as RestError;
    expect(bw.code).toBe("InvalidBandwidth");
  });

  it("refuses to delete a circuit the provider still holds: 409 ConflictError from the delete LRO", async () => {
    const { serviceKey } = await createCircuit();
    provision(serviceKey);
    const err = (await env.client.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL).catch((e: unknown) => e)) as RestError;
    expect(err.name).toBe("RestError");
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe("ConflictError");
    expect(err.message).toContain("The specified dedicated circuit is not in Deprovisioned state");
    expect((await env.client.expressRouteCircuits.get(RG, "er-erp-prod")).provisioningState).toBe("Succeeded");
  });
});

describe("connections, FastPath, and BGP tables", () => {
  it("fails the connection LRO on a circuit the provider has not provisioned", async () => {
    const gw = await createGateway("UltraPerformance");
    const { id } = await createCircuit();
    const err = (await env.client.virtualNetworkGatewayConnections
      .beginCreateOrUpdateAndWait(RG, "conn", connectionBody(gw, id), POLL)
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("ExpressRouteCircuitNotProvisioned");
    const conn = await env.client.virtualNetworkGatewayConnections.get(RG, "conn");
    expect(conn.provisioningState).toBe("Failed");
    // A failed connection can be deleted and does not block the circuit.
    await env.client.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn", POLL);
    await env.client.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL);
  });

  it("rejects FastPath on a gateway SKU without it and accepts it on UltraPerformance", async () => {
    const gw = await createGateway("Standard");
    const { id, serviceKey } = await createCircuit();
    provision(serviceKey);
    const err = (await env.client.virtualNetworkGatewayConnections
      .beginCreateOrUpdateAndWait(RG, "conn", connectionBody(gw, id, true), POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("ExpressRouteGatewayBypassNotSupported");

    await env.client.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw", POLL);
    const ultra = await createGateway("UltraPerformance");
    const conn = await env.client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      "conn",
      connectionBody(ultra, id, true),
      POLL,
    );
    expect(conn.provisioningState).toBe("Succeeded");
    expect(conn.expressRouteGatewayBypass).toBe(true);
  });

  it("accepts FastPath on ErGwScale only from 10 scale units", async () => {
    const gw = await createGateway("ErGwScale", 2);
    const { id, serviceKey } = await createCircuit();
    provision(serviceKey);
    const err = (await env.client.virtualNetworkGatewayConnections
      .beginCreateOrUpdateAndWait(RG, "conn", connectionBody(gw, id, true), POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(err.code).toBe("ExpressRouteGatewayBypassNotSupported");
  });

  it("connects on a provisioned circuit, then shows Oracle's peer and the VCN routes once BGP is up", async () => {
    const gw = await createGateway("ErGwScale", 10);
    const { id, serviceKey } = await createCircuit();
    provision(serviceKey);
    const conn = await env.client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      "conn",
      connectionBody(gw, id, true),
      POLL,
    );
    expect(conn.provisioningState).toBe("Succeeded");
    expect(conn.connectionStatus).toBe("Connecting");
    env.clock.advance(LAG);
    expect((await env.client.virtualNetworkGatewayConnections.get(RG, "conn")).connectionStatus).toBe("Connected");

    const downRoutes = await env.client.expressRouteCircuits.beginListRoutesTableAndWait(RG, "er-erp-prod", PEERING, "primary", POLL);
    expect(downRoutes.value).toEqual([]);

    env.oci.bgpUp(serviceKey);
    const arp = await env.client.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", PEERING, "primary", POLL);
    expect(arp.value?.map((e) => [e.interface, e.ipAddress])).toEqual([
      ["On-Prem", "192.168.100.1"],
      ["Microsoft", "192.168.100.2"],
    ]);
    const secondary = await env.client.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", PEERING, "secondary", POLL);
    expect(secondary.value?.[0]?.ipAddress).toBe("192.168.100.5");
    const routes = await env.client.expressRouteCircuits.beginListRoutesTableAndWait(RG, "er-erp-prod", PEERING, "primary", POLL);
    expect(routes.value).toEqual([{ network: "10.20.0.0/16", nextHop: "192.168.100.1", locPrf: "", weight: 0, path: "31898" }]);
    const summary = await env.client.expressRouteCircuits.beginListRoutesTableSummaryAndWait(RG, "er-erp-prod", PEERING, "primary", POLL);
    expect(summary.value?.[0]).toMatchObject({ neighbor: "192.168.100.1", v: 4, as: 31898, statePfxRcd: "1" });

    const bad = (await env.client.expressRouteCircuits
      .beginListArpTableAndWait(RG, "er-erp-prod", PEERING, "tertiary", POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(bad.code).toBe("InvalidDevicePath");

    const gwDelete = (await env.client.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw", POLL).catch((e: unknown) => e)) as RestError;
    expect(gwDelete.code).toBe("InUseVirtualNetworkGatewayCannotBeDeleted");
  });
});

describe("VirtualNetworkGateways_ListConnections", () => {
  it("lists the gateway's connections from every resource group as list entities, and 404s an unknown gateway", async () => {
    const gw = await createGateway("UltraPerformance");
    const { id, serviceKey } = await createCircuit();
    provision(serviceKey);
    env.arm.seedVirtualNetwork("rg-erp-links", { name: "vnet-links", location: "eastus", addressPrefixes: ["10.30.0.0/16"] });
    expect(await collect(env.client.virtualNetworkGateways.listConnections(RG, "ergw"))).toEqual([]);

    await env.client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(RG, "conn-here", connectionBody(gw, id), POLL);
    await env.client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      "rg-erp-links",
      "conn-there",
      connectionBody(gw, id),
      POLL,
    );
    const listed = await collect(env.client.virtualNetworkGateways.listConnections(RG, "ergw"));
    expect(listed.map((c) => c.name).sort()).toEqual(["conn-here", "conn-there"]);
    const there = listed.find((c) => c.name === "conn-there");
    expect(there?.id).toMatch(/\/resourceGroups\/rg-erp-links\/providers\/Microsoft\.Network\/connections\/conn-there$/);
    expect(there).toMatchObject({
      type: "Microsoft.Network/connections",
      connectionType: "ExpressRoute",
      virtualNetworkGateway1: { id: gw },
      peer: { id },
    });
    // The resource group's own list still shows only its connections.
    expect((await collect(env.client.virtualNetworkGatewayConnections.list(RG))).map((c) => c.name)).toEqual(["conn-here"]);

    await env.client.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn-here", POLL);
    expect((await collect(env.client.virtualNetworkGateways.listConnections(RG, "ergw"))).map((c) => c.name)).toEqual(["conn-there"]);
    const missing = (await collect(env.client.virtualNetworkGateways.listConnections(RG, "nope")).catch((e: unknown) => e)) as RestError;
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("ResourceNotFound");
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("teardown order", () => {
  async function linked(): Promise<{ serviceKey: string }> {
    const gw = await createGateway("UltraPerformance");
    const { id, serviceKey } = await createCircuit();
    provision(serviceKey);
    await env.client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(RG, "conn", connectionBody(gw, id), POLL);
    return { serviceKey };
  }

  it("right order: connection, provider deprovisions, peering lingers for the lag, then NotProvisioned and the circuit can go", async () => {
    const { serviceKey } = await linked();
    await env.client.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn", POLL);
    env.link.azure.providerDeprovisioning(serviceKey);
    const during = await env.client.expressRouteCircuits.get(RG, "er-erp-prod");
    expect(during.serviceProviderProvisioningState).toBe("Deprovisioning");
    expect(during.peerings?.length).toBe(1);
    const early = (await env.client.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL).catch((e: unknown) => e)) as RestError;
    expect(early.code).toBe("ConflictError");

    env.clock.advance(LAG);
    const after = await env.client.expressRouteCircuits.get(RG, "er-erp-prod");
    expect(after.serviceProviderProvisioningState).toBe("NotProvisioned");
    expect(after.peerings).toEqual([]);
    await env.client.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL);
    const gone = (await env.client.expressRouteCircuits.get(RG, "er-erp-prod").catch((e: unknown) => e)) as RestError;
    expect(gone.statusCode).toBe(404);
  });

  it("wrong order: the provider deprovisions under a live connection and the circuit is left Failed", async () => {
    const { serviceKey } = await linked();
    env.link.azure.providerDeprovisioning(serviceKey);
    const circuit = await env.client.expressRouteCircuits.get(RG, "er-erp-prod");
    expect(circuit.provisioningState).toBe("Failed");
    expect((await env.client.virtualNetworkGatewayConnections.get(RG, "conn")).connectionStatus).toBe("NotConnected");
    const refused = (await env.client.expressRouteCircuits
      .beginDeleteAndWait(RG, "er-erp-prod", POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(refused.code).toBe("ConflictError");

    // Recovery: unlink, then refresh the circuit with a PUT of its model; the deprovisioning then proceeds.
    await env.client.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn", POLL);
    const refreshed = await env.client.expressRouteCircuits.beginCreateOrUpdateAndWait(RG, "er-erp-prod", ORACLE_CIRCUIT, POLL);
    expect(refreshed.provisioningState).toBe("Succeeded");
    env.clock.advance(LAG);
    expect((await env.client.expressRouteCircuits.get(RG, "er-erp-prod")).serviceProviderProvisioningState).toBe("NotProvisioned");
  });
});

describe("a gateway whose deployment still runs", () => {
  it("refuses its DELETE with 409 AnotherOperationInProgress until the deployment is done, then deletes it", async () => {
    const slow = await startArmTestEnv({ durations: { gatewayCreate: LAG } });
    try {
      await slow.client.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
      await slow.client.virtualNetworkGateways.beginCreateOrUpdate(RG, "ergw", {
        location: "eastus",
        gatewayType: "ExpressRoute",
        sku: { name: "Standard", tier: "Standard" },
        ipConfigurations: [{ name: "default", subnet: { id: `${slow.arm.virtualNetworkId}/subnets/GatewaySubnet` } }],
      });
      expect((await slow.client.virtualNetworkGateways.get(RG, "ergw")).provisioningState).toBe("Updating");
      const refused = (await slow.client.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw", POLL).catch((e: unknown) => e)) as RestError;
      expect(refused.statusCode).toBe(409);
      expect(refused.code).toBe("AnotherOperationInProgress");
      expect((await slow.client.virtualNetworkGateways.get(RG, "ergw")).provisioningState).toBe("Updating");

      slow.clock.advance(LAG);
      expect((await slow.client.virtualNetworkGateways.get(RG, "ergw")).provisioningState).toBe("Succeeded");
      await slow.client.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw", POLL);
      const gone = (await slow.client.virtualNetworkGateways.get(RG, "ergw").catch((e: unknown) => e)) as RestError;
      expect(gone.statusCode).toBe(404);
    } finally {
      await slow.close();
    }
  });
});
