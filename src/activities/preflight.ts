/**
 * Pre-flight reads: what the user named must exist before anything billable is created. A missing
 * VNet, VCN or DRG is a permanent NOT_FOUND naming it; no retry can make it appear.
 */
import type { AzureNetwork, Subnet, VirtualNetworkGateway } from "../clouds/azure/network";
import { CloudError } from "../clouds/errors";
import { EXPRESSROUTE_SERVICE_PROVIDER, FASTCONNECT_PROVIDER_NAME } from "../domain/skus";
import { GATEWAY_SUBNET_NAME } from "../domain/names";
import { permanent } from "../contracts";
import { defineActivity, type StepContext, StepFailed } from "./step";
import { parseArmId, sameArmId } from "./azure-ids";
import { publicIpOf } from "./gateway";

export const azureReadVirtualNetwork = defineActivity("azureReadVirtualNetwork", "read", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const arm = ctx.azure(subscriptionId);
  const vnet = await arm.getVirtualNetwork(resourceGroup, input.virtualNetworkName);
  if (!vnet?.id) {
    throw new StepFailed(
      permanent(
        "NOT_FOUND",
        `Virtual network "${input.virtualNetworkName}" was not found in resource group "${resourceGroup}" of subscription ${subscriptionId}.`,
      ),
    );
  }
  const gatewaySubnet = (vnet.subnets ?? []).find((s) => s.name === GATEWAY_SUBNET_NAME);
  const subnetPrefix = gatewaySubnet?.addressPrefix ?? gatewaySubnet?.addressPrefixes?.[0];
  const erGateway = await expressRouteGatewayOf(arm, ctx, resourceGroup, vnet.id, gatewaySubnet);
  return {
    id: vnet.id,
    location: vnet.location ?? "",
    addressPrefixes: vnet.addressSpace?.addressPrefixes ?? [],
    gatewaySubnet: gatewaySubnet?.id && subnetPrefix ? { id: gatewaySubnet.id, addressPrefix: subnetPrefix } : null,
    expressRouteGateway:
      erGateway?.id && erGateway.name
        ? {
            id: erGateway.id,
            name: erGateway.name,
            sku: erGateway.sku?.name ?? "",
            provisioningState: erGateway.provisioningState ?? "",
            ...publicIpOf(erGateway),
          }
        : null,
    subnets: (vnet.subnets ?? []).map((s) => ({
      name: s.name ?? "",
      addressPrefixes: s.addressPrefixes?.length ? s.addressPrefixes : s.addressPrefix ? [s.addressPrefix] : [],
    })),
  };
});

/**
 * The ExpressRoute gateway placed in this VNet. The GatewaySubnet's ipConfigurations name it
 * wherever it lives (a gateway in another resource group or subscription can use this VNet); the
 * spec's resource group is listed as well, for a gateway ARM does not show in the subnet yet.
 */
