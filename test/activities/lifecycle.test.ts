/**
 * The activities, one after another in the workflow's order, against both real emulators and a real
 * Azurite: every ensure step run twice builds one resource, the service key never leaves Azure→OCI,
 * our route rule is merged next to a foreign one, and teardown (run twice) leaves nothing behind.
 */
import { describe, expect, it } from "vitest";
import type { AzureScope, OciScope } from "../../src/contracts";
import { CloudCallLog } from "../../src/clouds/call-log";
import { exampleCircuit, exampleVirtualCircuit, invoke, invokeRetrying, opContext, until, useActivityEnv } from "./env";

const getEnv = useActivityEnv();

/**
 * Runs a step with the shared clock standing still: a delete that answers "deleting" must still see the
 * resource there, whatever real time a loaded machine spends inside the call (simulated minutes at this speed).
 */
async function paused<T>(env: { clock: { pause(): void; resume(): void } }, step: () => Promise<T>): Promise<T> {
  env.clock.pause();
  try {
    return await step();
  } finally {
    env.clock.resume();
  }
}
const NAME = "erp-prod";

describe("activities against the emulators", () => {
  it("provision twice = one of each, then teardown twice = nothing left", async () => {
    const env = getEnv();
    const op = opContext(NAME);
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const outputs: unknown[] = [];
    const twice = async <T>(run: () => Promise<T>): Promise<T> => {
      const first = await run();
      const second = await run();
      outputs.push(first, second);
      return second;
    };

    // pre-flight
    const vnet = await invoke(env, "azureReadVirtualNetwork", { opContext: op, azure, virtualNetworkName: "vnet-erp" });
    expect(vnet).toMatchObject({ addressPrefixes: ["10.10.0.0/16"], gatewaySubnet: null, expressRouteGateway: null });
    const offer = await invoke(env, "azureReadProviderOffer", {
      opContext: op,
      subscriptionId: azure.subscriptionId,
      peeringLocation: "Washington DC",
      bandwidthInMbps: 1000,
    });
    expect(offer.offered).toBe(true);
    const vcn = await invoke(env, "ociReadVcn", { opContext: op, region: oci.region, vcnId: env.oci.seed.vcnId });
    expect(vcn).toMatchObject({ cidrBlocks: ["10.20.0.0/16"], defaultRouteTableId: env.oci.seed.routeTableId });
    const provider = await invoke(env, "ociReadProviderService", { opContext: op, ...oci });
    expect(provider.providerServiceId).toBe(env.oci.seed.providerServiceId);
    expect(provider.bandwidthShapeNames).toContain("1 Gbps");

    // gateway branch
    const subnet = await twice(() =>
      invoke(env, "azureEnsureGatewaySubnet", { opContext: op, azure, virtualNetworkName: "vnet-erp", addressPrefix: "10.10.255.0/27" }),
    );
    const gw = await twice(() =>
      invokeRetrying(env, "azureEnsureGateway", {
        opContext: op,
        azure,
        location: "eastus",
        virtualNetworkName: "vnet-erp",
        gatewaySubnetId: subnet.subnetId,
        sku: "UltraPerformance",
      }),
    );
    if (!gw.found) throw new Error("gateway not found after ensure");

    // OCI + circuit branch
    const drg = await twice(() => invoke(env, "ociEnsureDrg", { opContext: op, oci }));
    if (!drg.found) throw new Error("DRG not found after ensure");
    await until(
      env,
      () => invoke(env, "ociGetDrg", { opContext: op, oci }),
      (o) => o.found && o.lifecycleState === "AVAILABLE",
    );
    const att = await twice(() =>
      invoke(env, "ociEnsureDrgAttachment", { opContext: op, oci, drgId: drg.drgId, vcnId: env.oci.seed.vcnId }),
    );
    expect(att.found).toBe(true);
    await until(
      env,
      () => invoke(env, "ociGetDrgAttachment", { opContext: op, oci, vcnId: env.oci.seed.vcnId }),
      (o) => o.found && o.lifecycleState === "ATTACHED",
    );

    const circuit = await twice(() => invoke(env, "azureEnsureCircuit", exampleCircuit(op, azure)));
    if (!circuit.found) throw new Error("circuit not found after ensure");
    expect(circuit.serviceKeyMasked).toMatch(/^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}$/);
    const vc = await twice(() =>
      invoke(env, "ociEnsureVirtualCircuit", exampleVirtualCircuit(op, { oci, azure }, provider.providerServiceId, drg.drgId)),
    );
    expect(vc.found).toBe(true);
    await until(
      env,
      () => invoke(env, "ociGetVirtualCircuit", { opContext: op, oci }),
      (o) => o.found && o.lifecycleState === "PROVISIONED" && o.providerState === "ACTIVE" && o.bgpSessionState === "UP",
    );
    const provisioned = await until(
      env,
      () => invoke(env, "azureGetCircuit", { opContext: op, azure }),
      (o) => o.found && o.serviceProviderProvisioningState === "Provisioned" && o.privatePeering?.provisioningState === "Succeeded",
    );
    if (!provisioned.found) throw new Error("unreachable");
    expect(provisioned.privatePeering).toMatchObject({
      peerASN: 31898,
      primaryPeerAddressPrefix: "192.168.100.0/30",
      secondaryPeerAddressPrefix: "192.168.100.4/30",
    });

    // route rules: a rule somebody else owns must survive our merge and our removal
    const foreign = {
      destination: "172.16.0.0/12",
      destinationType: "CIDR_BLOCK",
      networkEntityId: drg.drgId,
      description: "owned by the network team",
    };
    const sdk = env.deps.oci.network(oci.region, new CloudCallLog());
    const table = await sdk.getRouteTable(env.oci.seed.routeTableId);
    if (!table) throw new Error("seed route table missing");
    await sdk.updateRouteTable(env.oci.seed.routeTableId, [...(table.routeTable.routeRules ?? []), foreign as never], table.etag);
    await twice(() =>
      invoke(env, "ociEnsureRouteRules", {
        opContext: op,
        region: oci.region,
        routeTableId: env.oci.seed.routeTableId,
        drgId: drg.drgId,
        destinations: ["10.10.0.0/16"],
      }),
    );
    const merged = (await sdk.getRouteTable(env.oci.seed.routeTableId))?.routeTable.routeRules ?? [];
    expect(merged.map((r) => [r.destination, r.description])).toEqual([
      ["172.16.0.0/12", "owned by the network team"],
      ["10.10.0.0/16", `interconnect:${NAME}`],
    ]);

    // connection, verification
    await until(
      env,
      () => invoke(env, "azureGetGateway", { opContext: op, azure }),
      (o) => o.found && o.provisioningState === "Succeeded",
      60,
    );
    await twice(() =>
      invoke(env, "azureEnsureConnection", {
        opContext: op,
        azure,
        location: "eastus",
        gatewayId: gw.gatewayId,
        circuitId: circuit.circuitId,
        expressRouteGatewayBypass: true,
      }),
    );
    const connected = await until(
      env,
      () => invoke(env, "azureGetConnection", { opContext: op, azure }),
      (o) => o.found && o.connectionStatus === "Connected",
    );
    expect(connected).toMatchObject({ expressRouteGatewayBypass: true });
    for (const devicePath of ["primary", "secondary"] as const) {
      const tables = await invoke(env, "azureReadPeeringTables", { opContext: op, azure, devicePath });
      outputs.push(tables);
      expect(tables.arp.map((a) => a.ipAddress)).toContain(devicePath === "primary" ? "192.168.100.1" : "192.168.100.5");
      expect(tables.routes.map((r) => r.network)).toContain("10.20.0.0/16");
    }

    // one of each on the clouds
    const arm = env.deps.azure.client(azure.subscriptionId);
    const count = async <T>(it: AsyncIterable<T>) => {
      let n = 0;
      for await (const _ of it) n++;
      return n;
    };
    expect(await count(arm.expressRouteCircuits.list(azure.resourceGroup))).toBe(1);
    expect(await count(arm.virtualNetworkGateways.list(azure.resourceGroup))).toBe(1);
    expect(await count(arm.virtualNetworkGatewayConnections.list(azure.resourceGroup))).toBe(1);
    expect(await count(arm.publicIPAddresses.list(azure.resourceGroup))).toBe(1);
    expect((await sdk.listDrgs(oci.compartmentId)).length).toBe(1);
    expect((await sdk.listDrgAttachments({ compartmentId: oci.compartmentId })).length).toBe(1);
    expect((await sdk.listVirtualCircuits(oci.compartmentId)).length).toBe(1);

    // the service key went from Azure to OCI and nowhere else
    const serviceKey = (await arm.expressRouteCircuits.get(azure.resourceGroup, `erc-${NAME}`)).serviceKey;
    expect(serviceKey).toMatch(/^[0-9a-f-]{36}$/);
    const audit = await env.deps.store.audit.list(NAME, { top: 1000 });
    expect(audit.items.length).toBeGreaterThan(10);
    expect(audit.items.some((a) => a.step === "azureEnsureCircuit" && a.cloudRequestIds.length > 0 && a.durationMs !== undefined)).toBe(
      true,
    );
    const everything = JSON.stringify({ outputs, audit: audit.items, warnings: env.warnings });
    expect(everything).not.toContain(serviceKey as string);

    // teardown, in the safe order, each step twice
    const td = opContext(NAME, "teardown");
    expect((await invoke(env, "azureDeleteCircuit", { opContext: td, azure })).status).toBe("conflict");
    expect((await paused(env, () => invoke(env, "azureDeleteConnection", { opContext: td, azure }))).status).toBe("deleting");
    await until(
      env,
      () => invoke(env, "azureGetConnection", { opContext: td, azure }),
      (o) => !o.found,
    );
    expect((await invoke(env, "azureDeleteConnection", { opContext: td, azure })).status).toBe("deleted");

    expect((await paused(env, () => invoke(env, "ociDeleteVirtualCircuit", { opContext: td, oci }))).status).toBe("deleting");
    await until(
      env,
      () => invoke(env, "ociGetVirtualCircuit", { opContext: td, oci }),
      (o) => !o.found || o.lifecycleState === "TERMINATED",
    );
    expect((await invoke(env, "ociDeleteVirtualCircuit", { opContext: td, oci })).status).toBe("deleted");
    await until(
      env,
      () => invoke(env, "azureGetCircuit", { opContext: td, azure }),
      (o) => o.found && o.serviceProviderProvisioningState === "NotProvisioned" && o.peeringCount === 0,
    );
    await until(
      env,
      () => invoke(env, "azureDeleteCircuit", { opContext: td, azure }),
      (o) => o.status !== "conflict",
    );
    await until(
      env,
      () => invoke(env, "azureGetCircuit", { opContext: td, azure }),
      (o) => !o.found,
    );
    expect((await invoke(env, "azureDeleteCircuit", { opContext: td, azure })).status).toBe("deleted");

    for (let i = 0; i < 2; i++) {
      expect(
        (await invoke(env, "ociRemoveRouteRules", { opContext: td, region: oci.region, routeTableId: env.oci.seed.routeTableId })).status,
      ).toBe("deleted");
    }
    const left = (await sdk.getRouteTable(env.oci.seed.routeTableId))?.routeTable.routeRules ?? [];
    expect(left.map((r) => r.description)).toEqual(["owned by the network team"]);
    await sdk.updateRouteTable(env.oci.seed.routeTableId, [], (await sdk.getRouteTable(env.oci.seed.routeTableId))?.etag ?? "");

    await until(
      env,
      () => invoke(env, "ociDeleteDrgAttachment", { opContext: td, oci, vcnId: env.oci.seed.vcnId }),
      (o) => o.status === "deleted",
    );
    await until(
      env,
      () => invoke(env, "ociDeleteDrg", { opContext: td, oci }),
      (o) => o.status === "deleted",
    );
    await until(
      env,
      () => invoke(env, "azureDeleteGateway", { opContext: td, azure }),
      (o) => o.status === "deleted",
      60,
    );
    await until(
      env,
      () => invoke(env, "azureDeleteGatewaySubnet", { opContext: td, azure, virtualNetworkName: "vnet-erp" }),
      (o) => o.status === "deleted",
    );

    expect(await count(arm.expressRouteCircuits.list(azure.resourceGroup))).toBe(0);
    expect(await count(arm.virtualNetworkGateways.list(azure.resourceGroup))).toBe(0);
    expect(await count(arm.publicIPAddresses.list(azure.resourceGroup))).toBe(0);
    expect(
      (await invoke(env, "azureReadVirtualNetwork", { opContext: td, azure, virtualNetworkName: "vnet-erp" })).gatewaySubnet,
    ).toBeNull();
    const liveDrgs = (await sdk.listDrgs(oci.compartmentId)).filter((d) => String(d.lifecycleState) !== "TERMINATED");
    expect(liveDrgs).toEqual([]);
  });
});
