import { type Json, oneOf, optBoolean, optNumber, optObject, optTags, reqLocation, reqObject, reqRef, reqString } from "../body";
import { skuSupportsFastPath } from "../catalog";
import { badRequest, invalidReference } from "../errors";
import type { Reply } from "../network";
import { type ArmErrorBody, type ArmResource, key } from "../state";
import { PRIVATE_PEERING } from "./circuits";
import { type Ctx, TYPES, envelope, newResource, page, putReply, refId, sameId } from "./common";

function render(r: ArmResource): Json {
  return envelope(r);
}

export function putConnection(ctx: Ctx): Reply {
  const { net, scope, body } = ctx;
  const name = ctx.names[0] as string;
  const id = net.resourceId(scope, "connections", name);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  const props = reqObject(body, "properties", "properties");
  const connectionType = oneOf(
    reqString(props, "connectionType", "properties.connectionType"),
    ["ExpressRoute", "IPsec", "Vnet2Vnet", "VPNClient"] as const,
    "properties.connectionType",
  );
  if (connectionType !== "ExpressRoute") {
    throw badRequest(
      "UnsupportedConnectionType",
      `Connection type '${connectionType}' is not provided by this emulator; only ExpressRoute connections are.`,
    );
  }
  const gatewayId = reqRef(props, "virtualNetworkGateway1", "properties.virtualNetworkGateway1");
  if (!optObject(props, "peer", "properties.peer")) {
    throw badRequest(
      "InvalidRequestFormat",
      "Cannot parse the request. Property 'properties.peer' (the ExpressRoute circuit) is required for an ExpressRoute connection.",
    );
  }
  const circuitId = reqRef(props, "peer", "properties.peer");
  const fastPath = optBoolean(props, "expressRouteGatewayBypass", "properties.expressRouteGatewayBypass") ?? false;
  const routingWeight = optNumber(props, "routingWeight", "properties.routingWeight") ?? 0;

  const gateway = net.get(gatewayId);
  if (!gateway) throw invalidReference(gatewayId, id);
  const circuit = net.get(circuitId);
  if (!circuit || circuit.type !== TYPES.expressRouteCircuits) throw invalidReference(circuitId, id);
  if (gateway.properties.gatewayType !== "ExpressRoute") {
    throw badRequest(
      "InvalidGatewayType",
      `Virtual network gateway ${gateway.id} is of type ${String(gateway.properties.gatewayType)}; an ExpressRoute connection needs an ExpressRoute gateway.`,
    );
  }
  if (gateway.properties.provisioningState !== "Succeeded") {
    throw badRequest(
      "ReferencedResourceNotProvisioned",
      `Cannot proceed with operation because resource ${gateway.id} used by resource ${id} is not in Succeeded state. Resource is in ${String(gateway.properties.provisioningState)} state.`,
    );
  }
  if (fastPath) {
    const sku = gateway.properties.sku as { name: string };
    const bounds = (gateway.properties.autoScaleConfiguration as { bounds?: { min?: number } } | undefined)?.bounds;
    if (!skuSupportsFastPath(sku.name, bounds?.min)) {
      throw badRequest(
        "ExpressRouteGatewayBypassNotSupported",
        `FastPath (expressRouteGatewayBypass) is not supported on virtual network gateway ${gateway.id} with SKU ${sku.name}. It needs UltraPerformance, ErGw3AZ, or ErGwScale with at least 10 scale units.`,
      );
    }
  }
  if (existing) {
    const same = sameId(refId(existing.properties.virtualNetworkGateway1), gatewayId) && sameId(refId(existing.properties.peer), circuitId);
    if (!same) throw badRequest("PropertyChangeNotAllowed", `Changing the gateway or peer of connection ${id} is not allowed.`);
  }

  const c = existing ?? newResource(id, TYPES.connections, name, location, {});
  c.tags = optTags(body);
  Object.assign(c.properties, {
    virtualNetworkGateway1: { id: gateway.id, properties: {} },
    peer: { id: circuit.id },
    connectionType,
    routingWeight,
    expressRouteGatewayBypass: fastPath,
    enableBgp: false,
    connectionStatus: existing?.properties.connectionStatus === "Connected" ? "Connected" : "Connecting",
    ingressBytesTransferred: 0,
    egressBytesTransferred: 0,
  });
  const problem = circuitProblem(circuit);
  const op = net.beginPut(c, net.durations.connectionCreate);
  if (problem) {
    // ARM accepts the PUT; the network resource provider then fails the operation.
    net.dropPending(c.id, ["succeed"]);
    net.schedule({ at: net.clock.now() + net.durations.failure, action: "fail", resourceId: c.id, operationId: op.id, error: problem });
  }
  return putReply(ctx, !existing, render(c), op.id);
}

/** Why a connection to this circuit cannot come up, if it cannot. */
function circuitProblem(circuit: ArmResource): ArmErrorBody | undefined {
  const spState = String(circuit.properties.serviceProviderProvisioningState);
  if (circuit.properties.provisioningState === "Failed") {
    return { code: "CircuitInFailedState", message: `ExpressRoute circuit ${circuit.id} is in Failed state.` };
  }
  if (spState !== "Provisioned") {
    return {
      code: "ExpressRouteCircuitNotProvisioned",
      message: `Cannot link to ExpressRoute circuit ${circuit.id} because its serviceProviderProvisioningState is ${spState}. The connectivity provider must provision the circuit first.`,
    };
  }
  return undefined;
}

/** Checked when the connection's operation completes: the private peering must exist by then. */
export function peeringProblem(circuit: ArmResource | undefined, peeringExists: boolean): ArmErrorBody | undefined {
  if (!circuit) return { code: "InvalidResourceReference", message: "The ExpressRoute circuit of this connection no longer exists." };
  if (!peeringExists) {
    return {
      code: "PrivatePeeringNotProvisioned",
      message: `ExpressRoute circuit ${circuit.id} has no ${PRIVATE_PEERING}; a virtual network can only be linked through the Azure private peering.`,
    };
  }
  return circuitProblem(circuit);
}

export function getConnection(ctx: Ctx): Reply {
  return { status: 200, body: render(ctx.net.require(ctx.scope, "connections", ctx.names[0] as string)) };
}

export function listConnections(ctx: Ctx): Reply {
  const prefix = `/subscriptions/${ctx.scope.subscriptionId}/resourcegroups/${ctx.scope.resourceGroup}/`.toLowerCase();
  return page(ctx, ctx.net.list((r) => r.type === TYPES.connections && key(r.id).startsWith(prefix)).map(render));
}

/**
 * VirtualNetworkGateways_ListConnections: every connection on the gateway, whatever resource group it
 * lives in (a connection need not sit next to its gateway). ARM answers with the list entity, whose
 * gateway reference carries only the id.
 */
export function listGatewayConnections(ctx: Ctx): Reply {
  const gateway = ctx.net.require(ctx.scope, "virtualNetworkGateways", ctx.names[0] as string);
  const onGateway = ctx.net.list((r) => r.type === TYPES.connections && sameId(refId(r.properties.virtualNetworkGateway1), gateway.id));
  return page(
    ctx,
    onGateway.map((c) => envelope(c, { ...c.properties, virtualNetworkGateway1: { id: gateway.id } })),
  );
}

export function deleteConnection(ctx: Ctx): Reply {
  const { net, scope } = ctx;
  const c = net.get(net.resourceId(scope, "connections", ctx.names[0] as string));
  if (!c) return { status: 204 };
  net.checkPreconditions(c, ctx.ifMatch, undefined);
  const op = net.beginDelete(c, net.durations.connectionDelete);
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "both") };
}
