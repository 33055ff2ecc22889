/**
 * The pre-flight reads see what would make a later step fail: an ExpressRoute gateway on the VNet
 * that lives in another resource group (found through the GatewaySubnet's ipConfigurations), the
 * VNet's subnets, and the VCN's attachment to someone else's DRG.
 */
import { describe, expect, it } from "vitest";
import type { AzureScope, OciScope } from "../../src/contracts";
import { invoke, opContext, until, useActivityEnv } from "./env";

const getEnv = useActivityEnv();
const OTHER_RG = "rg-hub-network";

describe("pre-flight reads against the emulators", () => {
  it("finds an ExpressRoute gateway of another resource group in the VNet's GatewaySubnet, and lists the subnets", async () => {
    const env = getEnv();
    const op = opContext("erp-prod");
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const subnet = await invoke(env, "azureEnsureGatewaySubnet", {
      opContext: op,
      azure,
      virtualNetworkName: "vnet-erp",
      addressPrefix: "10.10.255.0/27",
    });
    env.arm.seedVirtualNetwork(OTHER_RG, { name: "vnet-hub", location: "eastus", addressPrefixes: ["10.40.0.0/16"] });
    const arm = env.deps.azure.client(azure.subscriptionId);
    await until(
      env,
      () => invoke(env, "azureReadVirtualNetwork", { opContext: op, azure, virtualNetworkName: "vnet-erp" }),
      (v) => v.gatewaySubnet !== null,
    );
    const hubGateway = await arm.virtualNetworkGateways.beginCreateOrUpdateAndWait(
      OTHER_RG,
      "vgw-hub-er",
      {
        location: "eastus",
        gatewayType: "ExpressRoute",
        sku: { name: "Standard", tier: "Standard" },
        ipConfigurations: [{ name: "default", subnet: { id: subnet.subnetId }, privateIPAllocationMethod: "Dynamic" }],
      },
      { updateIntervalInMs: 20 },
    );

    const vnet = await invoke(env, "azureReadVirtualNetwork", { opContext: op, azure, virtualNetworkName: "vnet-erp" });
    expect(vnet.expressRouteGateway).toMatchObject({
      id: hubGateway.id,
      name: "vgw-hub-er",
      sku: "Standard",
      provisioningState: "Succeeded",
    });
    expect(vnet.expressRouteGateway?.id).toMatch(new RegExp(`/resourceGroups/${OTHER_RG}/`, "i"));
    expect(vnet.subnets).toEqual(
      expect.arrayContaining([
        { name: "snet-app", addressPrefixes: ["10.10.1.0/24"] },
        { name: "GatewaySubnet", addressPrefixes: ["10.10.255.0/27"] },
      ]),
    );
  });

  it("reports the VCN's live attachment to another DRG", async () => {
    const env = getEnv();
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const hub = opContext("hub");
    const before = await invoke(env, "ociReadVcn", { opContext: hub, region: oci.region, vcnId: env.oci.seed.vcnId });
    expect(before.drgAttachments).toEqual([]);
    const drg = await invoke(env, "ociEnsureDrg", { opContext: hub, oci });
    if (!drg.found) throw new Error("DRG not found after ensure");
    await until(
      env,
      () => invoke(env, "ociGetDrg", { opContext: hub, oci, drgId: drg.drgId }),
      (d) => d.found && d.lifecycleState === "AVAILABLE",
    );
    const attachment = await invoke(env, "ociEnsureDrgAttachment", { opContext: hub, oci, drgId: drg.drgId, vcnId: env.oci.seed.vcnId });
    if (!attachment.found) throw new Error("attachment not found after ensure");

    const vcn = await invoke(env, "ociReadVcn", { opContext: opContext("erp-prod"), region: oci.region, vcnId: env.oci.seed.vcnId });
    expect(vcn.drgAttachments).toEqual([
      { id: attachment.drgAttachmentId, drgId: drg.drgId, displayName: "drgatt-hub-vcn", lifecycleState: expect.stringMatching(/ATTACH/) },
    ]);
  });
});
