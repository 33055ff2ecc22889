/**
 * The reads of an adoption (day2-operations.md §5). The service key joins the two sides: the virtual
 * circuit's providerServiceKeyName is the circuit's serviceKey. It is matched here and never returned.
 */
import type { ExpressRouteCircuit } from "../clouds/azure/network";
import type { VirtualCircuit } from "../clouds/oci/network";
import { AZURE_PRIVATE_PEERING } from "../domain/skus";
import { GATEWAY_SUBNET_NAME } from "../domain/names";
import { DomainError, ErrorCodes } from "../domain/errors";
import type { InterconnectSpec } from "../domain/spec";
import type { BgpPlan } from "../domain/bgp-plan";
import { desiredSnapshot } from "../domain/desired-snapshot";
import { parseArmId } from "./azure-ids";
import { defineActivity, type StepContext } from "./step";

const sameKey = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

function circuitSummary(c: ExpressRouteCircuit) {
  const ref = parseArmId(c.id ?? "", "circuit id");
  const peering = c.peerings?.find((p) => p.name === AZURE_PRIVATE_PEERING || p.peeringType === AZURE_PRIVATE_PEERING);
  return {
    id: c.id ?? "",
    name: ref.name,
    resourceGroup: ref.resourceGroup,
    location: c.location ?? "",
    peeringLocation: c.serviceProviderProperties?.peeringLocation ?? "",
    serviceProviderName: c.serviceProviderProperties?.serviceProviderName ?? "",
    serviceProviderProvisioningState: c.serviceProviderProvisioningState ?? "Unknown",
    provisioningState: c.provisioningState ?? "Unknown",
    bandwidthInMbps: c.serviceProviderProperties?.bandwidthInMbps ?? 0,
    sku: { tier: c.sku?.tier ?? "", family: c.sku?.family ?? "" },
    peering: peering
      ? {
          peerASN: peering.peerASN ?? null,
          primaryPeerAddressPrefix: peering.primaryPeerAddressPrefix ?? null,
          secondaryPeerAddressPrefix: peering.secondaryPeerAddressPrefix ?? null,
          state: peering.provisioningState ?? "Unknown",
        }
      : null,
    globalReachLinks: (peering?.connections?.length ?? 0) + (peering?.peeredConnections?.length ?? 0),
  };
}

function virtualCircuitSummary(vc: VirtualCircuit) {
  return {
    id: vc.id ?? "",
    type: String(vc.type ?? ""),
    providerName: vc.providerName ?? "",
    lifecycleState: String(vc.lifecycleState ?? "UNKNOWN"),
    providerState: String(vc.providerState ?? "INACTIVE"),
    bgpSessionState: String(vc.bgpSessionState ?? "DOWN"),
    bandwidthShapeName: vc.bandwidthShapeName ?? "",
    gatewayId: vc.gatewayId ?? "",
    providerServiceId: vc.providerServiceId ?? "",
    mappings: (vc.crossConnectMappings ?? []).map((m) => ({
      oracleBgpPeeringIp: m.oracleBgpPeeringIp ?? "",
      customerBgpPeeringIp: m.customerBgpPeeringIp ?? "",
    })),
  };
}

export const adoptLocate = defineActivity("adoptLocate", "read", async (input, ctx) => {
  const arm = ctx.azure(input.subscriptionId);
  const oci = ctx.oci(input.oci.region);
  const none = (problem: string) => ({ circuit: null, virtualCircuit: null, providerKey: null, problem });
  let circuit: ExpressRouteCircuit | undefined;
  let vc: VirtualCircuit | undefined;
  if (input.circuitId) {
    const ref = parseArmId(input.circuitId, "azure.circuitId");
    circuit = await arm.getCircuit(ref.resourceGroup, ref.name);
    if (!circuit) return none(`no circuit ${input.circuitId}`);
    secret(ctx, circuit.serviceKey);
    // No subtree flag: the virtual circuit is looked for in the compartment the request names.
    const candidates = (await oci.listVirtualCircuits(input.oci.compartmentId)).filter(
      (v) => sameKey(v.providerServiceKeyName, circuit?.serviceKey) && String(v.lifecycleState) !== "TERMINATED",
    );
    vc = candidates[0];
    if (!vc) return none(`no virtual circuit in compartment ${input.oci.compartmentId} uses the circuit's service key`);
  } else {
    vc = await oci.getVirtualCircuit(input.virtualCircuitId ?? "");
    if (!vc) return none(`no virtual circuit ${input.virtualCircuitId ?? ""}`);
    secret(ctx, vc.providerServiceKeyName);
    // Azure has no look-up by service key: every circuit of the subscription is read.
    circuit = (await arm.listAllCircuits()).find((c) => sameKey(c.serviceKey, vc?.providerServiceKeyName));
    if (!circuit) return none(`no circuit in subscription ${input.subscriptionId} has the virtual circuit's service key`);
  }
  secret(ctx, circuit.serviceKey);
  secret(ctx, vc.providerServiceKeyName);
  const key =
    vc.providerServiceId && circuit.serviceKey ? await oci.getProviderServiceKey(vc.providerServiceId, circuit.serviceKey) : undefined;
  return {
    circuit: circuitSummary(circuit),
    virtualCircuit: virtualCircuitSummary(vc),
    providerKey: key ? { bandwidthShapeName: key.bandwidthShapeName ?? null, peeringLocation: key.peeringLocation ?? null } : null,
    problem: null,
  };
});

