/** OCI: the FastConnect private virtual circuit (provider "Microsoft Azure"). */
import { z } from "zod";
import { azureScope, cidr, deleteOutcome, ocid, ociScope, observed, opContext, resourceTags, text, type ActivityFamily } from "./common";

export const virtualCircuitObservation = observed({
  virtualCircuitId: z.string(),
  /** PENDING_PROVIDER | VERIFYING | PROVISIONING | PROVISIONED | FAILED | INACTIVE | TERMINATING | TERMINATED */
  lifecycleState: z.string(),
  providerState: z.string(),
  bgpSessionState: z.string(),
  /** Provider comment or failure reason when there is one. */
  reason: z.string().nullable(),
});
export type VirtualCircuitObservation = z.infer<typeof virtualCircuitObservation>;

const crossConnectMapping = z.object({
  /** With mask, e.g. "192.168.100.2/30" (3rd address = Azure side). */
  customerBgpPeeringIp: cidr,
  /** With mask, e.g. "192.168.100.1/30" (2nd address = Oracle side). */
  oracleBgpPeeringIp: cidr,
});
export type BgpCrossConnectMapping = z.infer<typeof crossConnectMapping>;

/** When virtualCircuitId is absent, the virtual circuit is looked up by its derived display name in the compartment. */
const virtualCircuitRef = z.object({ opContext, oci: ociScope, virtualCircuitId: ocid("virtualcircuit").optional() });

export const virtualCircuitActivities = {
  ociEnsureVirtualCircuit: {
    input: z.object({
      opContext,
      oci: ociScope,
      /** The activity reads the service key from the circuit itself (this scope + the derived circuit name). */
      azure: azureScope,
      providerServiceId: ocid("providerservice"),
      bandwidthShapeName: text,
      drgId: ocid("drg"),
      /** Primary first, then secondary. */
      crossConnectMappings: z.tuple([crossConnectMapping, crossConnectMapping]),
      tags: resourceTags.optional(),
    }),
    output: virtualCircuitObservation,
  },
  ociGetVirtualCircuit: { input: virtualCircuitRef, output: virtualCircuitObservation },
  ociDeleteVirtualCircuit: { input: virtualCircuitRef, output: deleteOutcome },
} satisfies ActivityFamily;
