/**
 * The ExpressRoute virtual network gateway (the longest pole: 20-45 minutes in Azure), its
 * GatewaySubnet and its public IP. Whether a gateway may go at all is the usage rows' word (the
 * removal graph asks before it calls the delete); the delete itself keeps a gateway that the live
 * cloud shows with another connection, and a GatewaySubnet with another gateway in it.
 */
import type { AzureNetwork, VirtualNetworkGateway } from "../clouds/azure/network";
import { GATEWAY_SUBNET_NAME } from "../domain/names";
import {
  type ActivityInput,
  type AzureScope,
  type DeleteOutcome,
  type GatewayObservation,
  permanent,
  retryLater,
  withInterconnectTag,
  namesOf,
} from "../contracts";
import { armId, armRefOr, sameArmId } from "./azure-ids";
import { defineActivity, StepFailed, type StepContext } from "./step";
import { deleteShared } from "./usage";

export function gatewayObservation(gw: VirtualNetworkGateway | undefined): GatewayObservation {
  if (!gw?.id) return { found: false };
  return {
    found: true,
    gatewayId: gw.id,
    name: gw.name ?? "",
    provisioningState: gw.provisioningState ?? "Unknown",
    sku: gw.sku?.name ?? "",
    ...publicIpOf(gw),
  };
}

export function publicIpOf(gw: VirtualNetworkGateway): { publicIpId?: string } {
  const id = gw.ipConfigurations?.find((c) => c.publicIPAddress?.id)?.publicIPAddress?.id;
  return id ? { publicIpId: id } : {};
}

export const azureEnsureGatewaySubnet = defineActivity("azureEnsureGatewaySubnet", "mutation", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const arm = ctx.azure(subscriptionId);
  const existing = await arm.getSubnet(resourceGroup, input.virtualNetworkName, GATEWAY_SUBNET_NAME);
  const subnet =
    existing ??
    (await arm.beginCreateSubnet(resourceGroup, input.virtualNetworkName, GATEWAY_SUBNET_NAME, { addressPrefix: input.addressPrefix })) ??
    (await arm.getSubnet(resourceGroup, input.virtualNetworkName, GATEWAY_SUBNET_NAME));
  if (!subnet?.id)
    throw new StepFailed(
      retryLater("NOT_YET_VISIBLE", `GatewaySubnet of ${input.virtualNetworkName} was accepted but cannot be read yet.`),
    );
  return {
    subnetId: subnet.id,
    addressPrefix: subnet.addressPrefix ?? subnet.addressPrefixes?.[0] ?? input.addressPrefix,
    provisioningState: subnet.provisioningState ?? "Updating",
  };
});

/** A public IP takes seconds; ARM answers Retry-After in that order too. */
const PUBLIC_IP_RETRY_SECONDS = 10;

/**
 * The gateway PUT must reference a provisioned public IP. One that is still being created is a
 * retryable failure: the orchestrator waits on a durable timer and calls again (which finds the IP),
 * rather than this activity holding a worker while it sleeps.
 */
async function ensurePublicIp(
  arm: AzureNetwork,
  rg: string,
  name: string,
  location: string,
  tags: Record<string, string>,
): Promise<string> {
  const ip =
    (await arm.getPublicIp(rg, name)) ??
    (await arm.beginCreatePublicIp(rg, name, {
      location,
      sku: { name: "Standard", tier: "Regional" },
      publicIPAllocationMethod: "Static",
      tags,
    })) ??
    (await arm.getPublicIp(rg, name));
  if (ip?.provisioningState === "Failed")
    throw new StepFailed(permanent("PUBLIC_IP_FAILED", `Public IP ${name} is in provisioningState Failed.`));
  if (!ip?.id || ip.provisioningState !== "Succeeded") {
    throw new StepFailed(
      retryLater(
        "PUBLIC_IP_PENDING",
        `Public IP ${name} is still ${ip?.provisioningState ?? "being created"}; the gateway is created once it has succeeded.`,
        PUBLIC_IP_RETRY_SECONDS,
      ),
    );
  }
  return ip.id;
}

export const azureEnsureGateway = defineActivity("azureEnsureGateway", "mutation", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const names = namesOf(ctx.opContext);
  const arm = ctx.azure(subscriptionId);
  const existing = await arm.getGateway(resourceGroup, names.gateway);
  if (existing) return gatewayObservation(existing);
  const tags = withInterconnectTag(input.tags, ctx.opContext.interconnect);
  const publicIpId = await ensurePublicIp(arm, resourceGroup, names.gatewayPublicIp, input.location, tags);
  const started = await arm.beginCreateGateway(resourceGroup, names.gateway, {
    location: input.location,
    gatewayType: "ExpressRoute",
    sku: { name: input.sku, tier: input.sku },
    ipConfigurations: [
      { name: "default", subnet: { id: input.gatewaySubnetId }, publicIPAddress: { id: publicIpId }, privateIPAllocationMethod: "Dynamic" },
    ],
    ...(input.sku === "ErGwScale" && input.scaleUnits
      ? { autoScaleConfiguration: { bounds: { min: input.scaleUnits, max: input.scaleUnits } } }
      : {}),
    tags,
  });
  return gatewayObservation(started ?? (await arm.getGateway(resourceGroup, names.gateway)));
});

const gatewayRef = (scope: AzureScope, gatewayId: string | undefined, gatewayName: string) =>
  armRefOr(scope, gatewayId, "gatewayId", gatewayName);

