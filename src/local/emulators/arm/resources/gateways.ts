import {
  type Json,
  asObject,
  oneOf,
  optArray,
  optBoolean,
  optNumber,
  optObject,
  optString,
  optTags,
  reqLocation,
  reqObject,
  reqString,
} from "../body";
import { EXPRESS_ROUTE_GATEWAY_SKUS, VPN_GATEWAY_SKUS } from "../catalog";
import { badRequest, invalidReference } from "../errors";
import type { ArmNetwork, Reply } from "../network";
import { type ArmResource, key } from "../state";
import { type Ctx, TYPES, envelope, newResource, page, putReply, refId, sameId } from "./common";
import { publicIpUser } from "./public-ips";
import { isGatewaySubnet } from "./virtual-networks";

/** Connections that still use a gateway (anything not already gone). */
export function gatewayConnections(net: ArmNetwork, gatewayId: string): ArmResource[] {
  return net.list((r) => r.type === TYPES.connections && sameId(refId(r.properties.virtualNetworkGateway1), gatewayId));
}

function render(r: ArmResource): Json {
  return envelope(r);
}

interface IpConfigInput {
  name: string;
  subnetId: string;
  publicIpId?: string;
}

function readIpConfigs(props: Json): IpConfigInput[] {
  const list = optArray(props, "ipConfigurations", "properties.ipConfigurations") ?? [];
  if (!list.length)
    throw badRequest(
      "InvalidRequestFormat",
      "Cannot parse the request. Property 'properties.ipConfigurations' needs at least one IP configuration.",
    );
  return list.map((raw, i) => {
    const field = `properties.ipConfigurations[${i}]`;
    const o = asObject(raw, field);
    const p = reqObject(o, "properties", `${field}.properties`);
    const subnetId = reqString(reqObject(p, "subnet", `${field}.properties.subnet`), "id", `${field}.properties.subnet.id`);
    const pip = optObject(p, "publicIPAddress", `${field}.properties.publicIPAddress`);
    return {
      name: optString(o, "name", `${field}.name`) ?? `ipconfig${i + 1}`,
      subnetId,
      publicIpId: pip ? reqString(pip, "id", `${field}.properties.publicIPAddress.id`) : undefined,
    };
  });
}

export function vnetIdOf(subnetId: string): string {
  return subnetId.replace(/\/subnets\/[^/]+$/i, "");
}

/** ARM compares regions by name, whatever the spelling: "East US" is "eastus". */
function sameRegion(a: string | undefined, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, "");
  return a !== undefined && norm(a) === norm(b);
}

/** A VNet holds at most one gateway of each type (ExpressRoute and VPN may coexist in the GatewaySubnet). */
function gatewayOfTypeInVnet(net: ArmNetwork, vnetId: string, gatewayType: string, exceptId: string): ArmResource | undefined {
  return net
    .list((r) => r.type === TYPES.virtualNetworkGateways && !sameId(r.id, exceptId) && r.properties.gatewayType === gatewayType)
    .find((gw) =>
      ((gw.properties.ipConfigurations as Json[] | undefined) ?? []).some((c) =>
        sameId(vnetIdOf(String(((c.properties as Json).subnet as Json).id)), vnetId),
      ),
    );
}

