/** OCI: the DRG and its attachment to the VCN. */
import { z } from "zod";
import { ocid, ociScope, observed, opContext, resourceTags, type ActivityFamily } from "./common";
import { releaseBeforeDelete, sharedDeleteOutcome } from "./usage";

export const drgObservation = observed({ drgId: z.string(), lifecycleState: z.string() });
export type DrgObservation = z.infer<typeof drgObservation>;

export const drgAttachmentObservation = observed({ drgAttachmentId: z.string(), lifecycleState: z.string() });
export type DrgAttachmentObservation = z.infer<typeof drgAttachmentObservation>;

/** When drgAttachmentId is absent, the attachment is looked up by its derived display name (and drgId/vcnId). */
const attachmentRef = z.object({
  opContext,
  oci: ociScope,
  vcnId: ocid("vcn"),
  drgAttachmentId: ocid("drgattachment").optional(),
  drgId: ocid("drg").optional(),
  /** The VCN's route table: its rules that still target the DRG keep the attachment (live check before the delete). */
  routeTableId: ocid("routetable").optional(),
});
/** When drgId is absent, the DRG is looked up by its derived display name in the compartment. */
const drgRef = z.object({ opContext, oci: ociScope, drgId: ocid("drg").optional() });

export const drgActivities = {
  ociEnsureDrg: { input: z.object({ opContext, oci: ociScope, tags: resourceTags.optional() }), output: drgObservation },
  ociEnsureDrgAttachment: {
    input: z.object({ opContext, oci: ociScope, drgId: ocid("drg"), vcnId: ocid("vcn"), tags: resourceTags.optional() }),
    output: drgAttachmentObservation,
  },
  ociGetDrg: { input: drgRef, output: drgObservation },
  ociGetDrgAttachment: { input: attachmentRef, output: drgAttachmentObservation },
  /** release: the attachment's usage row, released and decided on before anything is asked of the cloud. */
  ociDeleteDrgAttachment: { input: attachmentRef.extend({ release: releaseBeforeDelete.optional() }), output: sharedDeleteOutcome },
  /** release: the DRG's usage row, released and decided on before anything is asked of the cloud. */
  ociDeleteDrg: { input: drgRef.extend({ release: releaseBeforeDelete.optional() }), output: sharedDeleteOutcome },
} satisfies ActivityFamily;
