/**
 * The cloud steps of a change in place (day2-operations.md §3). The circuit is changed the way Azure
 * documents it: GET, modify, PUT the same object (its provider-made peering included, so nothing of the
 * provider's is overwritten). Every step reads first and sends nothing when the cloud already has the
 * value, so a re-delivered step (a host killed mid-change) is the same step.
 */
import type { ExpressRouteCircuit } from "../clouds/azure/network";
import { CloudError } from "../clouds/errors";
import type { VirtualCircuit } from "../clouds/oci/network";
import { desiredSnapshot } from "../domain/desired-snapshot";
import type { InterconnectSpec } from "../domain/spec";
import { type CircuitSettings, permanent, type VirtualCircuitSettings, withInterconnectTag, namesOf } from "../contracts";
import { DomainError, ErrorCodes } from "../domain/errors";
import { EXPRESSROUTE_SERVICE_PROVIDER } from "../domain/skus";
import { connectionObservation } from "./connection";
import { defineActivity, type StepContext, StepFailed } from "./step";
import { findVirtualCircuit, keepSecret, virtualCircuitStates } from "./virtual-circuit";

/**
 * Azure's answers to a change it will not make: retrying them changes nothing. "Capacity" is the port
 * lacking room for the new bandwidth (about-upgrade-circuit-bandwidth.md), which only a new circuit fixes.
 */
const REFUSED = /Capacity|DecreaseNotAllowed|SkuChangeNotAllowed|NotAllowed|Unsupported/i;

export function circuitSettings(c: ExpressRouteCircuit | undefined): CircuitSettings {
  if (!c?.id) return { found: false };
  return {
    found: true,
    circuitId: c.id,
    provisioningState: c.provisioningState ?? "Unknown",
    serviceProviderProvisioningState: c.serviceProviderProvisioningState ?? "Unknown",
    bandwidthInMbps: c.serviceProviderProperties?.bandwidthInMbps ?? 0,
    sku: {
      tier: (c.sku?.tier ?? "Standard") as "Standard",
      family: (c.sku?.family ?? "MeteredData") as "MeteredData",
    },
    tags: { ...c.tags },
  };
}

async function readCircuit(ctx: StepContext, azure: { subscriptionId: string; resourceGroup: string }): Promise<ExpressRouteCircuit> {
  const name = namesOf(ctx.opContext).circuit;
  const circuit = await ctx.azure(azure.subscriptionId).getCircuit(azure.resourceGroup, name);
  if (circuit?.serviceKey) ctx.addSecret(circuit.serviceKey);
  if (!circuit) throw new StepFailed(permanent("NOT_FOUND", `Circuit ${name} does not exist in resource group ${azure.resourceGroup}.`));
  return circuit;
}

export const azureReadCircuitSettings = defineActivity("azureReadCircuitSettings", "read", async (input, ctx) => {
  const name = namesOf(ctx.opContext).circuit;
  const arm = ctx.azure(input.azure.subscriptionId);
  const [circuit, providers] = await Promise.all([arm.getCircuit(input.azure.resourceGroup, name), arm.listServiceProviders()]);
  if (circuit?.serviceKey) ctx.addSecret(circuit.serviceKey);
  const oracle = providers.find((p) => p.name === EXPRESSROUTE_SERVICE_PROVIDER);
  return {
    circuit: circuitSettings(circuit),
    bandwidthsOfferedMbps: (oracle?.bandwidthsOffered ?? []).map((b) => b.valueInMbps ?? 0).filter((v) => v > 0),
  };
});