export function putGateway(ctx: Ctx): Reply {
  const { net, scope, body } = ctx;
  const name = ctx.names[0] as string;
  const id = net.resourceId(scope, "virtualNetworkGateways", name);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  const props = reqObject(body, "properties", "properties");
  const gatewayType = oneOf(
    reqString(props, "gatewayType", "properties.gatewayType"),
    ["ExpressRoute", "Vpn"] as const,
    "properties.gatewayType",
  );
  const sku = reqObject(props, "sku", "properties.sku");
  const skuName = oneOf(
    reqString(sku, "name", "properties.sku.name"),
    gatewayType === "ExpressRoute" ? EXPRESS_ROUTE_GATEWAY_SKUS : VPN_GATEWAY_SKUS,
    "properties.sku.name",
  );
  const autoScale = optObject(props, "autoScaleConfiguration", "properties.autoScaleConfiguration");
  const bounds = autoScale ? optObject(autoScale, "bounds", "properties.autoScaleConfiguration.bounds") : undefined;
  const minScaleUnits = bounds ? optNumber(bounds, "min", "properties.autoScaleConfiguration.bounds.min") : undefined;
  const ipConfigs = readIpConfigs(props);

  for (const ipc of ipConfigs) {
    if (!net.get(ipc.subnetId)) throw invalidReference(ipc.subnetId, id);
    // ARM resolves references within the gateway's region: a VNet elsewhere is "not found" to it.
    const vnet = net.get(vnetIdOf(ipc.subnetId));
    if (!vnet || !sameRegion(vnet.location, location)) throw invalidReference(ipc.subnetId, id);
    if (!isGatewaySubnet(ipc.subnetId)) {
      throw badRequest(
        "InvalidGatewaySubnet",
        `Subnet ${ipc.subnetId} referenced by virtual network gateway ${id} cannot be used: a gateway can only be placed in the subnet named 'GatewaySubnet'.`,
      );
    }
    if (ipc.publicIpId) {
      const pip = net.get(ipc.publicIpId);
      if (!pip || !sameRegion(pip.location, location)) throw invalidReference(ipc.publicIpId, id);
      const user = publicIpUser(net, pip.id);
      if (user && !user.toLowerCase().startsWith(`${id.toLowerCase()}/`)) {
        throw badRequest("PublicIPAddressInUse", `Public IP address ${pip.id} is already used by ${user}.`);
      }
      if (!pip.properties.ipAddress) pip.properties.ipAddress = "20.10.0.250";
    }
  }
  const rival = gatewayOfTypeInVnet(net, vnetIdOf(ipConfigs[0]!.subnetId), gatewayType, id);
  if (rival) {
    throw badRequest(
      "VirtualNetworkGatewayOfSameTypeExists",
      `A virtual network can't be associated with more than one gateway of type ${gatewayType}: ${rival.id} already uses the GatewaySubnet of ${vnetIdOf(ipConfigs[0]!.subnetId)}.`,
    );
  }
  if (existing) {
    const before = ((existing.properties.ipConfigurations as Json[]) ?? []).map(
      (c) => ((c.properties as Json).subnet as Json).id as string,
    );
    if (!ipConfigs.every((c, i) => sameId(before[i], c.subnetId))) {
      throw badRequest(
        "PropertyChangeNotAllowed",
        `Changing property 'ipConfigurations.subnet' of virtual network gateway ${id} is not allowed.`,
      );
    }
  }

  const r = existing ?? newResource(id, TYPES.virtualNetworkGateways, name, location, {});
  r.tags = optTags(body);
  Object.assign(r.properties, {
    ipConfigurations: ipConfigs.map((c) => ({
      name: c.name,
      id: `${id}/ipConfigurations/${c.name}`,
      etag: r.etag,
      properties: {
        provisioningState: "Succeeded",
        privateIPAllocationMethod: "Dynamic",
        ...(c.publicIpId ? { publicIPAddress: { id: c.publicIpId } } : {}),
        subnet: { id: c.subnetId },
      },
    })),
    sku: { name: skuName, tier: skuName, capacity: minScaleUnits ?? 2 },
    gatewayType,
    ...(gatewayType === "Vpn" ? { vpnType: optString(props, "vpnType", "properties.vpnType") ?? "RouteBased" } : {}),
    enableBgp: optBoolean(props, "enableBgp", "properties.enableBgp") ?? false,
    activeActive: optBoolean(props, "activeActive", "properties.activeActive") ?? false,
    allowRemoteVnetTraffic: optBoolean(props, "allowRemoteVnetTraffic", "properties.allowRemoteVnetTraffic") ?? false,
    allowVirtualWanTraffic: optBoolean(props, "allowVirtualWanTraffic", "properties.allowVirtualWanTraffic") ?? false,
    ...(autoScale ? { autoScaleConfiguration: autoScale } : {}),
  });
  const op = net.beginPut(r, existing ? net.durations.gatewayUpdate : net.durations.gatewayCreate);
  return putReply(ctx, !existing, render(r), op.id);
}

export function getGateway(ctx: Ctx): Reply {
  return { status: 200, body: render(ctx.net.require(ctx.scope, "virtualNetworkGateways", ctx.names[0] as string)) };
}

export function listGateways(ctx: Ctx): Reply {
  const prefix = `/subscriptions/${ctx.scope.subscriptionId}/resourcegroups/${ctx.scope.resourceGroup}/`.toLowerCase();
  return page(ctx, ctx.net.list((r) => r.type === TYPES.virtualNetworkGateways && key(r.id).startsWith(prefix)).map(render));
}

export function deleteGateway(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const r = net.get(net.resourceId(scope, "virtualNetworkGateways", ctx.names[0] as string));
  if (!r) return { status: 204 };
  net.checkPreconditions(r, ctx.ifMatch, undefined);
  const connections = gatewayConnections(net, r.id);
  if (connections.length) {
    throw badRequest(
      "InUseVirtualNetworkGatewayCannotBeDeleted",
      `Virtual network gateway ${r.id} cannot be deleted because it is used by connection(s) ${connections.map((c) => c.id).join(", ")}. Delete the connections first.`,
    );
  }
  const op = net.beginDelete(r, net.durations.gatewayDelete);
  // VirtualNetworkGatewayDelete.json answers with Azure-AsyncOperation; swagger says final-state-via location: send both.
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "both") };
}
