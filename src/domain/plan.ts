import { z } from "zod";

/**
 * The plan of a provisioning (a dry run): what would be created, reused or shared on both clouds,
 * the BGP sessions, what bills from which step, how long it takes, and every problem to fix first.
 * One zod schema is the contract of the plan orchestration's output, the REST response and the
 * OpenAPI document, so none of them can drift from the others.
 */

export const PLAN_ACTIONS = ["create", "reuse", "share"] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export const PLANNED_RESOURCE_KINDS = [
  "virtualNetwork",
  "gatewaySubnet",
  "gateway",
  "gatewayPublicIp",
  "circuit",
  "connection",
  "vcn",
  "routeTable",
  "drg",
  "drgAttachment",
  "virtualCircuit",
  "routeRules",
] as const;
export type PlannedResourceKind = (typeof PLANNED_RESOURCE_KINDS)[number];

export const planBillingSchema = z
  .object({
    bills: z.boolean().meta({ description: "Whether this resource is charged for while it exists." }),
    fromStep: z.string().nullable().meta({
      description:
        "The provisioning step from which this interconnect adds the charge; null when it bills already (reused or shared) or never.",
    }),
    basis: z.string().meta({ description: "What is charged, in words." }),
  })
  .meta({ id: "PlanBilling" });

export const plannedResourceSchema = z
  .object({
    kind: z.enum(PLANNED_RESOURCE_KINDS),
    cloud: z.enum(["azure", "oci"]),
    action: z.enum(PLAN_ACTIONS).meta({
      description:
        "create: this interconnect creates it; reuse: it exists and only this interconnect would use it; share: another interconnect of this service uses it too.",
    }),
    name: z.string().meta({ description: "The deterministic name the service gives what it creates, or the existing resource's name." }),
    id: z.string().nullable().meta({ description: "The existing resource's id (ARM id or OCID) for reuse and share; null for create." }),
    sharedWith: z.array(z.string()).meta({ description: "Other interconnects of this service that use it." }),
    billing: planBillingSchema,
    note: z.string().optional(),
  })
  .meta({ id: "PlannedResource" });
export type PlannedResource = z.infer<typeof plannedResourceSchema>;

const bgpSessionSchema = z
  .object({
    cidr: z.string().meta({ description: "The /30 block, e.g. 192.168.100.0/30." }),
    oracleBgpPeeringIp: z.string().meta({ description: "2nd address of the block with its mask: Oracle's side." }),
    customerBgpPeeringIp: z.string().meta({ description: "3rd address of the block with its mask: Azure's side." }),
  })
  .meta({ id: "BgpSession" });

export const planBgpSchema = z
  .object({
    source: z.enum(["requested", "allocated"]).meta({
      description:
        "requested: the spec's bgp blocks; allocated: the next free blocks of BGP_ADDRESS_POOL now (a provisioning allocates again).",
    }),
    primary: bgpSessionSchema,
    secondary: bgpSessionSchema,
    oracleAsn: z.number().int(),
    azureAsn: z.number().int(),
  })
  .meta({ id: "PlanBgp" });
export type PlanBgp = z.infer<typeof planBgpSchema>;

export const planWaitSchema = z
  .object({
    step: z.string(),
    wait: z.string().meta({ description: "The wait profile (WAIT_PROFILES) the step polls with." }),
    earliestSeconds: z.number(),
    latestSeconds: z.number(),
    onCriticalPath: z.boolean(),
  })
  .meta({ id: "PlanWait" });

export const planDurationSchema = z
  .object({
    earliestSeconds: z
      .number()
      .meta({ description: "Shortest usual provisioning time: the critical path at every wait's earliest completion." }),
    latestSeconds: z
      .number()
      .meta({ description: "Longest usual provisioning time: the critical path at every wait's latest usual completion." }),
    criticalPath: z.array(z.string()).meta({ description: "The steps whose waits add up to the duration, in order." }),
    waits: z.array(planWaitSchema),
  })
  .meta({ id: "PlanDuration" });
export type PlanDuration = z.infer<typeof planDurationSchema>;

export const planProblemSchema = z
  .object({
    path: z.string().meta({ description: "The spec field to change (dotted path); empty for the service's own setup." }),
    message: z.string(),
    fix: z.string().meta({ description: "What to change so that the provisioning can go ahead." }),
  })
  .meta({ id: "PlanProblem" });
export type PlanProblem = z.infer<typeof planProblemSchema>;

export const planSchema = z
  .object({
    planId: z.string(),
    name: z.string(),
    createdAt: z.string().meta({ description: "When the clouds were read (orchestration time)." }),
    ready: z.boolean().meta({ description: "True when no problem was found: a provisioning may reference this plan with planId." }),
    resources: z.array(plannedResourceSchema),
    bgp: planBgpSchema.nullable().meta({ description: "Null when no BGP plan could be made (see problems)." }),
    duration: planDurationSchema,
    problems: z.array(planProblemSchema),
  })
  .meta({
    id: "Plan",
    description: "What a provisioning of this spec would do, read from the live clouds; nothing was created, reserved or changed.",
  });
export type Plan = z.infer<typeof planSchema>;
