import {
  byTimeCreated,
  checkIfMatch,
  filterByQuery,
  ok,
  paginate,
  rememberCreate,
  replayCreate,
  requiredQuery,
  type ApiRequest,
  type ApiResponse,
} from "./api";
import { parseIpv4Cidr } from "./cidr";
import type { OciContext } from "./context";
import { invalidParameter, notFound, relatedNotFound } from "./errors";
import type { RouteRule, RouteTable, Vcn } from "./model";
import {
  asBody,
  definedTagsOf,
  freeformTagsOf,
  optionalDisplayName,
  optionalString,
  rejectUnknownFields,
  requiredString,
} from "./validate";

/** VCNs and their route tables: the seeded network the interconnect lands in. */
export function listVcns(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  const items = Object.values(ctx.state.vcns).sort(byTimeCreated);
  return paginate(req, filterByQuery<Vcn>(req, items, ["compartmentId", "displayName", "lifecycleState"]));
}

export function getVcn(ctx: OciContext, req: ApiRequest): ApiResponse {
  return ok(vcnOf(ctx, req.segments[1]!));
}

function vcnOf(ctx: OciContext, id: string): Vcn {
  const vcn = ctx.state.vcns[id];
  if (!vcn) throw notFound("vcn", id);
  return vcn;
}

export function listRouteTables(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  const items = Object.values(ctx.state.routeTables).sort(byTimeCreated);
  return paginate(req, filterByQuery<RouteTable>(req, items, ["compartmentId", "vcnId", "displayName", "lifecycleState"]));
}

/** CreateRouteTable: a VCN has its default table and any number made by hand (subnets pick one each). */
export function createRouteTable(ctx: OciContext, req: ApiRequest): ApiResponse {
  const replay = replayCreate(ctx, req, "createRouteTable", (id) => ctx.state.routeTables[id]);
  if (replay) return replay;
  const body = asBody(req.body, "createRouteTableDetails");
  rejectUnknownFields(
    body,
    ["compartmentId", "vcnId", "displayName", "routeRules", "freeformTags", "definedTags"],
    "createRouteTableDetails",
  );
  const compartmentId = requiredString(body, "compartmentId");
  if (!ctx.knowsCompartment(compartmentId)) throw relatedNotFound("compartmentId", compartmentId);
  const vcnId = requiredString(body, "vcnId");
  if (!ctx.state.vcns[vcnId]) throw relatedNotFound("vcnId", vcnId);
  const id = ctx.newId("routetable");
  const table: RouteTable = {
    id,
    compartmentId,
    vcnId,
    displayName: optionalDisplayName(body) ?? `routetable${ctx.nowIso().replace(/\D/g, "").slice(0, 14)}`,
    lifecycleState: "AVAILABLE",
    routeRules: [],
    timeCreated: ctx.nowIso(),
    freeformTags: freeformTagsOf(body) ?? {},
    definedTags: definedTagsOf(body) ?? {},
  };
  table.routeRules = body.routeRules === undefined ? [] : parseRouteRules(ctx, table, body.routeRules);
  ctx.state.routeTables[id] = table;
  rememberCreate(ctx, req, "createRouteTable", id);
  ctx.store.changed();
  return ok(table);
}

export function getRouteTable(ctx: OciContext, req: ApiRequest): ApiResponse {
  return ok(routeTableOf(ctx, req.segments[1]!));
}

function routeTableOf(ctx: OciContext, id: string): RouteTable {
  const table = ctx.state.routeTables[id];
  if (!table) throw notFound("routeTable", id);
  return table;
}

/** PUT replaces the whole rule list (callers merge: GET, add, PUT with if-match). */
export function updateRouteTable(ctx: OciContext, req: ApiRequest): ApiResponse {
  const table = routeTableOf(ctx, req.segments[1]!);
  checkIfMatch(req, table);
  const body = asBody(req.body, "updateRouteTableDetails");
  rejectUnknownFields(body, ["routeRules", "displayName", "freeformTags", "definedTags"], "updateRouteTableDetails");
  const displayName = optionalDisplayName(body);
  const freeformTags = freeformTagsOf(body);
  const definedTags = definedTagsOf(body);
  const routeRules = body.routeRules === undefined ? undefined : parseRouteRules(ctx, table, body.routeRules);
  if (displayName !== undefined) table.displayName = displayName;
  if (freeformTags !== undefined) table.freeformTags = freeformTags;
  if (definedTags !== undefined) table.definedTags = definedTags;
  if (routeRules !== undefined) table.routeRules = routeRules;
  ctx.store.changed();
  return ok(table);
}

function parseRouteRules(ctx: OciContext, table: RouteTable, value: unknown): RouteRule[] {
  if (!Array.isArray(value)) throw invalidParameter("routeRules", "must be an array");
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const path = `routeRules[${i}]`;
    const rule = asBody(raw, path);
    rejectUnknownFields(rule, ["destination", "destinationType", "cidrBlock", "networkEntityId", "description", "routeType"], path);
    // cidrBlock is the deprecated spelling of destination; OCI still accepts it.
    const destination =
      optionalString(rule, "destination", `${path}.destination`) ?? optionalString(rule, "cidrBlock", `${path}.cidrBlock`);
    if (!destination) throw invalidParameter(`${path}.destination`, "a destination CIDR block is required");
    const cidr = parseIpv4Cidr(destination);
    if (!cidr || cidr.network !== cidr.address) throw invalidParameter(`${path}.destination`, `${destination} is not an IPv4 CIDR block`);
    const destinationType = optionalString(rule, "destinationType", `${path}.destinationType`) ?? "CIDR_BLOCK";
    if (destinationType !== "CIDR_BLOCK") {
      throw invalidParameter(`${path}.destinationType`, "only CIDR_BLOCK is supported for route rules to a DRG");
    }
    const routeType = optionalString(rule, "routeType", `${path}.routeType`) ?? "STATIC";
    if (routeType !== "STATIC") throw invalidParameter(`${path}.routeType`, "LOCAL rules are managed by OCI");
    if (seen.has(destination)) throw invalidParameter(`${path}.destination`, `duplicate rule for ${destination}`);
    seen.add(destination);
    const networkEntityId = requiredString(rule, "networkEntityId", `${path}.networkEntityId`);
    checkRouteTarget(ctx, table, networkEntityId, `${path}.networkEntityId`);
    const description = optionalString(rule, "description", `${path}.description`);
    return {
      destination,
      destinationType: "CIDR_BLOCK",
      networkEntityId,
      routeType: "STATIC",
      ...(description === undefined ? {} : { description }),
    };
  });
}

/** A rule may target only a DRG that exists and is attached to the table's VCN (the only gateways emulated). */
function checkRouteTarget(ctx: OciContext, table: RouteTable, networkEntityId: string, path: string): void {
  const drg = ctx.state.drgs[networkEntityId];
  if (!drg || drg.resource.lifecycleState === "TERMINATING" || drg.resource.lifecycleState === "TERMINATED") {
    throw invalidParameter(path, `route target ${networkEntityId} does not exist`);
  }
  const attached = Object.values(ctx.state.drgAttachments).some(
    (a) =>
      a.resource.drgId === networkEntityId &&
      a.resource.vcnId === table.vcnId &&
      (a.resource.lifecycleState === "ATTACHING" || a.resource.lifecycleState === "ATTACHED"),
  );
  if (!attached) throw invalidParameter(path, `DRG ${networkEntityId} is not attached to VCN ${table.vcnId}`);
}
