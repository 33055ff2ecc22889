import { randomInt, randomUUID } from "node:crypto";
import { type Json, oneOf, optBoolean, optObject, optString, optTags, reqLocation, reqObject, reqString, optNumber } from "../body";
import { SERVICE_PROVIDERS } from "../catalog";
import { ArmError, badRequest } from "../errors";
import type { ArmNetwork, Reply } from "../network";
import { type ArmResource, key } from "../state";
import { type Ctx, TYPES, envelope, newResource, page, putReply, refId, sameId } from "./common";

export const PRIVATE_PEERING = "AzurePrivatePeering";

/** Connections that link this circuit and are not themselves failed. */
export function linkingConnections(net: ArmNetwork, circuitId: string): ArmResource[] {
  return net.list(
    (r) => r.type === TYPES.connections && sameId(refId(r.properties.peer), circuitId) && r.properties.provisioningState !== "Failed",
  );
}

export function renderPeering(p: ArmResource): Json {
  return { name: p.name, id: p.id, etag: p.etag, properties: p.properties, type: p.type };
}

export function renderCircuit(net: ArmNetwork, c: ArmResource): Json {
  const peerings = net.childrenOf(c.id, TYPES.peerings).map(renderPeering);
  const { serviceKey, ...rest } = c.properties;
  // Property order as in ExpressRouteCircuitGet.json.
  return envelope(c, { provisioningState: rest.provisioningState, peerings, authorizations: [], ...rest, serviceKey });
}

interface CircuitInput {
  sku: { name: string; tier: string; family: string };
  provider: string;
  peeringLocation: string;
  bandwidthInMbps: number;
}

function readCircuit(body: Json): CircuitInput {
  const sku = reqObject(body, "sku", "sku");
  const tier = oneOf(reqString(sku, "tier", "sku.tier"), ["Standard", "Premium", "Basic", "Local"] as const, "sku.tier");
  const family = oneOf(reqString(sku, "family", "sku.family"), ["MeteredData", "UnlimitedData"] as const, "sku.family");
  const skuName = optString(sku, "name", "sku.name") ?? `${tier}_${family}`;
  if (skuName.toLowerCase() !== `${tier}_${family}`.toLowerCase()) {
    throw badRequest(
      "InvalidRequestFormat",
      `Cannot parse the request. Property 'sku.name' must be '${tier}_${family}' (tier_family), got '${skuName}'.`,
    );
  }
  const props = reqObject(body, "properties", "properties");
  if (optObject(props, "expressRoutePort", "properties.expressRoutePort")) {
    throw badRequest(
      "InvalidRequestFormat",
      "ExpressRoute Direct circuits (properties.expressRoutePort) are not provided by this emulator; use serviceProviderProperties.",
    );
  }
  const sp = reqObject(props, "serviceProviderProperties", "properties.serviceProviderProperties");
  const providerName = reqString(sp, "serviceProviderName", "properties.serviceProviderProperties.serviceProviderName");
  const peeringLocation = reqString(sp, "peeringLocation", "properties.serviceProviderProperties.peeringLocation");
  const bandwidthInMbps = optNumber(sp, "bandwidthInMbps", "properties.serviceProviderProperties.bandwidthInMbps");
  if (bandwidthInMbps === undefined)
    throw badRequest(
      "InvalidRequestFormat",
      "Cannot parse the request. Property 'properties.serviceProviderProperties.bandwidthInMbps' is required.",
    );
  const provider = SERVICE_PROVIDERS.find((p) => p.name.toLowerCase() === providerName.toLowerCase());
  if (!provider)
    throw badRequest(
      "InvalidServiceProviderName",
      `Service provider '${providerName}' is not a valid ExpressRoute service provider. See expressRouteServiceProviders for the list.`,
    );
  const location = provider.peeringLocations.find((l) => l.toLowerCase() === peeringLocation.toLowerCase());
  if (!location)
    throw badRequest(
      "InvalidPeeringLocation",
      `Peering location '${peeringLocation}' is not offered by service provider '${provider.name}'.`,
    );
  if (!provider.bandwidthsOfferedMbps.includes(bandwidthInMbps)) {
    throw badRequest(
      "InvalidBandwidth",
      `Bandwidth ${bandwidthInMbps} Mbps is not offered by service provider '${provider.name}' (offered: ${provider.bandwidthsOfferedMbps.join(", ")}).`,
    );
  }
  return { sku: { name: `${tier}_${family}`, tier, family }, provider: provider.name, peeringLocation: location, bandwidthInMbps };
}

