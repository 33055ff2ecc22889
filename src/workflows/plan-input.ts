import { z } from "zod";
import { planProblemSchema } from "../domain/plan";
import { readTiming } from "./input";
import type { WorkflowBgpPlan, WorkflowSpec, WorkflowTiming } from "./names";

const text = z.string().min(1);
const bgpBlock = z.object({ cidr: text, oracleBgpPeeringIp: text, customerBgpPeeringIp: text });

/** The spec fields the plan reads; the trigger validated the whole spec with the domain's schema. */
const specSchema = z.looseObject({
  name: text,
  bandwidthGbps: z.number(),
  azure: z.looseObject({
    subscriptionId: text,
    resourceGroup: text,
    location: text,
    peeringLocation: text,
    virtualNetwork: z.looseObject({ name: text, gatewaySubnetPrefix: text }),
  }),
  oci: z.looseObject({ region: text, compartmentId: text, vcnId: text, drgId: text.optional() }),
});

/** The plan orchestration's input, from the trigger that accepted the plan request. */
export const planInputSchema = z.object({
  planId: text,
  name: text,
  actor: text,
  spec: specSchema,
  bgp: z.object({ plan: z.object({ primary: bgpBlock, secondary: bgpBlock }), source: z.enum(["requested", "allocated"]) }).nullable(),
  /** Problems the trigger found without a cloud call (the BGP plan against the other interconnects' blocks). */
  problems: z.array(planProblemSchema),
  timing: z.unknown().optional(),
});

export type PlanInput = Omit<z.infer<typeof planInputSchema>, "spec" | "bgp" | "timing"> & {
  spec: WorkflowSpec;
  bgp: { plan: WorkflowBgpPlan; source: "requested" | "allocated" } | null;
  timing?: WorkflowTiming;
};

/** A malformed start fails at once, naming the field. */
export function readPlanInput(raw: unknown): PlanInput & { timing: WorkflowTiming } {
  const parsed = planInputSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`plan input: ${parsed.error.issues.map((i) => `input.${i.path.join(".")} ${i.message}`).join("; ")}`);
  return { ...(parsed.data as PlanInput), timing: readTiming(parsed.data.timing) };
}
