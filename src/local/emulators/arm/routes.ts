import { ArmError } from "./errors";
import { API_VERSION, NETWORK, type Reply } from "./network";
import { SERVICE_PROVIDERS, offerName } from "./catalog";
import { type Ctx, page } from "./resources/common";
import * as circuits from "./resources/circuits";
import * as connections from "./resources/connections";
import * as gateways from "./resources/gateways";
import * as publicIps from "./resources/public-ips";
import * as tables from "./resources/tables";
import * as vnets from "./resources/virtual-networks";
import * as compute from "./resources/compute";
import * as watchers from "./resources/network-watchers";
import type { ProviderLink } from "../shared/provider-link";

/** ARM path segments are case-insensitive; these are the canonical spellings. */
const CANONICAL: Record<string, string> = Object.fromEntries(
  [
    "virtualNetworks",
    "subnets",
    "publicIPAddresses",
    "virtualNetworkGateways",
    "expressRouteCircuits",
    "peerings",
    "arpTables",
    "routeTables",
    "routeTablesSummary",
    "connections",
    "expressRouteServiceProviders",
    "locations",
    "operations",
    "operationResults",
    "networkWatchers",
    "connectionMonitors",
    "virtualMachines",
    "extensions",
  ].map((n) => [n.toLowerCase(), n]),
);

export const canonical = (segment: string | undefined): string => CANONICAL[(segment ?? "").toLowerCase()] ?? segment ?? "";

/** A parsed Microsoft.Network path. */
export interface ParsedPath {
  /** Microsoft.Network, or Microsoft.Compute (the probe's source VM). */
  provider: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** e.g. ["expressRouteCircuits", "peerings", "arpTables"] */
  types: string[];
  /** names that follow each type segment */
  names: string[];
}

export function parsePath(pathname: string): ParsedPath | undefined {
  const segs = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (segs[0]?.toLowerCase() !== "subscriptions" || !segs[1]) return undefined;
  let i = 2;
  let resourceGroup: string | undefined;
  if (segs[i]?.toLowerCase() === "resourcegroups") {
    resourceGroup = segs[i + 1];
    if (!resourceGroup) return undefined;
    i += 2;
  }
  const provider = [NETWORK, compute.COMPUTE].find((p) => p.toLowerCase() === segs[i + 1]?.toLowerCase());
  if (segs[i]?.toLowerCase() !== "providers" || provider === undefined) return undefined;
  i += 2;
  const types: string[] = [];
  const names: string[] = [];
  while (i < segs.length) {
    types.push(canonical(segs[i]));
    if (segs[i + 1] !== undefined) names.push(segs[i + 1] as string);
    i += 2;
  }
  return { provider, subscriptionId: segs[1], resourceGroup, types, names };
}

/** The fault-injection operation name, e.g. "PUT expressRouteCircuits", "POST arpTables". */
export function operationName(method: string, parsed: ParsedPath | undefined): string {
  return `${method} ${parsed?.types[parsed.types.length - 1] ?? "unknown"}`;
}

type Handler = (ctx: Ctx) => Reply;

