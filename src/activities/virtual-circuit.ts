/**
 * The FastConnect private virtual circuit to "Microsoft Azure". Its service key is read here from
 * the circuit itself and goes only to OCI: it never appears in an output (the durable history),
 * a log line or an audit row.
 */
import type { OciNetwork, VirtualCircuit } from "../clouds/oci/network";
import { resourceNames } from "../domain/names";
import { ACTIVITY, type DeleteOutcome, type OciScope, type VirtualCircuitObservation } from "./contracts";
import { inputSchema } from "./inputs";
import { deleteOrConflict } from "./drg";
import { defineActivity, permanent, retryLater } from "./step";

const GONE = new Set(["TERMINATED"]);
const LEAVING = new Set(["TERMINATING", "TERMINATED"]);

export function virtualCircuitObservation(vc: VirtualCircuit | undefined): VirtualCircuitObservation {
  if (!vc?.id) return { found: false };
  return {
    found: true,
    virtualCircuitId: vc.id,
    lifecycleState: String(vc.lifecycleState ?? "UNKNOWN"),
    providerState: String(vc.providerState ?? "INACTIVE"),
    bgpSessionState: String(vc.bgpSessionState ?? "DOWN"),
    reason: vc.referenceComment ?? null,
  };
}

async function findVirtualCircuit(oci: OciNetwork, scope: OciScope, interconnect: string, id?: string): Promise<VirtualCircuit | undefined> {
  if (id) return oci.getVirtualCircuit(id);
  const name = resourceNames(interconnect).virtualCircuit;
  const named = (await oci.listVirtualCircuits(scope.compartmentId)).filter((vc) => vc.displayName === name);
  return named.find((vc) => !GONE.has(String(vc.lifecycleState))) ?? named[0];
}

export const ociEnsureVirtualCircuit = defineActivity(
  ACTIVITY.ociEnsureVirtualCircuit,
  inputSchema(ACTIVITY.ociEnsureVirtualCircuit),
  "mutation",
  async (input, ctx) => {
    const names = resourceNames(ctx.opContext.interconnect);
    const oci = ctx.oci(input.oci.region);
    const existing = await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect);
    if (existing && !LEAVING.has(String(existing.lifecycleState))) return virtualCircuitObservation(existing);

    const circuit = await ctx.azure(input.azure.subscriptionId).getCircuit(input.azure.resourceGroup, names.circuit);
    if (!circuit) {
      throw permanent("NOT_FOUND", `Circuit ${names.circuit} does not exist in resource group ${input.azure.resourceGroup}; the virtual circuit needs its service key.`);
    }
    if (!circuit.serviceKey) throw retryLater("SERVICE_KEY_PENDING", `Circuit ${names.circuit} has no service key yet.`, 30);
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
        freeformTags: { interconnect: ctx.opContext.interconnect },
      },
      ctx.retryToken(names.virtualCircuit),
    );
    return virtualCircuitObservation(created);
  },
);

export const ociGetVirtualCircuit = defineActivity(ACTIVITY.ociGetVirtualCircuit, inputSchema(ACTIVITY.ociGetVirtualCircuit), "read", async (input, ctx) => {
  const oci = ctx.oci(input.oci.region);
  return virtualCircuitObservation(await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect, input.virtualCircuitId));
});

export const ociDeleteVirtualCircuit = defineActivity(
  ACTIVITY.ociDeleteVirtualCircuit,
  inputSchema(ACTIVITY.ociDeleteVirtualCircuit),
  "mutation",
  async (input, ctx): Promise<DeleteOutcome> => {
    const oci = ctx.oci(input.oci.region);
    const vc = await findVirtualCircuit(oci, input.oci, ctx.opContext.interconnect, input.virtualCircuitId);
    const id = vc?.id;
    if (!id || GONE.has(String(vc.lifecycleState))) return { status: "deleted" };
    if (String(vc.lifecycleState) === "TERMINATING") return { status: "deleting" };
    return deleteOrConflict(() => oci.deleteVirtualCircuit(id));
  },
);
