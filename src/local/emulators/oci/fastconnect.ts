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
import { MICROSOFT_AZURE, PROVIDER_SERVICES, shapesOf, type ProviderService } from "./catalog";
import type { OciContext } from "./context";
import { incorrectState, invalidParameter, missingParameter, notFound, OciApiError, relatedNotFound } from "./errors";
import type { VirtualCircuit, VirtualCircuitRecord } from "./model";
import { parseCrossConnectMappings } from "./mappings";
import { ORACLE_BGP_ASN, startTermination } from "./provider";
import {
  asBody,
  definedTagsOf,
  freeformTagsOf,
  optionalBoolean,
  optionalDisplayName,
  optionalEnum,
  optionalString,
  rejectUnknownFields,
  requiredString,
  type Body,
} from "./validate";

/** FastConnect: the provider catalog and private virtual circuits through a partner. */
export function listProviderServices(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  return paginate(req, [...PROVIDER_SERVICES]);
}

export function getProviderService(_ctx: OciContext, req: ApiRequest): ApiResponse {
  return { status: 200, body: providerServiceOf(req.segments[1]!) };
}

function providerServiceOf(id: string): ProviderService {
  const service = PROVIDER_SERVICES.find((s) => s.id === id);
  if (!service) throw notFound("fastConnectProviderService", id);
  return service;
}

export function listBandwidthShapes(_ctx: OciContext, req: ApiRequest): ApiResponse {
  return paginate(req, shapesOf(providerServiceOf(req.segments[1]!).id));
}

/** "Use this operation to validate a provider service key. An invalid key returns a 404 error." */
export function getProviderServiceKey(ctx: OciContext, req: ApiRequest): ApiResponse {
  const service = providerServiceOf(req.segments[1]!);
  const key = req.segments[3]!;
  const circuit = service.providerName === MICROSOFT_AZURE ? azureCircuit(ctx, key) : undefined;
  if (!circuit) throw notFound("providerServiceKey", key);
  const shape = shapesOf(service.id).find((s) => s.bandwidthInMbps === circuit.bandwidthInMbps);
  return {
    status: 200,
    body: { name: key, peeringLocation: circuit.peeringLocation, ...(shape ? { bandwidthShapeName: shape.name } : {}) },
  };
}

function azureCircuit(ctx: OciContext, key: string) {
  try {
    return ctx.link.azure.describeCircuit(key);
  } catch {
    // No ARM emulator registered: no key was issued that this region could know of.
    return undefined;
  }
}

const CREATE_FIELDS = [
  "bandwidthShapeName",
  "compartmentId",
  "crossConnectMappings",
  "routingPolicy",
  "bgpAdminState",
  "isBfdEnabled",
  "isTransportMode",
  "customerBgpAsn",
  "customerAsn",
  "definedTags",
  "displayName",
  "freeformTags",
  "gatewayId",
  "providerName",
  "providerServiceId",
  "providerServiceKeyName",
  "providerServiceName",
  "publicPrefixes",
  "region",
  "type",
  "ipMtu",
  "providerRemoteRegion",
  "remoteAccountId",
  "trafficMode",
] as const;

const ROUTING_POLICIES = ["ORACLE_SERVICE_NETWORK", "REGIONAL", "MARKET_LEVEL", "GLOBAL"] as const;

