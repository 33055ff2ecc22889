import { readFileSync } from "node:fs";
import type { RestError } from "@azure/core-rest-pipeline";
import { NetworkManagementClient } from "@azure/arm-network";
import * as common from "oci-common";
import * as core from "oci-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../../src/local/emulators";
import { staticToken } from "./arm-helpers";

/**
 * The whole interconnect across both emulators, driven only through the two real SDKs, as the app
 * drives them: the provider link between the clouds is the emulators' own business.
 */
const RG = "rg-erp-network";
const POLL = { updateIntervalInMs: 20 };
const NO_RETRY: common.RetryConfiguration = { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) };

let emu: RunningEmulators;
let arm: NetworkManagementClient;
let oci: core.VirtualNetworkClient;

beforeEach(async () => {
  emu = await startEmulators({ speed: 6000, armRetryAfterSeconds: 0, durations: { oci: { terminatedRetention: 60_000 } } });
  arm = new NetworkManagementClient(staticToken(emu.arm.token), emu.arm.subscriptionId, {
    endpoint: emu.arm.url,
    tlsOptions: { ca: readFileSync(emu.arm.caCertPath, "utf8") },
  });
  const auth = new common.SimpleAuthenticationDetailsProvider(
    emu.oci.tenancyId,
    emu.oci.userId,
    emu.oci.fingerprint,
    readFileSync(emu.oci.privateKeyPath, "utf8"),
    null,
    common.Region.US_ASHBURN_1,
  );
  oci = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth }, { retryConfiguration: NO_RETRY });
  oci.endpoint = emu.oci.url;
});

afterEach(async () => {
  oci.close();
  await emu.close();
});

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isNotFound = (e: unknown): boolean => (e as { statusCode?: number }).statusCode === 404;

