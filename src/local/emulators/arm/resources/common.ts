import { randomUUID } from "node:crypto";
import type { Json } from "../body";
import type { ArmNetwork, Reply, Scope } from "../network";
import type { ArmResource } from "../state";
import type { FaultInjector } from "../../shared/faults";

/** What the router hands a resource handler. */
export interface Ctx {
  net: ArmNetwork;
  scope: Scope;
  /** Path names: [resourceName, childName?, devicePath?]. */
  names: string[];
  body: Json;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** $skiptoken of a list page. */
  skipToken?: string;
  /** The full request URL (for nextLink). */
  url: string;
  /** Faults that change what Azure does (a full port), beyond the generic errors the server injects. */
  faults?: FaultInjector;
}

export const TYPES = {
  virtualNetworks: "Microsoft.Network/virtualNetworks",
  subnets: "Microsoft.Network/virtualNetworks/subnets",
  publicIPAddresses: "Microsoft.Network/publicIPAddresses",
  virtualNetworkGateways: "Microsoft.Network/virtualNetworkGateways",
  expressRouteCircuits: "Microsoft.Network/expressRouteCircuits",
  peerings: "Microsoft.Network/expressRouteCircuits/peerings",
  connections: "Microsoft.Network/connections",
} as const;

/** The ARM resource envelope, property order as in Microsoft's examples. */
export function envelope(r: ArmResource, properties: Json = r.properties): Json {
  const out: Json = { name: r.name, id: r.id, etag: r.etag, type: r.type };
  if (r.location !== undefined) out.location = r.location;
  if (r.tags) out.tags = r.tags;
  if (r.sku) out.sku = r.sku;
  out.properties = properties;
  return out;
}

export function newResource(id: string, type: string, name: string, location: string | undefined, properties: Json): ArmResource {
  return { id, name, type, location, etag: "", properties: { provisioningState: "Updating", resourceGuid: randomUUID(), ...properties } };
}

const PAGE_SIZE = 50;

/** A list page: {value, nextLink}; the SDK's pager follows nextLink. */
export function page(ctx: Ctx, items: Json[]): Reply {
  const start = Number(ctx.skipToken ?? "0") || 0;
  const value = items.slice(start, start + PAGE_SIZE);
  const body: Json = { value };
  if (start + PAGE_SIZE < items.length) {
    const next = new URL(ctx.url);
    next.searchParams.set("$skiptoken", String(start + PAGE_SIZE));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}

/** The 201/200 answer of an asynchronous PUT. */
export function putReply(ctx: Ctx, created: boolean, body: Json, opId: string): Reply {
  const op = ctx.net.data.operations[opId];
  return { status: created ? 201 : 200, body, headers: op ? ctx.net.lroHeaders(ctx.scope.subscriptionId, op, "async") : {} };
}

export function sameId(a: unknown, b: string): boolean {
  return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

export function refId(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && typeof (value as Json).id === "string") return (value as Json).id as string;
  return undefined;
}

/** Last path segment of a resource id. */
export function nameOf(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}