export function createVirtualCircuit(ctx: OciContext, req: ApiRequest): ApiResponse {
  const replay = replayCreate(ctx, req, "createVirtualCircuit", (id) => ctx.state.virtualCircuits[id]?.resource);
  if (replay) return replay;
  const body = asBody(req.body, "createVirtualCircuitDetails");
  rejectUnknownFields(body, CREATE_FIELDS, "createVirtualCircuitDetails");
  for (const field of ["isTransportMode", "providerRemoteRegion", "remoteAccountId", "publicPrefixes"] as const) {
    if (body[field] !== undefined && body[field] !== null)
      throw invalidParameter(field, "is not supported for a private partner virtual circuit");
  }
  const compartmentId = requiredString(body, "compartmentId");
  if (!ctx.knowsCompartment(compartmentId)) throw relatedNotFound("compartmentId", compartmentId);
  const type = requiredString(body, "type");
  if (type !== "PRIVATE") throw invalidParameter("type", "only PRIVATE virtual circuits are supported by this region's partners");
  const service = serviceFromBody(body);
  if (!service.supportedVirtualCircuitTypes.includes("PRIVATE")) {
    throw invalidParameter("type", `${service.providerName} does not support PRIVATE virtual circuits`);
  }
  const bandwidthShapeName = shapeFromBody(body, service);
  const gatewayId = gatewayFromBody(ctx, body);
  const providerServiceKeyName = optionalString(body, "providerServiceKeyName");
  if (service.providerServiceKeyManagement === "CUSTOMER_MANAGED" && !providerServiceKeyName) {
    throw missingParameter("providerServiceKeyName");
  }
  if (service.customerAsnManagement === "ORACLE_MANAGED") {
    for (const field of ["customerAsn", "customerBgpAsn"] as const) {
      if (body[field] !== undefined && body[field] !== null)
        throw invalidParameter(field, `is set by the provider for ${service.providerName}`);
    }
  }
  const region = optionalString(body, "region");
  if (region !== undefined && region !== ctx.region) throw invalidParameter("region", `this endpoint serves ${ctx.region}`);
  const crossConnectMappings = parseCrossConnectMappings(body.crossConnectMappings, service.providerName === MICROSOFT_AZURE ? 2 : 1);

  const id = ctx.newId("virtualcircuit");
  const vc: VirtualCircuit = {
    id,
    compartmentId,
    displayName: optionalDisplayName(body) ?? `virtualcircuit${ctx.nowIso().replace(/\D/g, "").slice(0, 14)}`,
    type: "PRIVATE",
    bandwidthShapeName,
    bgpManagement: "CUSTOMER_MANAGED",
    bgpSessionState: "DOWN",
    bgpAdminState: optionalEnum(body, "bgpAdminState", ["ENABLED", "DISABLED"] as const) ?? "ENABLED",
    crossConnectMappings,
    gatewayId,
    isBfdEnabled: optionalBoolean(body, "isBfdEnabled") ?? false,
    ipMtu: optionalEnum(body, "ipMtu", ["MTU_1500", "MTU_9000"] as const) ?? "MTU_1500",
    lifecycleState: "PENDING_PROVIDER",
    oracleBgpAsn: ORACLE_BGP_ASN,
    providerName: service.providerName,
    providerServiceId: service.id,
    ...(providerServiceKeyName === undefined ? {} : { providerServiceKeyName }),
    providerServiceName: service.providerServiceName,
    providerState: "INACTIVE",
    region: ctx.region,
    routingPolicy: routingPolicyOf(body),
    serviceType: service.type,
    trafficMode: optionalEnum(body, "trafficMode", ["NORMAL", "DRAIN"] as const) ?? "NORMAL",
    timeCreated: ctx.nowIso(),
    freeformTags: freeformTagsOf(body) ?? {},
    definedTags: definedTagsOf(body) ?? {},
  };
  ctx.state.virtualCircuits[id] = {
    resource: vc,
    dueAt: ctx.now() + ctx.durations.providerPickup,
    providerEngaged: false,
    azureProvisioned: false,
  };
  rememberCreate(ctx, req, "createVirtualCircuit", id);
  ctx.store.changed();
  return ok(vc);
}

/** providerServiceId is current; providerName + providerServiceName are the deprecated way to name it. */
function serviceFromBody(body: Body): ProviderService {
  const id = optionalString(body, "providerServiceId");
  if (id) {
    const service = PROVIDER_SERVICES.find((s) => s.id === id);
    if (!service) throw relatedNotFound("providerServiceId", id);
    return service;
  }
  const name = optionalString(body, "providerName");
  if (!name) throw missingParameter("providerServiceId");
  const serviceName = optionalString(body, "providerServiceName");
  const service = PROVIDER_SERVICES.find(
    (s) => s.providerName === name && (serviceName === undefined || s.providerServiceName === serviceName),
  );
  if (!service) throw invalidParameter("providerName", `no FastConnect provider service ${name} ${serviceName ?? ""}`.trim());
  return service;
}

function shapeFromBody(body: Body, service: ProviderService): string {
  const name = requiredString(body, "bandwidthShapeName");
  const shapes = shapesOf(service.id);
  if (!shapes.some((s) => s.name === name)) {
    throw invalidParameter("bandwidthShapeName", `must be one of ${shapes.map((s) => s.name).join(", ")} for ${service.providerName}`);
  }
  return name;
}

function gatewayFromBody(ctx: OciContext, body: Body): string {
  const gatewayId = requiredString(body, "gatewayId");
  const drg = ctx.state.drgs[gatewayId];
  if (!drg || drg.resource.lifecycleState === "TERMINATING" || drg.resource.lifecycleState === "TERMINATED") {
    throw relatedNotFound("gatewayId", gatewayId);
  }
  return gatewayId;
}