export const azureUpdateCircuit = defineActivity("azureUpdateCircuit", "mutation", async (input, ctx) => {
  const name = namesOf(ctx.opContext).circuit;
  const circuit = await readCircuit(ctx, input.azure);
  const now = circuitSettings(circuit);
  const { tier, family } = input.sku;
  if (now.found && now.bandwidthInMbps === input.bandwidthInMbps && now.sku.tier === tier && now.sku.family === family) return now;
  const body: ExpressRouteCircuit = {
    ...circuit,
    sku: { name: `${tier}_${family}`, tier: tier as "Standard", family: family as "MeteredData" },
    serviceProviderProperties: { ...circuit.serviceProviderProperties, bandwidthInMbps: input.bandwidthInMbps },
  };
  try {
    const started = await ctx.azure(input.azure.subscriptionId).beginCreateCircuit(input.azure.resourceGroup, name, body);
    return circuitSettings(started ?? (await readCircuit(ctx, input.azure)));
  } catch (err) {
    if (err instanceof CloudError && !err.retryable && REFUSED.test(err.code)) {
      throw new StepFailed(permanent(err.code, `Azure refused the change of circuit ${name}: ${err.message}`));
    }
    throw err;
  }
});

/** Azure's PATCH replaces the tag map: the circuit's other tags (someone else's) are kept, the spec's removed ones dropped. */
export const azureUpdateCircuitTags = defineActivity("azureUpdateCircuitTags", "mutation", async (input, ctx) => {
  const circuit = await readCircuit(ctx, input.azure);
  const tags = mergedTags(circuit.tags, input.tags, input.removed, ctx.opContext.interconnect);
  if (sameTags(circuit.tags, tags)) return circuitSettings(circuit);
  const name = namesOf(ctx.opContext).circuit;
  return circuitSettings(await ctx.azure(input.azure.subscriptionId).updateCircuitTags(input.azure.resourceGroup, name, tags));
});

/** The key is read from the circuit here and never leaves this step. */
export const ociReadProviderKey = defineActivity("ociReadProviderKey", "read", async (input, ctx) => {
  const circuit = await readCircuit(ctx, input.azure);
  if (!circuit.serviceKey) return { found: false as const };
  const key = await ctx.oci(input.region).getProviderServiceKey(input.providerServiceId, circuit.serviceKey);
  if (!key) return { found: false as const };
  return { found: true as const, bandwidthShapeName: key.bandwidthShapeName ?? null, peeringLocation: key.peeringLocation ?? null };
});

function settings(vc: VirtualCircuit | undefined, shapes: string[]): VirtualCircuitSettings {
  if (!vc?.id) return { found: false };
  return {
    ...virtualCircuitStates({ ...vc, id: vc.id }),
    bandwidthShapeName: vc.bandwidthShapeName ?? "",
    providerServiceId: vc.providerServiceId ?? "",
    freeformTags: { ...vc.freeformTags },
    shapesOffered: shapes,
  };
}

async function virtualCircuitWithShapes(
  ctx: StepContext,
  input: { oci: { region: string; compartmentId: string }; virtualCircuitId?: string },
): Promise<{ vc: VirtualCircuit | undefined; shapes: string[] }> {
  const oci = ctx.oci(input.oci.region);
  const vc = keepSecret(ctx, await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect, input.virtualCircuitId));
  const shapes = vc?.providerServiceId ? (await oci.listBandwidthShapes(vc.providerServiceId)).map((s) => s.name) : [];
  return { vc, shapes };
}

export const ociReadVirtualCircuitSettings = defineActivity("ociReadVirtualCircuitSettings", "read", async (input, ctx) => {
  const { vc, shapes } = await virtualCircuitWithShapes(ctx, input);
  return settings(vc, shapes);
});

export const ociUpdateVirtualCircuitShape = defineActivity("ociUpdateVirtualCircuitShape", "mutation", async (input, ctx) => {
  const { vc, shapes } = await virtualCircuitWithShapes(ctx, input);
  if (!vc?.id) throw new StepFailed(permanent("NOT_FOUND", `The virtual circuit of ${ctx.opContext.interconnect} does not exist.`));
  if (vc.bandwidthShapeName === input.bandwidthShapeName) return settings(vc, shapes);
  try {
    const updated = await ctx.oci(input.oci.region).updateVirtualCircuit(vc.id, { bandwidthShapeName: input.bandwidthShapeName });
    return settings(updated, shapes);
  } catch (err) {
    // InvalidParameter: OCI will not take this shape now (it does not match the circuit, or it is a decrease).
    if (err instanceof CloudError && err.statusCode === 400) {
      throw new StepFailed(permanent(err.code, `OCI refused the bandwidth shape ${input.bandwidthShapeName}: ${err.message}`));
    }
    throw err;
  }
});

