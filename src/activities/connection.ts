/**
 * The connection gateway ⇄ circuit (FastPath = expressRouteGatewayBypass), and the verification
 * reads of the private peering's ARP and route tables on each device path.
 */
import type { VirtualNetworkGatewayConnection } from "../clouds/azure/network";
import { AZURE_PRIVATE_PEERING } from "../domain/skus";
import { type ConnectionObservation, type DeleteOutcome, withInterconnectTag, namesOf } from "../contracts";
import { defineActivity } from "./step";

export function connectionObservation(c: VirtualNetworkGatewayConnection | undefined): ConnectionObservation {
  if (!c?.id) return { found: false };
  return {
    found: true,
    connectionId: c.id,
    provisioningState: c.provisioningState ?? "Unknown",
    connectionStatus: c.connectionStatus ?? "Unknown",
    expressRouteGatewayBypass: c.expressRouteGatewayBypass === true,
  };
}

export const azureEnsureConnection = defineActivity("azureEnsureConnection", "mutation", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const name = namesOf(ctx.opContext).connection;
  const arm = ctx.azure(subscriptionId);
  const existing = await arm.getConnection(resourceGroup, name);
  if (existing) return connectionObservation(existing);
  const started = await arm.beginCreateConnection(resourceGroup, name, {
    location: input.location,
    connectionType: "ExpressRoute",
    virtualNetworkGateway1: { id: input.gatewayId },
    peer: { id: input.circuitId },
    routingWeight: 0,
    expressRouteGatewayBypass: input.expressRouteGatewayBypass,
    tags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
  });
  return connectionObservation(started ?? (await arm.getConnection(resourceGroup, name)));
});

export const azureGetConnection = defineActivity("azureGetConnection", "read", async (input, ctx) => {
  const name = namesOf(ctx.opContext).connection;
  return connectionObservation(await ctx.azure(input.azure.subscriptionId).getConnection(input.azure.resourceGroup, name));
});

export const azureDeleteConnection = defineActivity("azureDeleteConnection", "mutation", async (input, ctx): Promise<DeleteOutcome> => {
  const { subscriptionId, resourceGroup } = input.azure;
  const name = namesOf(ctx.opContext).connection;
  const arm = ctx.azure(subscriptionId);
  const existing = await arm.getConnection(resourceGroup, name);
  if (!existing) return { status: "deleted" };
  if (existing.provisioningState === "Deleting") return { status: "deleting" };
  return { status: await arm.beginDeleteConnection(resourceGroup, name) };
});

/** "Not there yet" (no circuit, no peering) reads as empty tables: verification simply keeps waiting. */
export const azureReadPeeringTables = defineActivity("azureReadPeeringTables", "read", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const circuit = namesOf(ctx.opContext).circuit;
  const arm = ctx.azure(subscriptionId);
  const [arp, routes] = await Promise.all([
    arm.listArpTable(resourceGroup, circuit, AZURE_PRIVATE_PEERING, input.devicePath).catch(emptyWhenNotFound),
    arm.listRoutesTable(resourceGroup, circuit, AZURE_PRIVATE_PEERING, input.devicePath).catch(emptyWhenNotFound),
  ]);
  return {
    arp: arp
      .filter((a) => a.ipAddress)
      .map((a) => ({
        ipAddress: a.ipAddress as string,
        ...(a.macAddress ? { macAddress: a.macAddress } : {}),
        ...(a.age !== undefined ? { age: a.age } : {}),
        ...(a.interface ? { interface: a.interface } : {}),
      })),
    routes: routes.filter((r) => r.network).map((r) => ({ network: r.network as string, nextHop: r.nextHop ?? "", path: r.path ?? "" })),
  };
});

function emptyWhenNotFound(err: unknown): never[] {
  if ((err as { statusCode?: number }).statusCode === 404) return [];
  throw err;
}