function secret(ctx: StepContext, key: string | undefined): void {
  if (key) ctx.addSecret(key);
}

export const adoptReadAzure = defineActivity("adoptReadAzure", "read", async (input, ctx) => {
  const arm = ctx.azure(input.azure.subscriptionId);
  const connection = await arm.getConnection(input.azure.resourceGroup, input.connectionName);
  const gatewayId = connection?.virtualNetworkGateway1?.id;
  const gwRef = gatewayId ? parseArmId(gatewayId, "virtualNetworkGateway1") : undefined;
  const gateway = gwRef ? await arm.getGateway(gwRef.resourceGroup, gwRef.name) : undefined;
  const subnetId = gateway?.ipConfigurations?.[0]?.subnet?.id;
  const vnetMatch = subnetId ? /^(.*\/virtualNetworks\/([^/]+))\/subnets\//i.exec(subnetId) : null;
  const vnetRef = vnetMatch ? parseArmId(vnetMatch[1] as string, "gateway subnet") : undefined;
  const vnet = vnetRef ? await arm.getVirtualNetwork(vnetRef.resourceGroup, vnetRef.name) : undefined;
  const gatewaySubnet = vnet?.subnets?.find((s) => s.name === GATEWAY_SUBNET_NAME);
  return {
    connection: connection
      ? {
          found: true,
          ...(connection.peer?.id ? { peerId: connection.peer.id } : {}),
          ...(gatewayId ? { gatewayId } : {}),
          provisioningState: connection.provisioningState ?? "Unknown",
          connectionStatus: connection.connectionStatus ?? "Unknown",
          fastPath: connection.expressRouteGatewayBypass === true,
        }
      : { found: false },
    gateway:
      gateway && gwRef
        ? {
            found: true,
            id: gateway.id ?? gatewayId ?? "",
            name: gwRef.name,
            resourceGroup: gwRef.resourceGroup,
            provisioningState: gateway.provisioningState ?? "Unknown",
            sku: gateway.sku?.name ?? "",
            ...(gateway.autoScaleConfiguration?.bounds?.min !== undefined ? { scaleUnits: gateway.autoScaleConfiguration.bounds.min } : {}),
          }
        : { found: false },
    vnet:
      vnet && vnetRef
        ? {
            found: true,
            id: vnet.id ?? "",
            name: vnetRef.name,
            resourceGroup: vnetRef.resourceGroup,
            addressPrefixes: vnet.addressSpace?.addressPrefixes ?? [],
            gatewaySubnetPrefix: gatewaySubnet?.addressPrefix ?? null,
            ...(gatewaySubnet?.id ? { gatewaySubnetId: gatewaySubnet.id } : {}),
          }
        : { found: false },
  };
});

export const adoptReadOci = defineActivity("adoptReadOci", "read", async (input, ctx) => {
  const oci = ctx.oci(input.region);
  const [drg, vcn, attachments] = await Promise.all([
    oci.getDrg(input.drgId),
    oci.getVcn(input.vcnId),
    oci.listDrgAttachments({ compartmentId: input.compartmentId, drgId: input.drgId, vcnId: input.vcnId }),
  ]);
  const attachment = attachments.find((a) => String(a.lifecycleState) === "ATTACHED") ?? attachments[0];
  const table = vcn?.defaultRouteTableId ? await oci.getRouteTable(vcn.defaultRouteTableId) : undefined;
  return {
    drg: drg ? { found: true, lifecycleState: String(drg.lifecycleState) } : { found: false },
    attachment: attachment ? { found: true, id: attachment.id, lifecycleState: String(attachment.lifecycleState) } : { found: false },
    vcn: vcn
      ? { found: true, cidrBlocks: vcn.cidrBlocks ?? (vcn.cidrBlock ? [vcn.cidrBlock] : []), routeTableId: vcn.defaultRouteTableId ?? "" }
      : { found: false },
    routeRules: (table?.routeTable.routeRules ?? []).map((r) => ({
      destination: r.destination ?? r.cidrBlock ?? "",
      networkEntityId: r.networkEntityId,
    })),
  };
});

/** Written once: a second delivery finds the record this adoption wrote and answers created: false. */
export const recordAdopt = defineActivity("recordAdopt", "read", async (input, ctx) => {
  const repo = ctx.deps.store.interconnects;
  const spec = input.spec as unknown as InterconnectSpec;
  const bgpPlan = input.bgpPlan as unknown as BgpPlan;
  const existing = await repo.get(input.name);
  if (existing && existing.currentOperation?.instanceId === ctx.opContext.instanceId) return { created: false };
  if (existing && existing.state !== "deleted")
    throw new DomainError(
      ErrorCodes.CONFLICT,
      `Interconnect ${input.name} exists (${existing.state}); the adoption writes no record over it.`,
    );
  const created = await repo.create({ name: input.name, spec, bgpPlan, resources: input.resources });
  const operation = { kind: "adopt" as const, instanceId: ctx.opContext.instanceId, startedAt: new Date().toISOString() };
  const provisioning = await repo.transitionState(input.name, "provisioning", created.etag, {
    attempt: created.attempt + 1,
    currentOperation: operation,
  });
  const desired = desiredSnapshot({ spec, bgpPlan, resources: input.resources }, new Date().toISOString());
  await repo.transitionState(input.name, "active", provisioning.etag, { desired });
  return { created: true };
});