/** method + type chain (+ whether the last name is present) → handler */
export function resolveHandler(method: string, parsed: ParsedPath, link: ProviderLink | undefined): Handler | undefined {
  const chain = `${parsed.provider === NETWORK ? "" : "compute:"}${parsed.types.join("/")}`;
  const item = parsed.names.length === parsed.types.length;
  const inGroup = parsed.resourceGroup !== undefined;
  const routes: Record<string, Partial<Record<string, Handler>>> = inGroup
    ? {
        "virtualNetworks:item": { PUT: vnets.putVirtualNetwork, GET: vnets.getVirtualNetwork, DELETE: vnets.deleteVirtualNetwork },
        "virtualNetworks:list": { GET: (c) => vnets.listVirtualNetworks(c, true) },
        "virtualNetworks/subnets:item": { PUT: vnets.putSubnet, GET: vnets.getSubnet, DELETE: vnets.deleteSubnet },
        "virtualNetworks/subnets:list": { GET: vnets.listSubnets },
        "publicIPAddresses:item": { PUT: publicIps.putPublicIp, GET: publicIps.getPublicIp, DELETE: publicIps.deletePublicIp },
        "publicIPAddresses:list": { GET: publicIps.listPublicIps },
        "virtualNetworkGateways:item": { PUT: gateways.putGateway, GET: gateways.getGateway, DELETE: gateways.deleteGateway },
        "virtualNetworkGateways:list": { GET: gateways.listGateways },
        "virtualNetworkGateways/connections:list": { GET: connections.listGatewayConnections },
        "expressRouteCircuits:item": {
          PUT: circuits.putCircuit,
          GET: circuits.getCircuit,
          DELETE: circuits.deleteCircuit,
          PATCH: circuits.patchCircuitTags,
        },
        "expressRouteCircuits:list": { GET: (c) => circuits.listCircuits(c, true) },
        "expressRouteCircuits/peerings:item": { PUT: circuits.putPeering, GET: circuits.getPeering, DELETE: circuits.deletePeering },
        "expressRouteCircuits/peerings:list": { GET: circuits.listPeerings },
        "expressRouteCircuits/peerings/arpTables:item": { POST: (c) => tables.listTable(c, "arpTables", link) },
        "expressRouteCircuits/peerings/routeTables:item": { POST: (c) => tables.listTable(c, "routeTables", link) },
        "expressRouteCircuits/peerings/routeTablesSummary:item": { POST: (c) => tables.listTable(c, "routeTablesSummary", link) },
        "connections:item": { PUT: connections.putConnection, GET: connections.getConnection, DELETE: connections.deleteConnection },
        "connections:list": { GET: connections.listConnections },
        "networkWatchers:item": { GET: watchers.getNetworkWatcher, DELETE: watchers.deleteNetworkWatcher },
        "networkWatchers/connectionMonitors:item": {
          PUT: watchers.putConnectionMonitor,
          GET: watchers.getConnectionMonitor,
          DELETE: watchers.deleteConnectionMonitor,
        },
        "networkWatchers/connectionMonitors:list": { GET: watchers.listConnectionMonitors },
        "compute:virtualMachines:item": { GET: compute.getVirtualMachine },
        "compute:virtualMachines/extensions:list": { GET: compute.listExtensions },
        "compute:virtualMachines/extensions:item": { GET: compute.getExtension },
      }
    : {
        "virtualNetworks:list": { GET: (c) => vnets.listVirtualNetworks(c, false) },
        "expressRouteCircuits:list": { GET: (c) => circuits.listCircuits(c, false) },
        "expressRouteServiceProviders:list": { GET: listServiceProviders },
        "networkWatchers:list": { GET: watchers.listNetworkWatchersInSubscription },
      };
  return routes[`${chain}:${item ? "item" : "list"}`]?.[method];
}

function listServiceProviders(ctx: Ctx): Reply {
  ctx.net.ensureSubscription(ctx.scope.subscriptionId);
  // The id shape (empty segments) is copied from ExpressRouteProviderList.json.
  return page(
    ctx,
    SERVICE_PROVIDERS.map((p) => ({
      name: p.name,
      type: `${NETWORK}/expressRouteServiceProviders`,
      id: `/subscriptions/${ctx.scope.subscriptionId}/resourceGroups//providers/${NETWORK}/expressRouteServiceProviders/`,
      properties: {
        bandwidthsOffered: p.bandwidthsOfferedMbps.map((mbps) => ({ offerName: offerName(mbps), valueInMbps: mbps })),
        peeringLocations: p.peeringLocations,
        provisioningState: "Succeeded",
      },
    })),
  );
}

export function unknownResourceType(parsed: ParsedPath | undefined, pathname: string): ArmError {
  const type = parsed?.types.join("/") || pathname;
  const provider = parsed?.provider ?? NETWORK;
  return new ArmError(
    404,
    "InvalidResourceType",
    `The resource type '${type}' could not be found in the namespace '${provider}' for api version '${provider === NETWORK ? API_VERSION : compute.COMPUTE_API_VERSION}'.`,
  );
}
