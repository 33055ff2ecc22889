/**
 * The ExpressRoute circuit (provider "Oracle Cloud FastConnect"). It bills from the moment it
 * exists, its service key is a secret (only ever returned masked), and its AzurePrivatePeering
 * belongs to the provider: an existing circuit is never PUT again, because a whole-object PUT
 * would overwrite the provider's peering (terraform-provider-azurerm#2250).
 */
import type { ExpressRouteCircuit } from "../clouds/azure/network";
import { AZURE_PRIVATE_PEERING, EXPRESSROUTE_SERVICE_PROVIDER } from "../domain/skus";
import { maskServiceKey } from "../store";
import { type CircuitObservation, type DeleteOutcome, retryLater, withInterconnectTag, namesOf } from "../contracts";
import { defineActivity, StepFailed } from "./step";

export function circuitObservation(c: ExpressRouteCircuit | undefined): CircuitObservation {
  if (!c?.id) return { found: false };
  const peerings = c.peerings ?? [];
  const p = peerings.find((x) => x.peeringType === AZURE_PRIVATE_PEERING || x.name === AZURE_PRIVATE_PEERING);
  return {
    found: true,
    circuitId: c.id,
    provisioningState: c.provisioningState ?? "Unknown",
    serviceProviderProvisioningState: c.serviceProviderProvisioningState ?? "Unknown",
    circuitProvisioningState: c.circuitProvisioningState ?? "Unknown",
    serviceKeyMasked: c.serviceKey ? maskServiceKey(c.serviceKey) : "",
    privatePeering: p
      ? {
          name: p.name ?? AZURE_PRIVATE_PEERING,
          peeringType: p.peeringType ?? AZURE_PRIVATE_PEERING,
          provisioningState: p.provisioningState ?? "Unknown",
          peerASN: p.peerASN ?? null,
          primaryPeerAddressPrefix: p.primaryPeerAddressPrefix ?? null,
          secondaryPeerAddressPrefix: p.secondaryPeerAddressPrefix ?? null,
          vlanId: p.vlanId ?? null,
        }
      : null,
    peeringCount: peerings.length,
  };
}

export const azureEnsureCircuit = defineActivity("azureEnsureCircuit", "mutation", async (input, ctx) => {
  const { subscriptionId, resourceGroup } = input.azure;
  const name = namesOf(ctx.opContext).circuit;
  const arm = ctx.azure(subscriptionId);
  const existing = await arm.getCircuit(resourceGroup, name);
  if (existing?.serviceKey) ctx.addSecret(existing.serviceKey);
  if (existing) return circuitObservation(existing);
  const { tier, family } = input.sku;
  const created = await arm.beginCreateCircuit(resourceGroup, name, {
    location: input.location,
    sku: { name: `${tier}_${family}`, tier: tier as "Standard", family: family as "MeteredData" },
    serviceProviderProperties: {
      serviceProviderName: EXPRESSROUTE_SERVICE_PROVIDER,
      peeringLocation: input.peeringLocation,
      bandwidthInMbps: input.bandwidthInMbps,
    },
    tags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
  });
  const read = created?.serviceKey ? created : await arm.getCircuit(resourceGroup, name);
  if (read?.serviceKey) ctx.addSecret(read.serviceKey);
  const observed = circuitObservation(read);
  if (!observed.found) throw new StepFailed(retryLater("NOT_YET_VISIBLE", `Circuit ${name} was accepted but cannot be read yet.`));
  return observed;
});

export const azureGetCircuit = defineActivity("azureGetCircuit", "read", async (input, ctx) => {
  const name = namesOf(ctx.opContext).circuit;
  const circuit = await ctx.azure(input.azure.subscriptionId).getCircuit(input.azure.resourceGroup, name);
  if (circuit?.serviceKey) ctx.addSecret(circuit.serviceKey);
  return circuitObservation(circuit);
});

/** Azure refuses (and worse, half-deletes) a provider circuit that is not deprovisioned (interconnect-apis.md §6). */
const NOT_DELETABLE = new Set(["Provisioning", "Provisioned", "Deprovisioning"]);

export const azureDeleteCircuit = defineActivity("azureDeleteCircuit", "mutation", async (input, ctx): Promise<DeleteOutcome> => {
  const { subscriptionId, resourceGroup } = input.azure;
  const name = namesOf(ctx.opContext).circuit;
  const arm = ctx.azure(subscriptionId);
  const circuit = await arm.getCircuit(resourceGroup, name);
  if (!circuit) return { status: "deleted" };
  if (circuit.provisioningState === "Deleting") return { status: "deleting" };
  const providerState = circuit.serviceProviderProvisioningState ?? "";
  if (NOT_DELETABLE.has(providerState)) {
    return {
      status: "conflict",
      message: `Circuit ${name} is ${providerState} at the provider; it can be deleted once it shows NotProvisioned.`,
      retryAfterSeconds: 60,
    };
  }
  try {
    return { status: await arm.beginDeleteCircuit(resourceGroup, name) };
  } catch (err) {
    const e = err as { retryable?: boolean; code?: string; message?: string; retryAfterSeconds?: number };
    // ConflictError "not in Deprovisioned state": Azure lags minutes behind the provider (oci-azure-interconnect#8).
    if (e.retryable && e.code !== undefined && /Conflict|AnotherOperationInProgress/i.test(e.code)) {
      return { status: "conflict", message: e.message ?? e.code, retryAfterSeconds: e.retryAfterSeconds ?? 60 };
    }
    throw err;
  }
});