function routingPolicyOf(body: Body): string[] {
  const v = body.routingPolicy;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalidParameter("routingPolicy", "must be an array");
  return v.map((p, i) => {
    if (!ROUTING_POLICIES.includes(p as (typeof ROUTING_POLICIES)[number])) {
      throw invalidParameter(`routingPolicy[${i}]`, `must be one of ${ROUTING_POLICIES.join(", ")}`);
    }
    return p as string;
  });
}

export function getVirtualCircuit(ctx: OciContext, req: ApiRequest): ApiResponse {
  return ok(virtualCircuitOf(ctx, req.segments[1]!).resource);
}

function virtualCircuitOf(ctx: OciContext, id: string): VirtualCircuitRecord {
  const rec = ctx.state.virtualCircuits[id];
  if (!rec) throw notFound("virtualCircuit", id);
  return rec;
}

export function listVirtualCircuits(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  const items = Object.values(ctx.state.virtualCircuits)
    .map((r) => r.resource)
    .sort(byTimeCreated);
  return paginate(req, filterByQuery<VirtualCircuit>(req, items, ["compartmentId", "displayName", "lifecycleState"]));
}

const UPDATE_FIELDS = [
  "bandwidthShapeName",
  "crossConnectMappings",
  "routingPolicy",
  "bgpAdminState",
  "isBfdEnabled",
  "isTransportMode",
  "customerBgpAsn",
  "customerAsn",
  "definedTags",
  "displayName",
  "freeformTags",
  "trafficMode",
  "gatewayId",
  "providerState",
  "providerServiceKeyName",
  "referenceComment",
  "ipMtu",
] as const;

export function updateVirtualCircuit(ctx: OciContext, req: ApiRequest): ApiResponse {
  const rec = virtualCircuitOf(ctx, req.segments[1]!);
  const vc = rec.resource;
  checkIfMatch(req, vc);
  if (vc.lifecycleState === "TERMINATING" || vc.lifecycleState === "TERMINATED") {
    throw incorrectState(`virtual circuit ${vc.id} is ${vc.lifecycleState}`);
  }
  const body = asBody(req.body, "updateVirtualCircuitDetails");
  rejectUnknownFields(body, UPDATE_FIELDS, "updateVirtualCircuitDetails");
  for (const field of ["providerState", "referenceComment"] as const) {
    if (body[field] !== undefined) throw new OciApiError(403, "NotAuthorized", `${field}: can be updated only by the provider`);
  }
  for (const field of ["customerAsn", "customerBgpAsn", "isTransportMode"] as const) {
    if (body[field] !== undefined) throw invalidParameter(field, `is not customer-updatable for ${vc.providerName}`);
  }
  const service = providerServiceOf(vc.providerServiceId);
  const displayName = optionalDisplayName(body);
  const freeformTags = freeformTagsOf(body);
  const definedTags = definedTagsOf(body);
  const bgpAdminState = optionalEnum(body, "bgpAdminState", ["ENABLED", "DISABLED"] as const);
  const isBfdEnabled = optionalBoolean(body, "isBfdEnabled");
  const ipMtu = optionalEnum(body, "ipMtu", ["MTU_1500", "MTU_9000"] as const);
  const trafficMode = optionalEnum(body, "trafficMode", ["NORMAL", "DRAIN"] as const);
  const routingPolicy = body.routingPolicy === undefined ? undefined : routingPolicyOf(body);
  const bandwidthShapeName = body.bandwidthShapeName === undefined ? undefined : shapeFromBody(body, service);
  const gatewayId = body.gatewayId === undefined ? undefined : gatewayFromBody(ctx, body);
  const key = optionalString(body, "providerServiceKeyName");
  const mappings =
    body.crossConnectMappings === undefined
      ? undefined
      : parseCrossConnectMappings(body.crossConnectMappings, service.providerName === MICROSOFT_AZURE ? 2 : 1);
  // A bandwidth change of a provisioned virtual circuit follows the ExpressRoute circuit (checked below).
  const resize = bandwidthShapeName !== undefined && bandwidthShapeName !== vc.bandwidthShapeName && rec.providerEngaged;
  const providerFacing = key !== undefined || mappings !== undefined || (bandwidthShapeName !== undefined && !resize);
  if (providerFacing && rec.providerEngaged) {
    throw invalidParameter(
      key !== undefined ? "providerServiceKeyName" : mappings !== undefined ? "crossConnectMappings" : "bandwidthShapeName",
      "cannot change while the provider has the virtual circuit provisioned; delete and recreate it",
    );
  }
  if (resize) assertResize(ctx, rec, bandwidthShapeName);

  if (displayName !== undefined) vc.displayName = displayName;
  if (freeformTags !== undefined) vc.freeformTags = freeformTags;
  if (definedTags !== undefined) vc.definedTags = definedTags;
  if (bgpAdminState !== undefined) vc.bgpAdminState = bgpAdminState;
  if (isBfdEnabled !== undefined) vc.isBfdEnabled = isBfdEnabled;
  if (ipMtu !== undefined) vc.ipMtu = ipMtu;
  if (trafficMode !== undefined) vc.trafficMode = trafficMode;
  if (routingPolicy !== undefined) vc.routingPolicy = routingPolicy;
  if (bandwidthShapeName !== undefined) vc.bandwidthShapeName = bandwidthShapeName;
  if (resize) {
    // The partner applies the new shape; BGP re-establishes afterwards (fastconnectprovider.md: "might cause
    // the related BGP session to go down"). Azure already knows the bandwidth: nothing is told to it again.
    vc.lifecycleState = "PROVISIONING";
    vc.bgpSessionState = "DOWN";
    rec.bgpUpAt = undefined;
    rec.dueAt = ctx.now() + ctx.durations.bandwidthChange;
  }
  if (key !== undefined) vc.providerServiceKeyName = key;
  if (mappings !== undefined) vc.crossConnectMappings = mappings;
  if (providerFacing && vc.lifecycleState === "FAILED") {
    // Corrected inputs go back to the provider for another attempt.
    vc.lifecycleState = "PENDING_PROVIDER";
    delete vc.referenceComment;
    rec.dueAt = ctx.now() + ctx.durations.providerPickup;
  }
  if (gatewayId !== undefined && gatewayId !== vc.gatewayId) {
    vc.gatewayId = gatewayId;
    // Oracle: moving a provisioned virtual circuit to another DRG re-provisions it (the connection may drop).
    if (vc.lifecycleState === "PROVISIONED") {
      vc.lifecycleState = "PROVISIONING";
      vc.bgpSessionState = "DOWN";
      rec.bgpUpAt = undefined;
      rec.dueAt = ctx.now() + ctx.durations.providerProvisioning;
    }
  }
  ctx.store.changed();
  return ok(vc);
}

