import { request } from "node:https";
import { RestError } from "@azure/core-rest-pipeline";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { POLL, type ArmTestEnv, armClient, cleanupCerts, startArmTestEnv } from "./arm-helpers";

const RG = "rg-erp-network";

let env: ArmTestEnv;
beforeEach(async () => {
  env = await startArmTestEnv();
});
afterEach(async () => env.close());
afterAll(() => cleanupCerts());

/** A raw HTTPS call (no SDK) for what the SDK never sends: no token, other api-versions. */
function rawFetch(
  path: string,
  init: { token?: string | null } = {},
): Promise<{ status: number; requestId: string | undefined; body: { error: { code: string } } }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? env.arm.token}`;
  return new Promise((resolve, reject) => {
    const req = request(`${env.arm.url}${path}`, { headers, ca: env.arm.caCertPem }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          requestId: res.headers["x-ms-request-id"] as string | undefined,
          body: JSON.parse(text) as { error: { code: string } },
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("ARM emulator: the wire", () => {
  it("serves the seeded VNet over TLS trusted through the generated CA", async () => {
    const vnet = await env.client.virtualNetworks.get(RG, "vnet-erp");
    expect(vnet.id).toBe(env.arm.virtualNetworkId);
    expect(vnet.addressSpace?.addressPrefixes).toEqual(["10.10.0.0/16"]);
    expect(vnet.subnets?.map((s) => [s.name, s.addressPrefix])).toEqual([["snet-app", "10.10.1.0/24"]]);
    expect(vnet.etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
  });

  it("rejects a missing or wrong bearer token with 401 in ARM's envelope", async () => {
    const missing = await rawFetch(
      `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet-erp?api-version=2025-05-01`,
      { token: null },
    );
    expect(missing.status).toBe(401);
    expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.body.error.code).toBe("AuthenticationFailed");

    const wrong = armClient(env.arm, "not-the-token");
    const err = await wrong.virtualNetworks.get(RG, "vnet-erp").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).statusCode).toBe(401);
    expect((err as RestError).code).toBe("InvalidAuthenticationToken");
  });

  it("accepts only api-version 2025-05-01", async () => {
    const base = `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet-erp`;
    const old = await rawFetch(`${base}?api-version=2023-09-01`);
    expect(old.status).toBe(400);
    expect(old.body.error.code).toBe("NoRegisteredProviderFound");
    const none = await rawFetch(base);
    expect(none.body.error.code).toBe("MissingApiVersionParameter");
    const bad = await rawFetch(`${base}?api-version=latest`);
    expect(bad.body.error.code).toBe("InvalidApiVersionParameter");
  });

  it("answers 404 ResourceNotFound, ResourceGroupNotFound and SubscriptionNotFound", async () => {
    const err = (await env.client.expressRouteCircuits.get(RG, "nope").catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe("ResourceNotFound");
    expect(err.message).toContain(
      "The Resource 'Microsoft.Network/expressRouteCircuits/nope' under resource group 'rg-erp-network' was not found",
    );
    const rg = (await env.client.expressRouteCircuits.get("rg-missing", "x").catch((e: unknown) => e)) as RestError;
    expect(rg.code).toBe("ResourceGroupNotFound");
    const sub = await rawFetch(
      `/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/v?api-version=2025-05-01`,
    );
    expect(sub.status).toBe(404);
    expect(sub.body.error.code).toBe("SubscriptionNotFound");
  });

  it("lists Oracle Cloud FastConnect with its peering locations and bandwidth offers", async () => {
    const providers = [];
    for await (const p of env.client.expressRouteServiceProviders.list()) providers.push(p);
    const oracle = providers.find((p) => p.name === "Oracle Cloud FastConnect");
    expect(oracle?.peeringLocations).toContain("Washington DC");
    expect(oracle?.peeringLocations).toContain("Amsterdam2");
    expect(oracle?.bandwidthsOffered?.map((b) => b.valueInMbps)).toEqual(expect.arrayContaining([50, 1000, 2000, 5000, 10000]));
    expect(providers.length).toBeGreaterThan(1);
  });
});

describe("ARM emulator: resources and LROs", () => {
  it("creates a subnet and a public IP through the SDK's pollers, with 201 then 200 and fresh etags", async () => {
    const subnet = await env.client.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet-erp",
      "GatewaySubnet",
      { addressPrefix: "10.10.255.0/27" },
      POLL,
    );
    expect(subnet.provisioningState).toBe("Succeeded");
    const again = await env.client.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet-erp",
      "GatewaySubnet",
      { addressPrefix: "10.10.255.0/27" },
      POLL,
    );
    expect(again.etag).not.toBe(subnet.etag);

    const outside = (await env.client.subnets
      .beginCreateOrUpdateAndWait(RG, "vnet-erp", "bad", { addressPrefix: "10.99.0.0/24" }, POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(outside.code).toBe("NetcfgSubnetRangeOutsideVnet");
    const overlap = (await env.client.subnets
      .beginCreateOrUpdateAndWait(RG, "vnet-erp", "dup", { addressPrefix: "10.10.1.0/25" }, POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(overlap.code).toBe("NetcfgSubnetRangesOverlap");

    const pip = await env.client.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      "pip-gw",
      { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" },
      POLL,
    );
    expect(pip.provisioningState).toBe("Succeeded");
    expect(pip.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("honours If-Match with 412 and If-None-Match: * on existing resources", async () => {
    const vnet = await env.client.virtualNetworks.get(RG, "vnet-erp");
    const stale = (await env.client.virtualNetworks
      .beginCreateOrUpdateAndWait(
        RG,
        "vnet-erp",
        { location: "eastus", addressSpace: { addressPrefixes: ["10.10.0.0/16"] } },
        { ...POLL, requestOptions: { customHeaders: { "If-Match": 'W/"stale"' } } },
      )
      .catch((e: unknown) => e)) as RestError;
    expect(stale.statusCode).toBe(412);
    const ok = await env.client.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "vnet-erp",
      { location: "eastus", addressSpace: { addressPrefixes: ["10.10.0.0/16"] } },
      { ...POLL, requestOptions: { customHeaders: { "If-Match": vnet.etag ?? "" } } },
    );
    expect(ok.provisioningState).toBe("Succeeded");
    expect(ok.subnets?.map((s) => s.name)).toEqual(["snet-app"]);
  });

  it("builds an ExpressRoute gateway only in GatewaySubnet, and guards the subnet and public IP it uses", async () => {
    const appSubnet = `${env.arm.virtualNetworkId}/subnets/snet-app`;
    const wrong = (await env.client.virtualNetworkGateways
      .beginCreateOrUpdateAndWait(RG, "gw", gatewayBody(appSubnet), POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(wrong.statusCode).toBe(400);
    expect(wrong.code).toBe("InvalidGatewaySubnet");

    await env.client.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
    await env.client.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      "pip-gw",
      { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" },
      POLL,
    );
    // From the PUT on the virtual clock, which stands still until the deployment is seen running (a loaded
    // machine can spend simulated minutes between two requests at this speed).
    const startedAt = env.clock.now();
    env.clock.pause();
    const poller = await env.client.virtualNetworkGateways.beginCreateOrUpdate(
      RG,
      "gw",
      gatewayBody(`${env.arm.virtualNetworkId}/subnets/GatewaySubnet`, "pip-gw"),
      POLL,
    );
    const during = await env.client.virtualNetworkGateways.get(RG, "gw");
    expect(during.provisioningState).toBe("Updating");
    env.clock.resume();
    const gw = await poller.pollUntilDone();
    expect(gw.provisioningState).toBe("Succeeded");
    expect(env.clock.now() - startedAt).toBeGreaterThanOrEqual(29 * 60_000);

    const inUse = (await env.client.subnets
      .beginDeleteAndWait(RG, "vnet-erp", "GatewaySubnet", POLL)
      .catch((e: unknown) => e)) as RestError;
    expect(inUse.code).toBe("InUseSubnetCannotBeDeleted");
    const pipInUse = (await env.client.publicIPAddresses.beginDeleteAndWait(RG, "pip-gw", POLL).catch((e: unknown) => e)) as RestError;
    expect(pipInUse.code).toBe("PublicIPAddressCannotBeDeleted");
    const subnet = await env.client.subnets.get(RG, "vnet-erp", "GatewaySubnet");
    expect(subnet.ipConfigurations?.[0]?.id).toBe(`${gw.id}/ipConfigurations/default`);

    await env.client.virtualNetworkGateways.beginDeleteAndWait(RG, "gw", POLL);
    const gone = (await env.client.virtualNetworkGateways.get(RG, "gw").catch((e: unknown) => e)) as RestError;
    expect(gone.statusCode).toBe(404);
    await env.client.subnets.beginDeleteAndWait(RG, "vnet-erp", "GatewaySubnet", POLL);
    await env.client.publicIPAddresses.beginDeleteAndWait(RG, "pip-gw", POLL);
    // Deleting what is already gone is a 204, which the poller treats as done.
    await env.client.publicIPAddresses.beginDeleteAndWait(RG, "pip-gw", POLL);
  });
});

describe("ARM emulator: faults and Retry-After", () => {
  it("is answered by the SDK's own retry when throttled with 429 + Retry-After", async () => {
    await env.close();
    // First request throttled, the rest not.
    const rolls = [0];
    env = await startArmTestEnv({ random: () => rolls.shift() ?? 0.99 });
    env.faults.set({ operations: { "arm:GET virtualNetworks": { throttleRate: 0.5, retryAfterSeconds: 1 } } });
    const started = Date.now();
    const vnet = await env.client.virtualNetworks.get(RG, "vnet-erp");
    expect(vnet.name).toBe("vnet-erp");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("survives a 5xx and a 429 in a row through the SDK's retry policies", async () => {
    await env.close();
    // Rolls per request: throttle?, error?, 500-or-503. Here: a 500, then a 429 (Retry-After 1 s), then clean.
    const rolls = [0.9, 0, 0.2, 0, 0.7];
    env = await startArmTestEnv({ random: () => rolls.shift() ?? 0.99 });
    env.faults.set({ operations: { "arm:*": { errorRate: 0.5, throttleRate: 0.1 } } });
    const vnet = await env.client.virtualNetworks.get(RG, "vnet-erp");
    expect(vnet.name).toBe("vnet-erp");
    expect(rolls).toEqual([]);
  });

  it("sends Retry-After on running operations and the SDK's poller waits for it", async () => {
    await env.close();
    env = await startArmTestEnv({ retryAfterSeconds: 1, durations: { smallResource: 1.5 * 6000 * 1000 } });
    let requests = 0;
    env.client.pipeline.addPolicy({ name: "countRequests", sendRequest: (req, next) => ((requests += 1), next(req)) });
    const started = Date.now();
    await env.client.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet-erp",
      "snet-b",
      { addressPrefix: "10.10.2.0/24" },
      { updateIntervalInMs: 5 },
    );
    // The operation runs 1.5 s real; polling every 5 ms would take ~300 requests, Retry-After: 1 takes a handful.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(requests).toBeGreaterThanOrEqual(3);
    expect(requests).toBeLessThan(8);
  });
});

function gatewayBody(subnetId: string, pipName?: string) {
  return {
    location: "eastus",
    gatewayType: "ExpressRoute" as const,
    sku: { name: "Standard" as const, tier: "Standard" as const },
    ipConfigurations: [
      {
        name: "default",
        subnet: { id: subnetId },
        ...(pipName
          ? {
              publicIPAddress: {
                id: `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/${pipName}`,
              },
            }
          : {}),
      },
    ],
  };
}