export function putCircuit(ctx: Ctx): Reply {
  const { net, scope, body } = ctx;
  const name = ctx.names[0] as string;
  const id = net.resourceId(scope, "expressRouteCircuits", name);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  const input = readCircuit(body);
  const props = reqObject(body, "properties", "properties");
  if (existing) assertUpdateAllowed(existing, input);
  if (existing && ctx.faults?.circuitCapacityExhausted && input.bandwidthInMbps > currentBandwidth(existing)) {
    return refuseForCapacity(ctx, existing, input.bandwidthInMbps);
  }

  const c = existing ?? newResource(id, TYPES.expressRouteCircuits, name, location, {});
  c.tags = optTags(body);
  c.sku = input.sku;
  Object.assign(c.properties, {
    serviceProviderProperties: {
      serviceProviderName: input.provider,
      peeringLocation: input.peeringLocation,
      bandwidthInMbps: input.bandwidthInMbps,
    },
    circuitProvisioningState: "Enabled",
    allowClassicOperations: optBoolean(props, "allowClassicOperations", "properties.allowClassicOperations") ?? false,
    globalReachEnabled: optBoolean(props, "globalReachEnabled", "properties.globalReachEnabled") ?? false,
  });
  if (!existing) {
    c.properties.serviceKey = randomUUID();
    c.properties.serviceProviderProvisioningState = "NotProvisioned";
    c.properties.stag = randomInt(1, 4000);
    delete c.properties.resourceGuid;
  }
  const recovering = existing?.properties.provisioningState === "Failed";
  const op = net.beginPut(c, net.durations.circuitCreate);
  if (recovering) recoverFailedCircuit(net, c, op.id);
  return putReply(ctx, !existing, renderCircuit(net, c), op.id);
}

function currentBandwidth(circuit: ArmResource): number {
  return (circuit.properties.serviceProviderProperties as { bandwidthInMbps: number }).bandwidthInMbps;
}

/**
 * No room on the physical port: ARM accepts the PUT, the operation fails, and the circuit is left Failed at
 * its old bandwidth ("If you're unable to increase your circuit size, it means the underlying physical
 * connection … lacks the capacity … you need to create a new circuit", about-upgrade-circuit-bandwidth.md;
 * azurerm#1039 for the Failed state). The error code is this emulator's: Azure documents none.
 */
function refuseForCapacity(ctx: Ctx, circuit: ArmResource, wanted: number): Reply {
  const { net } = ctx;
  const op = net.beginPut(circuit, net.durations.circuitCreate);
  net.dropPending(circuit.id, ["succeed"]);
  net.schedule({
    at: net.clock.now() + net.durations.circuitCreate,
    action: "fail",
    resourceId: circuit.id,
    operationId: op.id,
    error: {
      code: "InsufficientCapacityOnPort",
      message: `The physical port of circuit ${circuit.id} lacks the capacity for ${wanted} Mbps (it stays at ${currentBandwidth(circuit)} Mbps). Create a new circuit with the bandwidth needed.`,
    },
  });
  return putReply(ctx, false, renderCircuit(net, circuit), op.id);
}

/** PATCH: tags only (ExpressRouteCircuits_UpdateTags), synchronous. */
export function patchCircuitTags(ctx: Ctx): Reply {
  const { net } = ctx;
  const c = net.require(ctx.scope, "expressRouteCircuits", ctx.names[0] as string);
  net.checkPreconditions(c, ctx.ifMatch, undefined);
  c.tags = optTags(ctx.body) ?? {};
  net.put(c);
  return { status: 200, body: renderCircuit(net, c) };
}

