/** The usage rows of shared resources (src/domain/sharing.ts): who uses what, recorded by the runs themselves. */
import { z } from "zod";
import { SHARED_KINDS } from "../domain/sharing";
import { DELETE_STATUSES, deleteOutcome, interconnectName, opContext, type ActivityFamily } from "./common";

const resourceRef = { kind: z.enum(SHARED_KINDS), resourceId: z.string().min(1).max(1024) };

/** A row as the workflow sees it: the other users, and who of this service created it (null: it existed before). */
export const usageSeen = z.object({ ...resourceRef, sharedWith: z.array(interconnectName), createdBy: interconnectName.nullable() });
export type UsageSeen = z.infer<typeof usageSeen>;

/**
 * What the delete of a shared resource releases first, in the same activity: this interconnect's use of
 * the resource (and of what follows it, the gateway's public IP). `createdBySelf`: what the record says,
 * for a resource with no row. The activity then decides with the domain's removalDecision on the rows as
 * left, so a re-run or retried delete decides again on the rows as they are then.
 */
export const releaseBeforeDelete = z
  .array(z.object({ ...resourceRef, createdBySelf: z.boolean() }))
  .min(1)
  .max(50);

/**
 * A shared resource's delete: "kept" when the usage rows keep it (another interconnect uses it, or this
 * service did not create it): nothing was asked of the cloud. `usage`: the rows as left by the release,
 * in the order of `release` (present whenever a release was asked).
 */
export const sharedDeleteOutcome = deleteOutcome.extend({
  status: z.enum([...DELETE_STATUSES, "kept"]),
  usage: z.array(usageSeen).optional(),
});
export type SharedDeleteOutcome = z.infer<typeof sharedDeleteOutcome>;

export const usageActivities = {
  /** This interconnect uses these resources; `created`: this run created it (then it is the creator). Idempotent. */
  usageAdd: {
    input: z.object({
      opContext,
      uses: z
        .array(z.object({ ...resourceRef, created: z.boolean() }))
        .min(1)
        .max(50),
    }),
    output: z.object({ uses: z.array(usageSeen) }),
  },
  /**
   * This interconnect stops using these resources (teardown, compensation): what is never removed (the
   * customer's VNet, VCN and route table), and what is kept with another resource. `createdBySelf`: what
   * the record says, for a resource with no row. `forget`: resources the removal deleted, whose rows go
   * after the release (a row someone uses again meanwhile stays). Idempotent.
   */
  usageRelease: {
    input: z
      .object({
        opContext,
        resources: z.array(z.object({ ...resourceRef, createdBySelf: z.boolean() })).max(50),
        forget: z.array(z.object(resourceRef)).max(50).optional(),
      })
      .refine((i) => i.resources.length > 0 || (i.forget ?? []).length > 0, { message: "resources or forget must name a resource" }),
    output: z.object({ resources: z.array(usageSeen), forgotten: z.number().int().optional() }),
  },
} satisfies ActivityFamily;
