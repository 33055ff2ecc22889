/** The plan's own read: which cloud resources other interconnects of this service use. */
import { z } from "zod";
import { opContextSchema } from "../inputs";

export const resourceUsageReadInputSchema = z.object({ opContext: opContextSchema });
export type ResourceUsageReadInput = z.infer<typeof resourceUsageReadInputSchema>;

export const resourceUsageSchema = z.object({
  uses: z.array(z.object({ resourceId: z.string().min(1), interconnect: z.string().min(1) })),
});
export type ResourceUsage = z.infer<typeof resourceUsageSchema>;
