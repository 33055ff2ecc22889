/**
 * The FastConnect private virtual circuit to "Microsoft Azure". Its service key is read here from
 * the circuit itself and goes only to OCI: it never appears in an output (the durable history),
 * a log line or an audit row. OCI hands the key back (providerServiceKeyName) and may quote it in the
 * free-text referenceComment, so every step here registers it as a secret and the observation's
 * reason is redacted.
 */
import { redactSecrets } from "../clouds/errors";
import type { OciNetwork, VirtualCircuit } from "../clouds/oci/network";
import { resourceNames } from "../domain/names";
import { maskServiceKey } from "../store";
import {
  type DeleteOutcome,
  type OciScope,
  permanent,
  retryLater,
  type VirtualCircuitObservation,
  withInterconnectTag,
  namesOf,
} from "../contracts";
import { deleteOrConflict } from "./drg";
import { defineActivity, type StepContext, StepFailed } from "./step";

const GONE = new Set(["TERMINATED"]);
const LEAVING = new Set(["TERMINATING", "TERMINATED"]);

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * The provider's comment without the service key: the known key is redacted, and any other GUID is
 * masked too, since a key of another circuit (or a key OCI reformatted) would not match the known one.
 */
export function redactReason(text: string, serviceKeys: readonly string[]): string {
  return redactSecrets(text, serviceKeys).replace(GUID, (guid) => maskServiceKey(guid));
}

/** The states every read of a virtual circuit reports; absent fields read as OCI's not-yet values. */
export function virtualCircuitStates(vc: VirtualCircuit & { id: string }) {
  return {
    found: true as const,
    virtualCircuitId: vc.id,
    lifecycleState: String(vc.lifecycleState ?? "UNKNOWN"),
    providerState: String(vc.providerState ?? "INACTIVE"),
    bgpSessionState: String(vc.bgpSessionState ?? "DOWN"),
  };
}

export function virtualCircuitObservation(vc: VirtualCircuit | undefined, serviceKeys: readonly string[] = []): VirtualCircuitObservation {
  if (!vc?.id) return { found: false };
  const keys = vc.providerServiceKeyName ? [...serviceKeys, vc.providerServiceKeyName] : serviceKeys;
  return {
    ...virtualCircuitStates({ ...vc, id: vc.id }),
    reason: vc.referenceComment ? redactReason(vc.referenceComment, keys) : null,
  };
}

/** Whatever OCI returns carries the key: any later message of this step must not. */
export function keepSecret(ctx: StepContext, vc: VirtualCircuit | undefined): VirtualCircuit | undefined {
  if (vc?.providerServiceKeyName) ctx.addSecret(vc.providerServiceKeyName);
  return vc;
}

export async function findVirtualCircuit(
  oci: OciNetwork,
  scope: OciScope,
  interconnect: string,
  id?: string,
): Promise<VirtualCircuit | undefined> {
  if (id) return oci.getVirtualCircuit(id);
  const name = resourceNames(interconnect).virtualCircuit;
  const named = (await oci.listVirtualCircuits(scope.compartmentId)).filter((vc) => vc.displayName === name);
  return named.find((vc) => !GONE.has(String(vc.lifecycleState))) ?? named[0];
}

export const ociEnsureVirtualCircuit = defineActivity("ociEnsureVirtualCircuit", "mutation", async (input, ctx) => {
  const names = namesOf(ctx.opContext);
  const oci = ctx.oci(input.oci.region);
  const existing = keepSecret(ctx, await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect));
  if (existing && !LEAVING.has(String(existing.lifecycleState))) return virtualCircuitObservation(existing);

  const circuit = await ctx.azure(input.azure.subscriptionId).getCircuit(input.azure.resourceGroup, names.circuit);
  if (!circuit) {
    throw new StepFailed(
      permanent(
        "NOT_FOUND",
        `Circuit ${names.circuit} does not exist in resource group ${input.azure.resourceGroup}; the virtual circuit needs its service key.`,
      ),
    );
  }
  if (!circuit.serviceKey) throw new StepFailed(retryLater("SERVICE_KEY_PENDING", `Circuit ${names.circuit} has no service key yet.`, 30));
  ctx.addSecret(circuit.serviceKey);

  const [primary, secondary] = input.crossConnectMappings;
  const created = await oci.createPrivateVirtualCircuit(
    {
      compartmentId: input.oci.compartmentId,
      displayName: names.virtualCircuit,
      bandwidthShapeName: input.bandwidthShapeName,
      gatewayId: input.drgId,
      providerServiceId: input.providerServiceId,
      providerServiceKeyName: circuit.serviceKey,
      crossConnectMappings: [
        { customerBgpPeeringIp: primary.customerBgpPeeringIp, oracleBgpPeeringIp: primary.oracleBgpPeeringIp },
        { customerBgpPeeringIp: secondary.customerBgpPeeringIp, oracleBgpPeeringIp: secondary.oracleBgpPeeringIp },
      ],
      freeformTags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
    },
    ctx.retryToken(names.virtualCircuit),
  );
  return virtualCircuitObservation(created, [circuit.serviceKey]);
});

export const ociGetVirtualCircuit = defineActivity("ociGetVirtualCircuit", "read", async (input, ctx) => {
  const oci = ctx.oci(input.oci.region);
  return virtualCircuitObservation(
    keepSecret(ctx, await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect, input.virtualCircuitId)),
  );
});

export const ociDeleteVirtualCircuit = defineActivity("ociDeleteVirtualCircuit", "mutation", async (input, ctx): Promise<DeleteOutcome> => {
  const oci = ctx.oci(input.oci.region);
  const vc = keepSecret(ctx, await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect, input.virtualCircuitId));
  const id = vc?.id;
  if (!id || GONE.has(String(vc.lifecycleState))) return { status: "deleted" };
  if (String(vc.lifecycleState) === "TERMINATING") return { status: "deleting" };
  return deleteOrConflict(() => oci.deleteVirtualCircuit(id));
});
