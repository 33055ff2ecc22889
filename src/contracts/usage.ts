/** The usage rows of shared resources (src/domain/sharing.ts): who uses what, recorded by the runs themselves. */
import { z } from "zod";
import { SHARED_KINDS } from "../domain/sharing";
import { interconnectName, opContext, type ActivityFamily } from "./common";

const resourceRef = { kind: z.enum(SHARED_KINDS), resourceId: z.string().min(1).max(1024) };

/** A row as the workflow sees it: the other users, and who of this service created it (null: it existed before). */
export const usageSeen = z.object({ ...resourceRef, sharedWith: z.array(interconnectName), createdBy: interconnectName.nullable() });
export type UsageSeen = z.infer<typeof usageSeen>;

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
   * This interconnect stops using these resources (teardown, compensation), before deciding whether to
   * remove them. `createdBySelf`: what the record says, for a resource with no row. Idempotent.
   */
  usageRelease: {
    input: z.object({
      opContext,
      resources: z
        .array(z.object({ ...resourceRef, createdBySelf: z.boolean() }))
        .min(1)
        .max(50),
    }),
    output: z.object({ resources: z.array(usageSeen) }),
  },
  /** These resources are gone: their rows go (a row someone uses again meanwhile stays). */
  usageForget: {
    input: z.object({ opContext, resources: z.array(z.object(resourceRef)).min(1).max(50) }),
    output: z.object({ forgotten: z.number().int() }),
  },
} satisfies ActivityFamily;
