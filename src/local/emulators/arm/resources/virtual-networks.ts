import { type Json, asObject, optArray, optObject, optString, optTags, reqLocation, reqObject } from "../body";
import { type Cidr, contains, overlaps, parseCidr } from "../cidr";
import { ArmError, badRequest, childNotFound } from "../errors";
import type { ArmNetwork, Reply, Scope } from "../network";
import { type ArmResource, key } from "../state";
import { type Ctx, TYPES, envelope, newResource, page, putReply, sameId } from "./common";

const GATEWAY_SUBNET = "GatewaySubnet";

/** Ids of the gateway IP configurations placed in a subnet (what ARM lists as the subnet's ipConfigurations). */
export function subnetUsers(net: ArmNetwork, subnetId: string): string[] {
  const users: string[] = [];
  for (const gw of net.list((r) => r.type === TYPES.virtualNetworkGateways)) {
    for (const ipc of (gw.properties.ipConfigurations as Json[] | undefined) ?? []) {
      const subnet = ipc.properties && (ipc.properties as Json).subnet;
      if (sameId((subnet as Json | undefined)?.id, subnetId)) users.push(ipc.id as string);
    }
  }
  return users;
}

export function renderSubnet(net: ArmNetwork, s: ArmResource): Json {
  const users = subnetUsers(net, s.id);
  const props: Json = { ...s.properties };
  if (users.length) props.ipConfigurations = users.map((id) => ({ id }));
  return { name: s.name, id: s.id, etag: s.etag, properties: props, type: s.type };
}

export function renderVirtualNetwork(net: ArmNetwork, v: ArmResource): Json {
  const subnets = net.childrenOf(v.id, TYPES.subnets).map((s) => renderSubnet(net, s));
  return envelope(v, { ...v.properties, subnets, virtualNetworkPeerings: [] });
}

function parsePrefixes(prefixes: unknown[], field: string): Cidr[] {
  return prefixes.map((p, i) => {
    const c = typeof p === "string" ? parseCidr(p) : undefined;
    if (!c) throw badRequest("InvalidAddressPrefixFormat", `Address prefix ${String(p)} (${field}[${i}]) has an invalid format.`);
    return c;
  });
}

function addressSpaceOf(v: ArmResource): Cidr[] {
  const prefixes = ((v.properties.addressSpace as Json).addressPrefixes as string[]) ?? [];
  return prefixes.map((p) => parseCidr(p)).filter((c): c is Cidr => c !== undefined);
}

/** Validates a subnet against its VNet's address space and sibling subnets. */
function checkSubnet(net: ArmNetwork, vnet: ArmResource, name: string, prefix: string, field: string): void {
  const c = parsePrefixes([prefix], field)[0] as Cidr;
  if (!addressSpaceOf(vnet).some((space) => contains(space, c))) {
    throw badRequest(
      "NetcfgSubnetRangeOutsideVnet",
      `Subnet '${name}' is not valid because its IP address range is outside the IP address range of virtual network '${vnet.name}'.`,
    );
  }
  for (const sibling of net.childrenOf(vnet.id, TYPES.subnets)) {
    if (sibling.name.toLowerCase() === name.toLowerCase()) continue;
    const other = parseCidr(String(sibling.properties.addressPrefix));
    if (other && overlaps(other, c)) {
      throw badRequest(
        "NetcfgSubnetRangesOverlap",
        `Subnet '${name}' is not valid because its IP address range overlaps with that of an existing subnet '${sibling.name}' in virtual network '${vnet.name}'.`,
      );
    }
  }
}