/** Provisions everything of the README's example spec and returns the ids teardown needs. */
async function provision(): Promise<{ drgId: string; attachmentId: string; virtualCircuitId: string; serviceKey: string }> {
  // Azure gateway first: it takes the longest (30 virtual minutes), so it runs while OCI works.
  await arm.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
  const gatewayPoller = await arm.virtualNetworkGateways.beginCreateOrUpdate(
    RG,
    "ergw-erp-prod",
    {
      location: "eastus",
      gatewayType: "ExpressRoute",
      sku: { name: "UltraPerformance", tier: "UltraPerformance" },
      ipConfigurations: [{ name: "default", subnet: { id: `${emu.arm.virtualNetworkId}/subnets/GatewaySubnet` } }],
    },
    POLL,
  );

  const { drg } = await oci.createDrg({ createDrgDetails: { compartmentId: emu.oci.compartmentId, displayName: "drg-erp-prod" } });
  await waitFor(async () => ((await oci.getDrg({ drgId: drg.id })).drg.lifecycleState === "AVAILABLE" ? true : undefined), "DRG AVAILABLE");
  const { drgAttachment } = await oci.createDrgAttachment({
    createDrgAttachmentDetails: { drgId: drg.id, networkDetails: { type: "VCN", id: emu.oci.vcnId } },
  });
  await waitFor(
    async () => ((await oci.getDrgAttachment({ drgAttachmentId: drgAttachment.id })).drgAttachment.lifecycleState === "ATTACHED" ? true : undefined),
    "attachment ATTACHED",
  );

  const circuit = await arm.expressRouteCircuits.beginCreateOrUpdateAndWait(
    RG,
    "er-erp-prod",
    {
      location: "eastus",
      sku: { name: "Standard_MeteredData", tier: "Standard", family: "MeteredData" },
      serviceProviderProperties: { serviceProviderName: "Oracle Cloud FastConnect", peeringLocation: "Washington DC", bandwidthInMbps: 1000 },
    },
    POLL,
  );
  const serviceKey = circuit.serviceKey ?? "";

  const services = await oci.listFastConnectProviderServices({ compartmentId: emu.oci.compartmentId });
  const azure = services.items.find((s) => s.providerName === "Microsoft Azure");
  expect(azure?.id).toBe(emu.oci.providerServiceId);
  const keyInfo = await oci.getFastConnectProviderServiceKey({ providerServiceId: emu.oci.providerServiceId, providerServiceKeyName: serviceKey });
  expect(keyInfo.fastConnectProviderServiceKey.peeringLocation).toBe("Washington DC");

  const { virtualCircuit } = await oci.createVirtualCircuit({
    createVirtualCircuitDetails: {
      compartmentId: emu.oci.compartmentId,
      type: core.models.CreateVirtualCircuitDetails.Type.Private,
      bandwidthShapeName: "1 Gbps",
      gatewayId: drg.id,
      providerServiceId: emu.oci.providerServiceId,
      providerServiceKeyName: serviceKey,
      crossConnectMappings: [
        { oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        { oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      ],
    },
  });

  const virtualCircuitId = virtualCircuit.id ?? "";
  expect(virtualCircuitId).toMatch(/^ocid1\.virtualcircuit\./);
  await waitFor(async () => {
    const vc = (await oci.getVirtualCircuit({ virtualCircuitId })).virtualCircuit;
    return vc.lifecycleState === "PROVISIONED" && vc.providerState === "ACTIVE" && vc.bgpSessionState === "UP" ? true : undefined;
  }, "virtual circuit PROVISIONED, ACTIVE, BGP UP");
  const provisioned = await waitFor(async () => {
    const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
    return c.serviceProviderProvisioningState === "Provisioned" && c.peerings?.some((p) => p.name === "AzurePrivatePeering") ? c : undefined;
  }, "circuit Provisioned with AzurePrivatePeering");
  expect(provisioned.peerings?.[0]).toMatchObject({ peerASN: 31898, azureASN: 12076, primaryPeerAddressPrefix: "192.168.100.0/30", secondaryPeerAddressPrefix: "192.168.100.4/30" });

  const table = await oci.getRouteTable({ rtId: emu.oci.routeTableId });
  await oci.updateRouteTable({
    rtId: emu.oci.routeTableId,
    ifMatch: table.etag,
    updateRouteTableDetails: {
      routeRules: [...table.routeTable.routeRules, { destination: "10.10.0.0/16", destinationType: core.models.RouteRule.DestinationType.CidrBlock, networkEntityId: drg.id }],
    },
  });

  const gateway = await gatewayPoller.pollUntilDone();
  const connection = await arm.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
    RG,
    "conn-erp-prod",
    { location: "eastus", connectionType: "ExpressRoute", virtualNetworkGateway1: { id: gateway.id }, peer: { id: provisioned.id }, routingWeight: 0, expressRouteGatewayBypass: true },
    POLL,
  );
  expect(connection.provisioningState).toBe("Succeeded");
  await waitFor(async () => ((await arm.virtualNetworkGatewayConnections.get(RG, "conn-erp-prod")).connectionStatus === "Connected" ? true : undefined), "Connected");

  return { drgId: drg.id, attachmentId: drgAttachment.id, virtualCircuitId, serviceKey };
}

describe("the interconnect across both emulators", () => {
  it("provisions, verifies ARP and routes, and tears down in the documented order leaving nothing behind", async () => {
    const ids = await provision();

    const arp = await arm.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", "primary", POLL);
    expect(arp.value?.find((e) => e.interface === "On-Prem")?.ipAddress).toBe("192.168.100.1");
    const routes = await arm.expressRouteCircuits.beginListRoutesTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", "secondary", POLL);
    expect(routes.value).toEqual([{ network: "10.20.0.0/16", nextHop: "192.168.100.5", locPrf: "", weight: 0, path: "31898" }]);

    // 1. connection
    await arm.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn-erp-prod", POLL);
    // 2. virtual circuit, until gone
    await oci.deleteVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId });
    await waitFor(async () => {
      try {
        const vc = (await oci.getVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId })).virtualCircuit;
        return vc.lifecycleState === "TERMINATED" ? true : undefined;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    }, "virtual circuit TERMINATED");
    // 3. Azure catches up after its lag: NotProvisioned and no peering; only then the circuit can go.
    await waitFor(async () => {
      const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
      return c.serviceProviderProvisioningState === "NotProvisioned" && (c.peerings ?? []).length === 0 ? true : undefined;
    }, "circuit NotProvisioned");
    await arm.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL);
    // 4. what was created for it: route rule, attachment, DRG, gateway.
    const table = await oci.getRouteTable({ rtId: emu.oci.routeTableId });
    await oci.updateRouteTable({
      rtId: emu.oci.routeTableId,
      ifMatch: table.etag,
      updateRouteTableDetails: { routeRules: table.routeTable.routeRules.filter((r) => r.networkEntityId !== ids.drgId) },
    });
    await oci.deleteDrgAttachment({ drgAttachmentId: ids.attachmentId });
    await waitFor(async () => {
      try {
        const a = (await oci.getDrgAttachment({ drgAttachmentId: ids.attachmentId })).drgAttachment;
        return a.lifecycleState === "DETACHED" ? true : undefined;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    }, "attachment DETACHED");
    await oci.deleteDrg({ drgId: ids.drgId });
    await arm.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw-erp-prod", POLL);

    const leftovers: string[] = [];
    for await (const c of arm.expressRouteCircuits.list(RG)) leftovers.push(c.id ?? "");
    for await (const c of arm.virtualNetworkGatewayConnections.list(RG)) leftovers.push(c.id ?? "");
    for await (const g of arm.virtualNetworkGateways.list(RG)) leftovers.push(g.id ?? "");
    expect(leftovers).toEqual([]);
    expect((await oci.getRouteTable({ rtId: emu.oci.routeTableId })).routeTable.routeRules).toEqual([]);
    await waitFor(async () => {
      const drgs = (await oci.listDrgs({ compartmentId: emu.oci.compartmentId })).items;
      return drgs.every((d) => d.lifecycleState === "TERMINATED") ? true : undefined;
    }, "DRG TERMINATED");
  });

  it("in the wrong order (virtual circuit first) leaves the circuit Failed and undeletable", async () => {
    const ids = await provision();
    await oci.deleteVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId });
    const circuit = await waitFor(async () => {
      const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
      return c.provisioningState === "Failed" ? c : undefined;
    }, "circuit Failed");
    expect(circuit.serviceProviderProvisioningState).toBe("Provisioned");
    const err = (await arm.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe("ConflictError");
  });
});