/**
 * An increase only, to the bandwidth the ExpressRoute circuit behind the key already has: Oracle's shape
 * follows Microsoft's circuit ("The bandwidth for the connection is the bandwidth value you choose for the
 * ExpressRoute circuit", OCI-AZ), so the circuit is increased first.
 */
function assertResize(ctx: OciContext, rec: VirtualCircuitRecord, shapeName: string): void {
  const vc = rec.resource;
  if (vc.lifecycleState !== "PROVISIONED") throw incorrectState(`virtual circuit ${vc.id} is ${vc.lifecycleState}, not PROVISIONED`);
  const shapes = shapesOf(vc.providerServiceId);
  const from = shapes.find((s) => s.name === vc.bandwidthShapeName)?.bandwidthInMbps ?? 0;
  const to = shapes.find((s) => s.name === shapeName)?.bandwidthInMbps ?? 0;
  if (to < from) throw invalidParameter("bandwidthShapeName", `cannot be decreased (from ${vc.bandwidthShapeName} to ${shapeName})`);
  const circuit = azureCircuit(ctx, vc.providerServiceKeyName ?? "");
  if (circuit && circuit.bandwidthInMbps !== to) {
    throw invalidParameter(
      "bandwidthShapeName",
      `${shapeName} does not match the ExpressRoute circuit's bandwidth of ${circuit.bandwidthInMbps} Mbps; change the circuit first`,
    );
  }
}

export function deleteVirtualCircuit(ctx: OciContext, req: ApiRequest): ApiResponse {
  const rec = virtualCircuitOf(ctx, req.segments[1]!);
  const vc = rec.resource;
  checkIfMatch(req, vc);
  if (vc.lifecycleState === "TERMINATING" || vc.lifecycleState === "TERMINATED") return { status: 204 };
  startTermination(ctx, rec);
  ctx.store.changed();
  return { status: 204 };
}