function assertUpdateAllowed(existing: ArmResource, input: CircuitInput): void {
  const sp = existing.properties.serviceProviderProperties as {
    serviceProviderName: string;
    peeringLocation: string;
    bandwidthInMbps: number;
  };
  const state = existing.properties.serviceProviderProvisioningState;
  if (state !== "NotProvisioned" && (sp.serviceProviderName !== input.provider || sp.peeringLocation !== input.peeringLocation)) {
    throw badRequest(
      "PropertyChangeNotAllowed",
      `The service provider and peering location of circuit ${existing.id} cannot change while its serviceProviderProvisioningState is ${String(state)}.`,
    );
  }
  const sku = existing.sku as { tier: string; family: string };
  if (sku.family === "UnlimitedData" && input.sku.family === "MeteredData") {
    throw badRequest(
      "CircuitSkuFamilyChangeNotAllowed",
      `The billing model of circuit ${existing.id} cannot change from UnlimitedData to MeteredData (unsupported workflow).`,
    );
  }
  if (sku.tier !== "Local" && input.sku.tier === "Local") {
    throw badRequest(
      "CircuitSkuTierChangeNotAllowed",
      `Circuit ${existing.id} cannot be converted to ExpressRoute Local; create a Local circuit.`,
    );
  }
  if (sku.tier === "Local" && input.sku.tier !== "Local" && input.sku.family !== "UnlimitedData") {
    throw badRequest(
      "CircuitSkuTierChangeNotAllowed",
      `A Local circuit (${existing.id}) becomes Standard or Premium only with the UnlimitedData billing model.`,
    );
  }
  if (input.bandwidthInMbps < sp.bandwidthInMbps) {
    throw badRequest(
      "CircuitBandwidthDecreaseNotAllowed",
      `The bandwidth of circuit ${existing.id} cannot be decreased (from ${sp.bandwidthInMbps} to ${input.bandwidthInMbps} Mbps).`,
    );
  }
}

/**
 * A PUT of the existing model refreshes a Failed circuit (aka.ms/erRefresh). One left Failed by a wrong
 * teardown order (the provider is gone) recovers only once no connection links it; then the provider's
 * earlier deprovisioning finally proceeds. One left Failed by a failed write recovers at once.
 */
function recoverFailedCircuit(net: ArmNetwork, c: ArmResource, operationId: string): void {
  const links = linkingConnections(net, c.id);
  net.dropPending(c.id, ["succeed"]);
  if (links.length && c.internal?.providerGone) {
    net.schedule({
      at: net.clock.now() + net.durations.failure,
      action: "fail",
      resourceId: c.id,
      operationId,
      error: {
        code: "CircuitInFailedState",
        message: `Circuit ${c.id} cannot be refreshed while connection(s) ${links.map((l) => l.id).join(", ")} still link it. Delete the connections first.`,
      },
    });
    return;
  }
  net.schedule({ at: net.clock.now() + net.durations.circuitCreate, action: "succeed", resourceId: c.id, operationId });
  if (c.internal?.providerGone) {
    c.properties.serviceProviderProvisioningState = "Deprovisioning";
    net.schedule({ at: net.clock.now() + net.durations.circuitDeprovisioningLag, action: "deprovisioned", resourceId: c.id });
  }
}

export function getCircuit(ctx: Ctx): Reply {
  return { status: 200, body: renderCircuit(ctx.net, ctx.net.require(ctx.scope, "expressRouteCircuits", ctx.names[0] as string)) };
}

export function listCircuits(ctx: Ctx, inGroup: boolean): Reply {
  const prefix = inGroup
    ? `/subscriptions/${ctx.scope.subscriptionId}/resourcegroups/${ctx.scope.resourceGroup}/`.toLowerCase()
    : `/subscriptions/${ctx.scope.subscriptionId}/`.toLowerCase();
  return page(
    ctx,
    ctx.net.list((r) => r.type === TYPES.expressRouteCircuits && key(r.id).startsWith(prefix)).map((c) => renderCircuit(ctx.net, c)),
  );
}

/**
 * A provider circuit cannot be deleted while the provider has it (expressroute-workflows.md). ARM accepts
 * the DELETE and the operation fails; its Location poll answers 409 ConflictError, which the SDK's
 * poller surfaces as a RestError (statusCode 409, code "ConflictError"), as seen in
 * oracle-quickstart/oci-azure-interconnect#8.
 */
