import { type Json, oneOf, optObject, optString, optTags, reqLocation } from "../body";
import { ipToString } from "../cidr";
import { badRequest } from "../errors";
import type { ArmNetwork, Reply } from "../network";
import { type ArmResource, key } from "../state";
import { type Ctx, TYPES, envelope, newResource, page, putReply, sameId } from "./common";

/** The gateway IP configuration that holds this public IP, if any. */
export function publicIpUser(net: ArmNetwork, publicIpId: string): string | undefined {
  for (const gw of net.list((r) => r.type === TYPES.virtualNetworkGateways)) {
    for (const ipc of (gw.properties.ipConfigurations as Json[] | undefined) ?? []) {
      const pip = (ipc.properties as Json | undefined)?.publicIPAddress as Json | undefined;
      if (sameId(pip?.id, publicIpId)) return ipc.id as string;
    }
  }
  return undefined;
}

function render(net: ArmNetwork, r: ArmResource): Json {
  const user = publicIpUser(net, r.id);
  return envelope(r, user ? { ...r.properties, ipConfiguration: { id: user } } : r.properties);
}

/** Deterministic documentation-range-like addresses from 20.0.0.0/8 so test output is stable. */
function nextAddress(net: ArmNetwork): string {
  const used = net.list((r) => r.type === TYPES.publicIPAddresses).length;
  return ipToString(20 * 2 ** 24 + 0x0a0000 + used + 4);
}

export function putPublicIp(ctx: Ctx): Reply {
  const { net, scope, body } = ctx;
  const name = ctx.names[0] as string;
  const id = net.resourceId(scope, "publicIPAddresses", name);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  const sku = optObject(body, "sku", "sku");
  const skuName = oneOf(optString(sku ?? {}, "name", "sku.name") ?? "Standard", ["Basic", "Standard"] as const, "sku.name");
  const props = optObject(body, "properties", "properties") ?? {};
  const method = oneOf(
    optString(props, "publicIPAllocationMethod", "properties.publicIPAllocationMethod") ?? (skuName === "Standard" ? "Static" : "Dynamic"),
    ["Static", "Dynamic"] as const,
    "properties.publicIPAllocationMethod",
  );
  if (skuName === "Standard" && method !== "Static") {
    throw badRequest("StandardSkuPublicIPAddressesMustBeStatic", `Standard sku publicIp ${id} must have AllocationMethod set to Static.`);
  }
  const r = existing ?? newResource(id, TYPES.publicIPAddresses, name, location, {});
  r.tags = optTags(body);
  r.sku = { name: skuName, tier: "Regional" };
  Object.assign(r.properties, {
    publicIPAddressVersion: "IPv4",
    publicIPAllocationMethod: method,
    idleTimeoutInMinutes: 4,
  });
  if (method === "Static" && !r.properties.ipAddress) r.properties.ipAddress = nextAddress(net);
  const op = net.beginPut(r, net.durations.smallResource);
  return putReply(ctx, !existing, render(net, r), op.id);
}

export function getPublicIp(ctx: Ctx): Reply {
  return { status: 200, body: render(ctx.net, ctx.net.require(ctx.scope, "publicIPAddresses", ctx.names[0] as string)) };
}

export function listPublicIps(ctx: Ctx): Reply {
  const prefix = `/subscriptions/${ctx.scope.subscriptionId}/resourcegroups/${ctx.scope.resourceGroup}/`.toLowerCase();
  return page(
    ctx,
    ctx.net.list((r) => r.type === TYPES.publicIPAddresses && key(r.id).startsWith(prefix)).map((r) => render(ctx.net, r)),
  );
}

export function deletePublicIp(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const r = net.get(net.resourceId(scope, "publicIPAddresses", ctx.names[0] as string));
  if (!r) return { status: 204 };
  net.checkPreconditions(r, ctx.ifMatch, undefined);
  const user = publicIpUser(net, r.id);
  if (user) {
    throw badRequest(
      "PublicIPAddressCannotBeDeleted",
      `Public IP address ${r.id} can not be deleted since it is still allocated to resource ${user}.`,
    );
  }
  const op = net.beginDelete(r, net.durations.smallResource);
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "both") };
}