export const azureGetGateway = defineActivity("azureGetGateway", "read", async (input, ctx) => {
  const ref = gatewayRef(input.azure, input.gatewayId, namesOf(ctx.opContext).gateway);
  return gatewayObservation(await ctx.azure(ref.subscriptionId).getGateway(ref.resourceGroup, ref.name));
});

/** The gateway's public IP: the one named, or the derived name in the interconnect's resource group. */
const publicIpRef = (scope: AzureScope, publicIpId: string | undefined, defaultName: string) =>
  armRefOr(scope, publicIpId, "publicIpId", defaultName);

/** ARM refuses to delete a gateway while its deployment runs (409 AnotherOperationInProgress). */
const GATEWAY_BUILDING = ["Updating", "Creating"];

/**
 * "deleted" only once the gateway AND its public IP are gone: call until deleted (the IP can be
 * removed only after the gateway released it). The gateway may be another interconnect's handed
 * over (its last user removes it); a connection other than this interconnect's keeps it.
 */
export const azureDeleteGateway = defineActivity("azureDeleteGateway", "mutation", (input, ctx) =>
  deleteShared(ctx, input.release, () => deleteGateway(input, ctx)),
);

async function deleteGateway(input: ActivityInput<"azureDeleteGateway">, ctx: StepContext): Promise<DeleteOutcome> {
  const names = namesOf(ctx.opContext);
  const ref = gatewayRef(input.azure, input.gatewayId, names.gateway);
  const arm = ctx.azure(ref.subscriptionId);
  const gateway = await arm.getGateway(ref.resourceGroup, ref.name);
  if (gateway) {
    if (gateway.provisioningState === "Deleting") return { status: "deleting" };
    const connections = await arm.listGatewayConnections(ref.resourceGroup, ref.name);
    // Ours is named after the interconnect and sits in the interconnect's resource group; a namesake elsewhere is someone else's.
    const ours = (c: { id?: string; name?: string }) =>
      c.name === names.connection && sameArmId(c.id, armId(input.azure, "connections", names.connection));
    const others = connections.filter((c) => !ours(c));
    if (others.length > 0) {
      return {
        status: "in-use",
        message: `Gateway ${ref.name} still serves connection(s) ${others.map((c) => c.id ?? c.name).join(", ")} (live cloud); it is kept for them.`,
      };
    }
    if (GATEWAY_BUILDING.includes(String(gateway.provisioningState))) {
      return {
        status: "busy",
        message: `gateway ${gateway.provisioningState}: its deployment runs, and ARM refuses the delete until it is over`,
      };
    }
    if (connections.length > 0) {
      return {
        status: "conflict",
        message: `Connection ${names.connection} still links gateway ${ref.name}; delete it first.`,
        retryAfterSeconds: 60,
      };
    }
    await arm.beginDeleteGateway(ref.resourceGroup, ref.name);
    return { status: "deleting" };
  }
  const ip = publicIpRef(input.azure, input.publicIpId, namesOf(ctx.opContext).gatewayPublicIp);
  return deletePublicIp(ctx.azure(ip.subscriptionId), ip.resourceGroup, ip.name);
}

async function deletePublicIp(arm: AzureNetwork, rg: string, name: string): Promise<DeleteOutcome> {
  const ip = await arm.getPublicIp(rg, name);
  if (!ip) return { status: "deleted" };
  if (ip.ipConfiguration?.id)
    return { status: "deleting", message: `Public IP ${name} is still attached; it goes once the gateway is gone.` };
  return { status: await arm.beginDeletePublicIp(rg, name) };
}

export const azureDeleteGatewaySubnet = defineActivity("azureDeleteGatewaySubnet", "mutation", (input, ctx) =>
  deleteShared(ctx, input.release, () => deleteGatewaySubnet(input, ctx)),
);

async function deleteGatewaySubnet(input: ActivityInput<"azureDeleteGatewaySubnet">, ctx: StepContext): Promise<DeleteOutcome> {
  const { subscriptionId, resourceGroup } = input.azure;
  const arm = ctx.azure(subscriptionId);
  // A gateway deleted by an earlier step may have left its public IP behind: it never outlives the subnet.
  const ipRef = publicIpRef(input.azure, input.publicIpId, namesOf(ctx.opContext).gatewayPublicIp);
  const ip = await deletePublicIp(ctx.azure(ipRef.subscriptionId), ipRef.resourceGroup, ipRef.name);
  const subnet = await arm.getSubnet(resourceGroup, input.virtualNetworkName, GATEWAY_SUBNET_NAME);
  if (!subnet) return ip;
  const users = (subnet.ipConfigurations ?? []).map((c) => c.id ?? "");
  const removedGateway = (input.gatewayId ?? armId(input.azure, "virtualNetworkGateways", namesOf(ctx.opContext).gateway))
    .concat("/")
    .toLowerCase();
  const others = users.filter((id) => !id.toLowerCase().startsWith(removedGateway));
  if (others.length > 0) {
    return {
      status: "in-use",
      message: `GatewaySubnet of ${input.virtualNetworkName} still holds ${others.join(", ")} (live cloud); it is kept.`,
    };
  }
  if (users.length > 0) return { status: "deleting", message: "Waiting for this service's gateway to release the GatewaySubnet." };
  if (subnet.provisioningState === "Deleting") return { status: "deleting" };
  const started = await arm.beginDeleteSubnet(resourceGroup, input.virtualNetworkName, GATEWAY_SUBNET_NAME);
  return { status: started === "deleted" && ip.status === "deleted" ? "deleted" : "deleting" };
}
