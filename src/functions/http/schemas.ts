import { z } from "zod";
import { ErrorCodes } from "../../domain/errors";
import { FINDING_CODES, HEALTH_STATUSES, findingSchema, interconnectHealthSchema } from "../../domain/health";
import { jiraIssueSchema } from "../../domain/itsm/jira-event";
import { serviceNowEventSchema } from "../../domain/itsm/servicenow-event";
import { TICKET_ACTIONS, TICKET_KEY } from "../../domain/itsm/ticket";
import { TICKET_VARIABLE_NAMES } from "../../domain/itsm/ticket-variables";
import { INTERCONNECT_STATES } from "../../domain/lifecycle";
import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE, PLAN_ID_PATTERN } from "../../domain/names";
import { interconnectResourcesSchema } from "../../domain/resources";
import { SHARED_KINDS } from "../../domain/sharing";
import { AUDIT_PHASES, OPERATION_KINDS } from "../../store";
import { HttpErrorCodes } from "./problem";

/**
 * The zod schemas of the REST API's parameters and responses. The parameter schemas are what the
 * handlers validate with (params.ts); the response schemas are what GET /api/openapi.json documents and
 * what the end-to-end tests check every response against.
 */

export const nameParam = z
  .string()
  .regex(INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE)
  .meta({ description: "The interconnect's name (the spec's name)." });

export const planIdParam = z
  .string()
  .regex(PLAN_ID_PATTERN, "must be a planId such as plan-erp-prod-0a1b2c3d4e5f6a7b")
  .meta({ description: "The plan's id, as POST /api/interconnects/plans answered it." });

export const topQuery = z
  .string()
  .regex(/^\d{1,4}$/, "must be an integer from 1 to 1000")
  .refine((v) => Number(v) >= 1 && Number(v) <= 1000, "must be an integer from 1 to 1000")
  .meta({ description: "Page size, 1-1000." });

export const continuationTokenQuery = z.string().min(1).max(4096).meta({ description: "The token from a previous page's nextLink." });

export const stateQuery = z
  .enum(INTERCONNECT_STATES, { error: `must be one of ${INTERCONNECT_STATES.join(", ")}` })
  .meta({ description: "Only interconnects in this state." });

export const virtualNetworkIdQuery = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i,
    "must be a virtual network's ARM id: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>",
  )
  .max(1024)
  .meta({ description: "Only interconnects on this virtual network (its ARM id, compared case-insensitively)." });

export const vcnIdQuery = z
  .string()
  .regex(/^ocid1\.vcn\.[a-z0-9.-]+$/, "must be a VCN OCID (ocid1.vcn.…)")
  .max(255)
  .meta({ description: "Only interconnects on this VCN (its OCID)." });

export const orderQuery = z
  .enum(["desc", "asc"], { error: 'must be "desc" (newest first, the default) or "asc"' })
  .meta({ description: "desc (the default): newest first; asc: oldest first." });

export const reasonQuery = z
  .string()
  .refine((v) => v.trim().length > 0 && v.length <= 500, "must be 1-500 characters saying why the interconnect is torn down")
  .meta({ description: "Why it is torn down (kept in the audit trail)." });

export const callerHeaders = z.object({
  "x-ticket-ref": z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
    .optional()
    .meta({ description: "The ITSM change ticket this request belongs to, e.g. CHG0031234; written on every audit row." }),
  "x-ms-client-principal-name": z.string().optional().meta({
    description: "Set by App Service authentication (EasyAuth): the caller, taken as the audit's actor when the deployment trusts it.",
  }),
});