export function deleteCircuit(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const c = net.get(net.resourceId(scope, "expressRouteCircuits", ctx.names[0] as string));
  if (!c) return { status: 204 };
  net.checkPreconditions(c, ctx.ifMatch, undefined);
  const spState = c.properties.serviceProviderProvisioningState;
  const op =
    spState === "NotProvisioned"
      ? net.beginDelete(c, net.durations.circuitDelete)
      : net.rejectAsync(c.id, c.location ?? "global", 409, {
          code: "ConflictError",
          message:
            "The specified dedicated circuit is not in Deprovisioned state. Please initiate the deprovisioning process with your service provider.",
        });
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "location") };
}

// ---- peerings -------------------------------------------------------------------------------

function peeringOf(ctx: Ctx): { circuit: ArmResource; peering: ArmResource | undefined; id: string } {
  const circuit = ctx.net.require(ctx.scope, "expressRouteCircuits", ctx.names[0] as string);
  const id = `${circuit.id}/peerings/${ctx.names[1] ?? ""}`;
  return { circuit, peering: ctx.net.get(id), id };
}

export function getPeering(ctx: Ctx): Reply {
  const { peering, id } = peeringOf(ctx);
  if (!peering) throw new ArmError(404, "NotFound", `Resource ${id} not found.`);
  return { status: 200, body: renderPeering(peering) };
}

export function listPeerings(ctx: Ctx): Reply {
  const { circuit } = peeringOf(ctx);
  return page(ctx, ctx.net.childrenOf(circuit.id, TYPES.peerings).map(renderPeering));
}

/** Customers may edit the peering only after the provider provisioned the circuit (terraform-provider-azurerm#5342). */
export function putPeering(ctx: Ctx): Reply {
  const { net } = ctx;
  const { circuit, peering: existing, id } = peeringOf(ctx);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const spState = circuit.properties.serviceProviderProvisioningState;
  if (spState !== "Provisioned") {
    throw badRequest(
      "CircuitNotProvisionedByProvider",
      `Peering cannot be configured on circuit ${circuit.id}: its serviceProviderProvisioningState is ${String(spState)}; the connectivity provider must provision it first.`,
    );
  }
  const props = reqObject(ctx.body, "properties", "properties");
  const name = ctx.names[1] as string;
  const peeringType = oneOf(
    optString(props, "peeringType", "properties.peeringType") ?? name,
    ["AzurePrivatePeering", "AzurePublicPeering", "MicrosoftPeering"] as const,
    "properties.peeringType",
  );
  const p = existing ?? newResource(id, TYPES.peerings, name, undefined, { azureASN: 12076, state: "Enabled" });
  delete p.properties.resourceGuid;
  Object.assign(p.properties, { peeringType, lastModifiedBy: "Customer" });
  for (const field of ["peerASN", "vlanId"] as const) {
    const v = optNumber(props, field, `properties.${field}`);
    if (v !== undefined) p.properties[field] = v;
  }
  for (const field of ["primaryPeerAddressPrefix", "secondaryPeerAddressPrefix", "sharedKey"] as const) {
    const v = optString(props, field, `properties.${field}`);
    if (v !== undefined) p.properties[field] = v;
  }
  const op = net.beginPut(p, net.durations.smallResource);
  return putReply(ctx, !existing, renderPeering(p), op.id);
}

export function deletePeering(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const { peering } = peeringOf(ctx);
  if (!peering) return { status: 204 };
  net.checkPreconditions(peering, ctx.ifMatch, undefined);
  const op = net.beginDelete(peering, net.durations.smallResource);
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "location") };
}

/** Fixed, realistic-looking MSEE port names for the provider-created peering. */
export function azurePorts(peeringLocation: string): { primaryAzurePort: string; secondaryAzurePort: string } {
  const site = peeringLocation
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 6)
    .toUpperCase();
  return { primaryAzurePort: `${site}-06GMR-CIS-1-PRI-A`, secondaryAzurePort: `${site}-06GMR-CIS-2-SEC-A` };
}