/** OCI's update replaces freeformTags: the merged map is sent. */
export const ociUpdateVirtualCircuitTags = defineActivity("ociUpdateVirtualCircuitTags", "mutation", async (input, ctx) => {
  const { vc, shapes } = await virtualCircuitWithShapes(ctx, input);
  if (!vc?.id) throw new StepFailed(permanent("NOT_FOUND", `The virtual circuit of ${ctx.opContext.interconnect} does not exist.`));
  const tags = mergedTags(vc.freeformTags, input.tags, input.removed, ctx.opContext.interconnect);
  if (sameTags(vc.freeformTags, tags)) return settings(vc, shapes);
  return settings(await ctx.oci(input.oci.region).updateVirtualCircuit(vc.id, { freeformTags: tags }), shapes);
});

export const azureSetConnectionFastPath = defineActivity("azureSetConnectionFastPath", "mutation", async (input, ctx) => {
  const name = namesOf(ctx.opContext).connection;
  const arm = ctx.azure(input.azure.subscriptionId);
  const connection = await arm.getConnection(input.azure.resourceGroup, name);
  if (!connection) throw new StepFailed(permanent("NOT_FOUND", `Connection ${name} does not exist in ${input.azure.resourceGroup}.`));
  if ((connection.expressRouteGatewayBypass === true) === input.fastPath) return connectionObservation(connection);
  // "Updating an existing connection to enable FastPath": the same connection with the flag set, PUT (expressroute-howto-linkvnet-arm.md).
  const started = await arm.beginCreateConnection(input.azure.resourceGroup, name, {
    ...connection,
    expressRouteGatewayBypass: input.fastPath,
  });
  return connectionObservation(started ?? (await arm.getConnection(input.azure.resourceGroup, name)));
});

export const recordCommitChange = defineActivity("recordCommitChange", "read", async (input, ctx) => {
  const spec = input.spec as unknown as InterconnectSpec;
  await ctx.deps.store.interconnects.modify(input.name, (current) => {
    const owner = current.currentOperation?.instanceId;
    if (owner !== input.expectedOperationId) {
      throw new DomainError(
        ErrorCodes.CONFLICT,
        `Interconnect ${input.name} is now owned by operation ${owner ?? "(none)"}, not ${input.expectedOperationId}; the change is not recorded.`,
      );
    }
    if (!current.bgpPlan)
      throw new DomainError(ErrorCodes.CONFLICT, `Interconnect ${input.name} has no BGP plan; the change is not recorded.`);
    const fresh = desiredSnapshot({ spec, bgpPlan: current.bgpPlan, resources: current.resources }, new Date().toISOString());
    // What the watch learned (the VCN prefixes, rules it added for a grown VNet) stays: only what the change moved is new.
    const desired = current.desired
      ? {
          ...current.desired,
          takenAt: fresh.takenAt,
          circuit: fresh.circuit,
          connection: fresh.connection,
          virtualCircuit: fresh.virtualCircuit,
        }
      : fresh;
    return { spec, desired, failure: null };
  });
  return { committed: true as const };
});

function mergedTags(
  existing: Record<string, string> | undefined,
  tags: Record<string, string>,
  removed: readonly string[],
  interconnect: string,
): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(existing ?? {}).filter(([k]) => !removed.includes(k)));
  return { ...kept, ...withInterconnectTag(tags, interconnect) };
}

function sameTags(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const x = a ?? {};
  return Object.keys(x).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => x[k] === v);
}