export const problemSchema = z
  .strictObject({
    type: z.string().meta({ description: "A stable URN per code, e.g. urn:interconnect:error:validation-failed." }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().meta({
      description: `The stable error code to branch on: ${[...Object.values(ErrorCodes), ...Object.values(HttpErrorCodes), "PLAN_FAILED"].join(", ")}.`,
    }),
    instance: z.string().optional(),
    errors: z
      .array(z.strictObject({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: "Every invalid field, by dotted path." }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details (application/problem+json)." });

/** The Durable Functions HTTP management payload (createCheckStatusResponse), in every 202 that starts an orchestration. */
export const durableManagement = {
  id: z.string().meta({ description: "The Durable orchestration instance id." }),
  statusQueryGetUri: z
    .string()
    .meta({ description: "GET: the instance's Durable status (runtimeStatus, customStatus with the current step, output)." }),
  sendEventPostUri: z.string().optional(),
  terminatePostUri: z.string().optional(),
  rewindPostUri: z.string().optional(),
  purgeHistoryDeleteUri: z.string().optional(),
  restartPostUri: z.string().optional(),
  suspendPostUri: z.string().optional(),
  resumePostUri: z.string().optional(),
};

export const recordLinksSchema = z.strictObject({ self: z.string(), audit: z.string(), health: z.string() }).meta({ id: "RecordLinks" });

export const acceptedSchema = z
  .strictObject({
    ...durableManagement,
    name: z.string(),
    outcome: z.enum(["started", "existing", "restarted", "cancelled"]).meta({
      description:
        "started: this request started the operation; existing: it was already under way (or done); restarted: the earlier provisioning had stopped without finishing, and this one picks up from what exists on the clouds; cancelled (DELETE only): the provisioning was still queued for its turn, built nothing, and the interconnect is deleted.",
    }),
    stoppedProvisioning: z.string().optional().meta({ description: "A teardown's DELETE stopped this provisioning instance first." }),
    links: recordLinksSchema,
  })
  .meta({
    id: "OperationAccepted",
    description: "The Durable async pattern: poll statusQueryGetUri (also the Location header) or the record.",
  });

const stallSchema = z
  .strictObject({
    reason: z.string(),
    since: z.string().meta({ description: "Since when it counts as stuck (its deadline or its last progress)." }),
    detectedAt: z.string(),
    recovery: z.string().meta({ description: "What the watchdog did: the operation it started in its place, or why it did not." }),
  })
  .meta({ id: "OperationStall", description: "Set by the watchdog: the instance runs but nothing will move it on." });
const operationSchema = z.strictObject({
  kind: z.enum(OPERATION_KINDS),
  instanceId: z.string(),
  startedAt: z.string(),
  stalled: stallSchema.optional(),
});
const failureSchema = z.strictObject({ step: z.string(), code: z.string(), message: z.string() });

const closing = {
  failure: failureSchema.nullable(),
  attempt: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  stateChangedAt: z.string(),
  links: recordLinksSchema,
};

export const healthRecordSchema = interconnectHealthSchema.meta({
  id: "InterconnectHealth",
  description: "The health watch's last check: the status, since when it holds, and the findings behind it.",
});

const healthSummarySchema = z
  .strictObject({
    status: z.enum(HEALTH_STATUSES),
    checkedAt: z.string(),
    since: z.string(),
    findings: z.number().int().meta({ description: "How many findings (GET …/health lists them)." }),
  })
  .meta({ id: "HealthSummary" });

export const summarySchema = z
  .strictObject({
    name: z.string(),
    state: z.enum(INTERCONNECT_STATES),
    bandwidthGbps: z.number().nullable(),
    regions: z
      .strictObject({ azure: z.string().nullable(), oci: z.string().nullable() })
      .meta({ description: "The Azure location and the OCI region of the spec." }),
    currentOperation: operationSchema.nullable(),
    health: healthSummarySchema.nullable().meta({ description: "The last health check, null when the interconnect was never checked." }),
    ...closing,
  })
  .meta({ id: "InterconnectSummary" });

export const healthSchema = z
  .strictObject({
    name: z.string(),
    state: z.enum(INTERCONNECT_STATES),
    status: z.enum(HEALTH_STATUSES).nullable().meta({ description: "null: never checked (not active yet, or the watch has not run)." }),
    checkedAt: z.string().nullable(),
    routesCheckedAt: z.string().nullable().meta({ description: "The last route-level check; its findings stand until the next one." }),
    since: z.string().nullable().meta({ description: "When the status last changed." }),
    findings: z.array(
      findingSchema.meta({
        id: "HealthFinding",
        description: `One problem: ${FINDING_CODES.length} codes, each with what was expected, observed, since when and what to do.`,
      }),
    ),
    watch: z.strictObject({
      instanceId: z.string(),
      runtimeStatus: z.string().meta({ description: "The watch's Durable runtimeStatus, or Absent when it is not in the task hub." }),
    }),
    links: recordLinksSchema,
  })
  .meta({ id: "InterconnectHealthView" });

export const recordSchema = z
  .strictObject({
    name: z.string(),
    state: z.enum(INTERCONNECT_STATES),
    spec: z.looseObject({ name: z.string() }).meta({ description: "The spec as accepted (defaults applied)." }),
    bgpPlan: z.looseObject({}).nullable(),
    resources: interconnectResourcesSchema,
    lastKnownResources: interconnectResourcesSchema.optional().meta({ description: "A deleted interconnect's ids, as history." }),
    sharing: z
      .array(
        z
          .strictObject({
            kind: z.enum(SHARED_KINDS),
            resourceId: z.string(),
            shared: z.boolean().meta({ description: "Another live interconnect of this service uses it too." }),
            sharedWith: z.array(z.string()).meta({ description: "The other live interconnects that use it." }),
            createdBy: z
              .string()
              .nullable()
              .meta({ description: "The interconnect that created it; null when it existed before (never removed by this service)." }),
          })
          .meta({ id: "ResourceSharing" }),
      )
      .meta({
        description:
          "For each shareable resource the record names: whether it is shared and with whom. The last live user removes a resource this service created; one that existed before is never removed.",
      }),
    currentOperation: operationSchema
      .extend({
        runtimeStatus: z
          .string()
          .meta({ description: "The Durable runtimeStatus, or Absent when the task hub does not know the instance." }),
        orphaned: z
          .literal(true)
          .optional()
          .meta({ description: "Nothing runs this in-flight operation any more: DELETE the interconnect." }),
        customStatus: z.unknown().meta({
          description: "The workflow's status: step, stepNumber of totalSteps, waitingFor, since, lastObserved, deadline, message.",
        }),
        lastUpdatedTime: z.string().nullable(),
        output: z.unknown().optional(),
      })
      .nullable(),
    health: healthRecordSchema.nullable().meta({ description: "The health watch's last check, null when never checked." }),
    ...closing,
  })
  .meta({ id: "Interconnect" });

export const auditEntrySchema = z
  .strictObject({
    id: z.string(),
    at: z.string(),
    interconnect: z.string(),
    step: z.string(),
    phase: z.enum(AUDIT_PHASES),
    actor: z.string(),
    ticketRef: z.string().optional(),
    instanceId: z.string().optional(),
    operation: z.enum(OPERATION_KINDS),
    cloudRequestIds: z.array(z.string()),
    durationMs: z.number().optional(),
    message: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "AuditEntry" });

export function pageSchema<T extends z.ZodType>(item: T, id: string) {
  return z
    .strictObject({
      items: z.array(item),
      continuationToken: z.string().nullable(),
      nextLink: z.string().nullable().meta({ description: "This request with the next page's token." }),
    })
    .meta({ id });
}

export const auditPageSchema = pageSchema(auditEntrySchema, "AuditPage");

// ---- ITSM ----------------------------------------------------------------------------------

export const itsmSignatureHeaders = z.object({
  "x-itsm-timestamp": z
    .string()
    .regex(/^\d{1,12}$/)
    .optional()
    .meta({ description: "Unix seconds; more than 5 minutes from now is refused (a replay). Required with x-itsm-signature." }),
  "x-itsm-signature": z.string().optional().meta({
    description:
      'sha256=<hex HMAC-SHA256 of "<x-itsm-timestamp>.<raw body>"> with the integration\'s webhook secret, compared in constant time.',
  }),
});

export const hubSignatureHeader = z.object({
  "x-hub-signature": z.string().optional().meta({
    description:
      "Jira only, instead of the two above: sha256=<hex HMAC-SHA256 of the raw body>, as a Jira admin webhook with a secret sends it.",
  }),
});

/** The ServiceNow event as the mapping validates it (src/domain/itsm/servicenow-event.ts); the variables as the catalog item names them. */
export const serviceNowEventBody = serviceNowEventSchema
  .extend({
    variables: z.record(z.string(), z.unknown()).meta({
      description: `The catalog item's variables, every value a string (empty: not set): ${TICKET_VARIABLE_NAMES.join(", ")}. A decommission needs only interconnect_name.`,
    }),
  })
  .meta({ id: "ServiceNowTicketEvent" });

/** The Jira event as the mapping reads it (src/domain/itsm/jira-event.ts): only the issue's id, key and status are required. */
export const jiraEventBody = z
  .union([
    z.looseObject({
      webhookEvent: z.string().optional(),
      issue: jiraIssueSchema,
      changelog: z.unknown().optional(),
      user: z.looseObject({}).optional().meta({ description: "The user the requester falls back to when the requestedBy field is empty." }),
    }),
    jiraIssueSchema.meta({ description: "An Automation payload in Automation format: the issue at the top level (numeric ids)." }),
  ])
  .meta({
    id: "JiraTicketEvent",
    description:
      "The action comes from issue.fields.status.name through JIRA_FIELD_MAP.actions; the variables from the fields JIRA_FIELD_MAP.fields names (text, numbers, true/false or single-select options {value}).",
  });

export const ticketEventAcceptedSchema = z
  .strictObject({
    outcome: z.enum(["started", "existing", "ignored"]).meta({
      description:
        "started: this event started the operation; existing: the same event again; ignored (Jira): a status that asks for no action.",
    }),
    ticket: z.string().meta({ description: "The ticket number or issue key." }),
    action: z.enum(TICKET_ACTIONS).optional(),
    interconnect: z.string().optional(),
    operation: z.string().optional().meta({ description: "The provisioning, teardown or plan instance (itsm-plan-<ticket key>)." }),
    reason: z.string().optional().meta({ description: "Why nothing happened, for ignored." }),
  })
  .meta({ id: "TicketEventAccepted" });

export const ticketKeyParam = z
  .string()
  .regex(TICKET_KEY, "must be a ticket key as listed by GET /api/itsm/notes/parked (servicenow-<sys_id> or jira-<issue id>)")
  .meta({ description: "The ticket's key as GET /api/itsm/notes/parked lists it: servicenow-<sys_id> or jira-<issue id>." });

export const parkedNoteSchema = z
  .strictObject({
    ticketKey: z.string(),
    ticket: z.strictObject({ system: z.string(), number: z.string() }).optional(),
    sequence: z.number().int(),
    noteId: z.string(),
    interconnect: z.string().optional(),
    attempts: z.number().int(),
    lastError: z.string().optional(),
    createdAt: z.string(),
    parkedAt: z.string().optional(),
    text: z.string(),
  })
  .meta({ id: "ParkedNote" });

export const parkedNotesSchema = z.strictObject({ items: z.array(parkedNoteSchema) }).meta({ id: "ParkedNotes" });

export const redeliveredSchema = z
  .strictObject({ ticketKey: z.string(), redelivered: z.number().int().meta({ description: "How many parked notes were put back." }) })
  .meta({ id: "NotesRedelivered" });
