/** The plan's own read: which cloud resources other interconnects of this service use. */
import { z } from "zod";
import { opContext, type ActivityFamily } from "./common";

export const resourceUse = z.object({ resourceId: z.string().min(1), interconnect: z.string().min(1) });

export const planActivities = {
  /** Resource ids on the other interconnects' records, for the plan's share decisions (src/domain/sharing.ts). */
  resourceUsageRead: {
    input: z.object({ opContext }),
    output: z.object({ uses: z.array(resourceUse) }),
  },
} satisfies ActivityFamily;
