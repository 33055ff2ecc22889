/**
 * Where an ExpressRoute gateway may go: in its VNet's region, with a public IP of that region, and as
 * the only ExpressRoute gateway of the VNet. Driven through the real @azure/arm-network client.
 */
import type { RestError } from "@azure/core-rest-pipeline";
import type { VirtualNetworkGateway } from "@azure/arm-network";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { POLL, type ArmTestEnv, cleanupCerts, startArmTestEnv } from "./arm-helpers";

const RG = "rg-erp-network";

let env: ArmTestEnv;
beforeEach(async () => {
  env = await startArmTestEnv();
  await env.client.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
});
afterEach(async () => env.close());
afterAll(() => cleanupCerts());

const gatewaySubnet = () => `${env.arm.virtualNetworkId}/subnets/GatewaySubnet`;

function gatewayBody(location: string, publicIpName?: string, gatewayType: "ExpressRoute" | "Vpn" = "ExpressRoute"): VirtualNetworkGateway {
  const sku = gatewayType === "ExpressRoute" ? "Standard" : "VpnGw1";
  return {
    location,
    gatewayType,
    sku: { name: sku, tier: sku },
    ipConfigurations: [
      {
        name: "default",
        subnet: { id: gatewaySubnet() },
        ...(publicIpName
          ? {
              publicIPAddress: {
                id: `/subscriptions/${env.arm.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses/${publicIpName}`,
              },
            }
          : {}),
      },
    ],
  };
}

async function refused(run: Promise<unknown>): Promise<RestError> {
  return (await run.then(
    () => {
      throw new Error("expected ARM to refuse the request");
    },
    (e: unknown) => e,
  )) as RestError;
}

describe("ARM emulator: gateway placement", () => {
  it("refuses a gateway in another region than its VNet with InvalidResourceReference naming the subnet", async () => {
    const err = await refused(
      env.client.virtualNetworkGateways.beginCreateOrUpdateAndWait(RG, "vgw-far", gatewayBody("australiaeast"), POLL),
    );
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("InvalidResourceReference");
    expect(err.message).toContain(gatewaySubnet());
    expect(err.message).toContain("same region");
    // The region's display name is the same region.
    const ok = await env.client.virtualNetworkGateways.beginCreateOrUpdate(RG, "vgw-near", gatewayBody("East US"), POLL);
    expect((await env.client.virtualNetworkGateways.get(RG, "vgw-near")).provisioningState).toBe("Updating");
    await ok.pollUntilDone();
  });

  it("refuses a gateway whose public IP lives in another region", async () => {
    await env.client.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      "pip-far",
      { location: "westeurope", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" },
      POLL,
    );
    const err = await refused(
      env.client.virtualNetworkGateways.beginCreateOrUpdateAndWait(RG, "vgw-a", gatewayBody("eastus", "pip-far"), POLL),
    );
    expect(err.code).toBe("InvalidResourceReference");
    expect(err.message).toMatch(/publicIPAddresses\/pip-far referenced by resource .*virtualNetworkGateways\/vgw-a/);
  });

  it("refuses a second ExpressRoute gateway in the VNet, while a VPN gateway may coexist", async () => {
    const first = await env.client.virtualNetworkGateways.beginCreateOrUpdate(RG, "vgw-a-er", gatewayBody("eastus"), POLL);
    const err = await refused(env.client.virtualNetworkGateways.beginCreateOrUpdateAndWait(RG, "vgw-b-er", gatewayBody("eastus"), POLL));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("VirtualNetworkGatewayOfSameTypeExists");
    expect(err.message).toContain("virtualNetworkGateways/vgw-a-er");
    await env.client.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      "pip-vpn",
      { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" },
      POLL,
    );
    const vpn = await env.client.virtualNetworkGateways.beginCreateOrUpdate(RG, "vgw-vpn", gatewayBody("eastus", "pip-vpn", "Vpn"), POLL);
    await Promise.all([first.pollUntilDone(), vpn.pollUntilDone()]);
    // The same gateway PUT again is an update, not a second gateway.
    const again = await env.client.virtualNetworkGateways.beginCreateOrUpdateAndWait(RG, "vgw-a-er", gatewayBody("eastus"), POLL);
    expect(again.provisioningState).toBe("Succeeded");
  });
});