async function expressRouteGatewayOf(
  arm: AzureNetwork,
  ctx: StepContext,
  resourceGroup: string,
  vnetId: string,
  gatewaySubnet: Subnet | undefined,
): Promise<VirtualNetworkGateway | undefined> {
  const isExpressRoute = (g: VirtualNetworkGateway | undefined): g is VirtualNetworkGateway => g?.gatewayType === "ExpressRoute";
  const gatewayIds = new Set(
    (gatewaySubnet?.ipConfigurations ?? [])
      .map((c) => c.id ?? "")
      .filter((id) => /\/virtualNetworkGateways\//i.test(id))
      .map((id) => id.replace(/\/ipConfigurations\/[^/]+$/i, "")),
  );
  for (const id of gatewayIds) {
    const ref = parseArmId(id, "GatewaySubnet.ipConfigurations[].id");
    const gateway = await ctx.azure(ref.subscriptionId).getGateway(ref.resourceGroup, ref.name);
    if (isExpressRoute(gateway)) return gateway;
  }
  const vnetSubnetsPrefix = `${vnetId}/subnets/`.toLowerCase();
  const gateways = await arm.listGateways(resourceGroup);
  return gateways.find(
    (g) =>
      isExpressRoute(g) &&
      (g.ipConfigurations ?? []).some(
        (ip) => ip.subnet?.id?.toLowerCase().startsWith(vnetSubnetsPrefix) || sameArmId(ip.subnet?.id, gatewaySubnet?.id),
      ),
  );
}

export const azureReadProviderOffer = defineActivity("azureReadProviderOffer", "read", async (input, ctx) => {
  const providers = await ctx.azure(input.subscriptionId).listServiceProviders();
  const oracle = providers.find((p) => p.name === EXPRESSROUTE_SERVICE_PROVIDER);
  const peeringLocations = oracle?.peeringLocations ?? [];
  const bandwidthsInMbps = (oracle?.bandwidthsOffered ?? []).map((b) => b.valueInMbps).filter((v): v is number => typeof v === "number");
  return {
    offered: peeringLocations.includes(input.peeringLocation) && bandwidthsInMbps.includes(input.bandwidthInMbps),
    serviceProviderName: EXPRESSROUTE_SERVICE_PROVIDER,
    peeringLocations,
    bandwidthsInMbps,
  };
});

export const ociReadVcn = defineActivity("ociReadVcn", "read", async (input, ctx) => {
  const vcn = await ctx.oci(input.region).getVcn(input.vcnId);
  if (!vcn)
    throw new StepFailed(
      permanent("NOT_FOUND", `VCN ${input.vcnId} was not found in region ${input.region} (or this user may not read it).`),
    );
  // A VCN attaches to one DRG at a time: pre-flight must know before a DRG of ours is created.
  const attachments = await ctx.oci(input.region).listDrgAttachments({ compartmentId: vcn.compartmentId, vcnId: vcn.id });
  return {
    id: vcn.id,
    compartmentId: vcn.compartmentId,
    cidrBlocks: vcn.cidrBlocks?.length ? vcn.cidrBlocks : vcn.cidrBlock ? [vcn.cidrBlock] : [],
    defaultRouteTableId: vcn.defaultRouteTableId ?? "",
    lifecycleState: vcn.lifecycleState,
    drgAttachments: attachments
      .filter((a) => String(a.lifecycleState) !== "DETACHED")
      .map((a) => ({ id: a.id, drgId: a.drgId, displayName: a.displayName ?? "", lifecycleState: String(a.lifecycleState) })),
  };
});

export const ociReadProviderService = defineActivity("ociReadProviderService", "read", async (input, ctx) => {
  const oci = ctx.oci(input.region);
  const services = await oci.listFastConnectProviderServices(input.compartmentId).catch((err: unknown) => {
    // The DRG and the virtual circuit are created in this compartment: a typo must stop the run before the gateway bills.
    if (err instanceof CloudError && err.notFound) {
      throw new StepFailed(
        permanent(
          "NOT_FOUND",
          `oci.compartmentId ${input.compartmentId} was not found in region ${input.region}, or this user may not use it ` +
            `(OCI answered ${err.code} listing FastConnect provider services in it); the DRG and the virtual circuit are created there.`,
        ),
      );
    }
    throw err;
  });
  // "Microsoft Azure", not "Azure" (oracle-enterprise-landingzone#117); private peering only.
  const azure = services.find(
    (s) =>
      s.providerName === FASTCONNECT_PROVIDER_NAME && (s.supportedVirtualCircuitTypes ?? ["PRIVATE"]).some((t) => String(t) === "PRIVATE"),
  );
  if (!azure) {
    throw new StepFailed(
      permanent(
        "NOT_FOUND",
        `No FastConnect provider service "${FASTCONNECT_PROVIDER_NAME}" with private virtual circuits in ${input.region}.`,
      ),
    );
  }
  const shapes = await oci.listBandwidthShapes(azure.id);
  return { providerServiceId: azure.id, providerName: azure.providerName, bandwidthShapeNames: shapes.map((s) => s.name) };
});

export const ociReadDrg = defineActivity("ociReadDrg", "read", async (input, ctx) => {
  const oci = ctx.oci(input.region);
  const drg = await oci.getDrg(input.drgId);
  if (!drg)
    throw new StepFailed(
      permanent("NOT_FOUND", `DRG ${input.drgId} was not found in region ${input.region} (or this user may not read it).`),
    );
  const attachments = await oci.listDrgAttachments({ compartmentId: drg.compartmentId, drgId: drg.id, vcnId: input.vcnId });
  const live = attachments.find((a) => String(a.lifecycleState) !== "DETACHED");
  return {
    id: drg.id,
    lifecycleState: drg.lifecycleState,
    vcnAttachment: live ? { id: live.id, lifecycleState: live.lifecycleState } : null,
  };
});