function assertSubnetRemovable(net: ArmNetwork, subnet: ArmResource): void {
  const users = subnetUsers(net, subnet.id);
  if (users.length) {
    throw badRequest(
      "InUseSubnetCannotBeDeleted",
      `Subnet ${subnet.name} is in use by ${users.join(", ")} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
    );
  }
}

/** Upserts a subnet without an operation (part of a VNet PUT or a seed); the VNet's operation covers it. */
function writeSubnet(net: ArmNetwork, vnet: ArmResource, name: string, prefix: string, state: string): ArmResource {
  const id = `${vnet.id}/subnets/${name}`;
  const existing = net.get(id);
  if (existing && existing.properties.addressPrefix !== prefix && subnetUsers(net, id).length) {
    throw badRequest("InUseSubnetCannotBeUpdated", `Subnet ${name} is in use and its address prefix cannot be changed.`);
  }
  const s = existing ?? newResource(id, TYPES.subnets, name, undefined, {});
  delete s.properties.resourceGuid;
  s.properties.addressPrefix = prefix;
  s.properties.provisioningState = state;
  return net.put(s);
}

export function putVirtualNetwork(ctx: Ctx): Reply {
  const { net, scope, body } = ctx;
  const [name] = ctx.names as [string];
  const id = net.resourceId(scope, "virtualNetworks", name);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  const props = reqObject(body, "properties", "properties");
  const space = reqObject(props, "addressSpace", "properties.addressSpace");
  const prefixes = optArray(space, "addressPrefixes", "properties.addressSpace.addressPrefixes") ?? [];
  if (!prefixes.length)
    throw badRequest("InvalidRequestFormat", "Cannot parse the request. Property 'properties.addressSpace.addressPrefixes' is required.");
  const spaces = parsePrefixes(prefixes, "properties.addressSpace.addressPrefixes");
  const subnets = optArray(props, "subnets", "properties.subnets")?.map((s, i) => {
    const o = asObject(s, `properties.subnets[${i}]`);
    const sp = optObject(o, "properties", `properties.subnets[${i}].properties`) ?? {};
    const subnetName = optString(o, "name", `properties.subnets[${i}].name`);
    const prefix = optString(sp, "addressPrefix", `properties.subnets[${i}].properties.addressPrefix`);
    if (!subnetName || !prefix)
      throw badRequest(
        "InvalidRequestFormat",
        `Cannot parse the request. Property 'properties.subnets[${i}]' needs name and properties.addressPrefix.`,
      );
    return { name: subnetName, prefix };
  });

  const v = existing ?? newResource(id, TYPES.virtualNetworks, name, location, {});
  if (existing) checkNoInUseSubnetOutside(net, existing, spaces);
  v.tags = optTags(body);
  v.properties.addressSpace = { addressPrefixes: prefixes };
  if (subnets) {
    // A VNet PUT with a subnets list is authoritative for the subnets, as in ARM.
    for (const old of net.childrenOf(v.id, TYPES.subnets)) {
      if (!subnets.some((s) => s.name.toLowerCase() === old.name.toLowerCase())) {
        assertSubnetRemovable(net, old);
        net.removeTree(old.id);
      }
    }
    net.data.resources[key(v.id)] = v;
    for (const s of subnets) checkSubnet(net, v, s.name, s.prefix, "properties.subnets");
    for (const s of subnets) writeSubnet(net, v, s.name, s.prefix, "Updating");
  }
  const op = net.beginPut(v, net.durations.smallResource);
  return putReply(ctx, !existing, renderVirtualNetwork(net, v), op.id);
}

function checkNoInUseSubnetOutside(net: ArmNetwork, vnet: ArmResource, spaces: Cidr[]): void {
  for (const s of net.childrenOf(vnet.id, TYPES.subnets)) {
    const c = parseCidr(String(s.properties.addressPrefix));
    if (c && !spaces.some((space) => contains(space, c))) {
      throw badRequest(
        "NetcfgSubnetRangeOutsideVnet",
        `Subnet '${s.name}' would be outside the new address space of virtual network '${vnet.name}'.`,
      );
    }
  }
}

export function getVirtualNetwork(ctx: Ctx): Reply {
  return { status: 200, body: renderVirtualNetwork(ctx.net, ctx.net.require(ctx.scope, "virtualNetworks", ctx.names[0] as string)) };
}

export function listVirtualNetworks(ctx: Ctx, inGroup: boolean): Reply {
  const rgPrefix = `/subscriptions/${ctx.scope.subscriptionId}/resourcegroups/${ctx.scope.resourceGroup}/`.toLowerCase();
  const subPrefix = `/subscriptions/${ctx.scope.subscriptionId}/`.toLowerCase();
  const items = ctx.net.list((r) => r.type === TYPES.virtualNetworks && key(r.id).startsWith(inGroup ? rgPrefix : subPrefix));
  return page(
    ctx,
    items.map((v) => renderVirtualNetwork(ctx.net, v)),
  );
}

export function deleteVirtualNetwork(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const v = net.get(net.resourceId(scope, "virtualNetworks", ctx.names[0] as string));
  if (!v) return { status: 204 };
  net.checkPreconditions(v, ctx.ifMatch, undefined);
  for (const s of net.childrenOf(v.id, TYPES.subnets)) assertSubnetRemovable(net, s);
  const op = net.beginDelete(v, net.durations.smallResource);
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "both") };
}

function requireSubnet(ctx: Ctx): { vnet: ArmResource; subnet: ArmResource | undefined; id: string } {
  const vnet = ctx.net.require(ctx.scope, "virtualNetworks", ctx.names[0] as string);
  const id = `${vnet.id}/subnets/${ctx.names[1] as string}`;
  return { vnet, subnet: ctx.net.get(id), id };
}

export function putSubnet(ctx: Ctx): Reply {
  const { net } = ctx;
  const { vnet, subnet: existing } = requireSubnet(ctx);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  if (vnet.properties.provisioningState === "Deleting")
    throw new ArmError(409, "AnotherOperationInProgress", `Virtual network ${vnet.name} is being deleted.`);
  const props = reqObject(ctx.body, "properties", "properties");
  const prefix =
    optString(props, "addressPrefix", "properties.addressPrefix") ??
    (optArray(props, "addressPrefixes", "properties.addressPrefixes")?.[0] as string | undefined);
  if (!prefix) throw badRequest("InvalidRequestFormat", "Cannot parse the request. Property 'properties.addressPrefix' is required.");
  const name = ctx.names[1] as string;
  checkSubnet(net, vnet, name, prefix, "properties.addressPrefix");
  const s = writeSubnet(net, vnet, name, prefix, "Updating");
  const op = net.beginPut(s, net.durations.smallResource);
  return putReply(ctx, !existing, renderSubnet(net, s), op.id);
}

export function getSubnet(ctx: Ctx): Reply {
  const { subnet, id } = requireSubnet(ctx);
  if (!subnet) throw childNotFound(id);
  return { status: 200, body: renderSubnet(ctx.net, subnet) };
}

export function listSubnets(ctx: Ctx): Reply {
  const { vnet } = requireSubnet({ ...ctx, names: [ctx.names[0] as string, ""] });
  return page(
    ctx,
    ctx.net.childrenOf(vnet.id, TYPES.subnets).map((s) => renderSubnet(ctx.net, s)),
  );
}

export function deleteSubnet(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const { subnet } = requireSubnet(ctx);
  if (!subnet) return { status: 204 };
  net.checkPreconditions(subnet, ctx.ifMatch, undefined);
  assertSubnetRemovable(net, subnet);
  const op = net.beginDelete(subnet, net.durations.smallResource);
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "both") };
}

export function isGatewaySubnet(subnetId: string): boolean {
  return subnetId.split("/").pop() === GATEWAY_SUBNET;
}

export interface VirtualNetworkSeed {
  name: string;
  location: string;
  addressPrefixes: string[];
  subnets?: { name: string; addressPrefix: string }[];
}

/** Creates a VNet directly in Succeeded state (seed data and the admin endpoint). */
export function seedVirtualNetwork(net: ArmNetwork, scope: Scope, seed: VirtualNetworkSeed): ArmResource {
  const id = net.resourceId(scope, "virtualNetworks", seed.name);
  parsePrefixes(seed.addressPrefixes, "addressPrefixes");
  if (net.get(id)) throw new ArmError(409, "Conflict", `Virtual network ${id} already exists.`);
  const v = newResource(id, TYPES.virtualNetworks, seed.name, seed.location, { addressSpace: { addressPrefixes: seed.addressPrefixes } });
  v.properties.provisioningState = "Succeeded";
  net.put(v);
  for (const s of seed.subnets ?? []) {
    checkSubnet(net, v, s.name, s.addressPrefix, "subnets");
    writeSubnet(net, v, s.name, s.addressPrefix, "Succeeded");
  }
  return v;
}
