/**
 * The contract between the workflows (orchestrators) and the activities.
 *
 * Everything here crosses the durable history as plain JSON, so:
 * - no class instances, no Dates (ISO strings), no undefined-vs-missing subtleties that matter;
 * - never a secret: the ExpressRoute service key only ever appears masked (the full key would be
 *   persisted in the task hub's history table and shown by status queries).
 *
 * Resource names are NOT passed in: every activity derives its cloud names from
 * `opContext.interconnect` with the domain's `resourceNames(name)`, so a half-built interconnect is
 * found again by name even when no id was ever recorded.
 */

/** A plan is no operation on the interconnect: it only reads, and its failed reads are the plan's problems, not audit rows. */
export type Operation = "provision" | "teardown" | "plan";

/** Carried by every activity input: who/what the call belongs to (audit rows, OCI opc-retry-token). */
export interface OpContext {
  interconnect: string;
  /** The orchestration instance id; activities derive the OCI opc-retry-token from it plus the step. */
  instanceId: string;
  operation: Operation;
  actor?: string;
  ticketRef?: string;
}

export interface AzureScope {
  subscriptionId: string;
  resourceGroup: string;
}

export interface OciScope {
  region: string;
  compartmentId: string;
}

/** Observations: a resource is either found (with its summary) or not. */
export type Observed<T> = ({ found: true } & T) | { found: false };

/**
 * Outcome of a delete step.
 * - deleting: accepted, still going (poll the matching observe step);
 * - deleted: gone (including "was never there");
 * - conflict: the cloud refuses for now (e.g. the circuit's ConflictError while the provider deprovisions): retry later;
 * - in-use: kept on purpose because something else still uses it (gateway with other connections, subnet with a gateway).
 */
export interface DeleteOutcome {
  status: "deleting" | "deleted" | "conflict" | "in-use";
  message?: string;
  retryAfterSeconds?: number;
}

/**
 * The spec's `tags`, put on everything the service creates (Azure tags; OCI freeformTags), merged
 * under the `interconnect` tag, which always names the interconnect.
 */
export type ResourceTags = Record<string, string>;
