/**
 * What every activity contract shares. Everything here crosses the durable history as plain JSON, so:
 * - no class instances, no Dates (ISO strings);
 * - never a secret: the ExpressRoute service key only ever appears masked (the full key would be
 *   persisted in the task hub's history table and shown by status queries).
 *
 * Resource names are NOT passed in: every activity derives its cloud names from
 * `opContext.interconnect` with the domain's `resourceNames(name)`, so a half-built interconnect is
 * found again by name even when no id was ever recorded.
 *
 * The input schemas are checked by every activity: the orchestrator is the only caller, but a history
 * written by an older version of it is an outside input too, and a bad field fails the step at once,
 * naming the field, instead of reaching a cloud API.
 */
import { z } from "zod";
import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE, resourceNames, type ResourceNames } from "../domain/names";

export const text = z.string().min(1).max(1024);
export const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.10.0.0/16");
export const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");
export const armId = z
  .string()
  .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/[^/]+\/[^/]+/i, "must be an ARM resource id");
export const ocid = (kind: string) => z.string().regex(new RegExp(`^ocid1\\.${kind}\\.`), `must be an OCID (ocid1.${kind}.…)`);
export const compartmentOcid = z.string().regex(/^ocid1\.(compartment|tenancy)\./, "must be a compartment or tenancy OCID");
export const region = z.string().regex(/^[a-z]{2,}-[a-z]+-\d+$/, "must be an OCI region id such as us-ashburn-1");
export const interconnectName = z.string().regex(INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE);

/**
 * "watch": the health watch of an active interconnect. A plan is no operation on the interconnect:
 * it only reads, and its failed reads are the plan's problems, not audit rows. "change": a PATCH carried out in place; "adopt": taking over one built by hand.
 */
export const OPERATIONS = ["provision", "teardown", "watch", "plan", "change", "adopt"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Carried by every activity input: who/what the call belongs to (audit rows, OCI opc-retry-token). */
export const opContext = z.object({
  interconnect: interconnectName,
  /** The orchestration instance id; activities derive the OCI opc-retry-token from it plus the step. */
  instanceId: z.string().min(1).max(200),
  operation: z.enum(OPERATIONS),
  actor: z.string().min(1).max(256).optional(),
  ticketRef: z.string().min(1).max(100).optional(),
  /**
   * Which call of the orchestration this is (its orchestration time and ordinal), the same on every
   * replay and re-delivery: the audit row of one call is written once, and a call that really ran
   * again after a crash is told apart from the orchestrator's own retries (which get new keys).
   */
  callKey: z.string().min(1).max(100).optional(),
  /** An adopted interconnect's ARM names, in place of the derived ones (domain/resources.ts AdoptedNames). */
  names: z.strictObject({ circuit: text.optional(), connection: text.optional(), gateway: text.optional() }).optional(),
});
export type OpContext = z.infer<typeof opContext>;

/** The names an activity looks the interconnect's resources up under: derived, or an adopted one's own. */
export function namesOf(op: Pick<OpContext, "interconnect" | "names">): ResourceNames {
  return { ...resourceNames(op.interconnect), ...op.names };
}

export const azureScope = z.object({ subscriptionId: guid, resourceGroup: z.string().min(1).max(90) });
export type AzureScope = z.infer<typeof azureScope>;

export const ociScope = z.object({ region, compartmentId: compartmentOcid });
export type OciScope = z.infer<typeof ociScope>;

/**
 * The spec's `tags`, put on everything the service creates (Azure tags; OCI freeformTags), merged
 * under the `interconnect` tag, which always names the interconnect. The spec's own rule
 * (domain/spec.ts) is stricter; this only keeps a corrupted history from reaching a cloud API.
 */
export const resourceTags = z.record(z.string().min(1).max(128), z.string().max(256));
export type ResourceTags = z.infer<typeof resourceTags>;

/** The spec's tags under the interconnect tag, which always names the interconnect. */
export function withInterconnectTag(tags: ResourceTags | undefined, interconnect: string): ResourceTags {
  return { ...tags, interconnect };
}

/** An observation: a resource is either found (with its summary) or not ("not found" is a value). */
export function observed<S extends z.ZodRawShape>(shape: S) {
  return z.discriminatedUnion("found", [z.object({ found: z.literal(true), ...shape }), z.object({ found: z.literal(false) })]);
}

/**
 * Outcome of a delete step.
 * - deleting: accepted, still going (poll the matching observe step);
 * - deleted: gone (including "was never there");
 * - conflict: the cloud refuses for now (e.g. the circuit's ConflictError while the provider deprovisions): retry later;
 * - in-use: kept on purpose because something else still uses it (gateway with other connections, subnet with a gateway);
 * - busy: the resource's own operation still runs (a gateway's deployment) and the cloud would refuse the delete: nothing
 *   was asked of it; wait for the operation, then delete.
 */
export const DELETE_STATUSES = ["deleting", "deleted", "conflict", "in-use", "busy"] as const;
export const deleteOutcome = z.object({
  status: z.enum(DELETE_STATUSES),
  message: z.string().optional(),
  retryAfterSeconds: z.number().optional(),
});
export type DeleteOutcome = z.infer<typeof deleteOutcome>;

/** One activity: the schema of its input (checked on every call) and of its output (its type). */
export interface ActivityContract {
  input: z.ZodType;
  output: z.ZodType;
}
export type ActivityFamily = Record<string, ActivityContract>;
