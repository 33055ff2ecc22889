import { z } from "zod";
import type { BgpPlan } from "../domain/bgp-plan";
import type { DesiredSnapshot } from "../domain/desired-snapshot";
import type { InterconnectHealth } from "../domain/health";
import { INTERCONNECT_STATES, type InterconnectState } from "../domain/lifecycle";
import { fromLegacyResources, interconnectResourcesSchema, type InterconnectResources } from "../domain/resources";
import type { InterconnectSpec } from "../domain/spec";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), jsonValueSchema);

/**
 * "watch": the health watch of an active interconnect (audit rows only; never a currentOperation).
 * "change": a PATCH carried out in place on an active interconnect (the state stays active).
 * "adopt": the adoption that wrote the record of an interconnect built by hand.
 */
export const OPERATION_KINDS = ["provision", "teardown", "watch", "change", "adopt"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface InterconnectOperation {
  kind: OperationKind;
  /** Durable orchestration instance id. */
  instanceId: string;
  startedAt: string;
  /** Set by the watchdog: the instance runs but nothing will move it on (see src/domain/stall.ts). */
  stalled?: OperationStall;
}

export interface OperationStall {
  reason: string;
  /** Since when it counts as stuck (its deadline or its last progress), orchestration time. */
  since: string;
  detectedAt: string;
  /** What the watchdog did: the operation it started in its place, or why it did not. */
  recovery: string;
}

export interface InterconnectFailure {
  step: string;
  code: string;
  message: string;
}

export type { InterconnectResources, ResourceOwnership } from "../domain/resources";

export interface InterconnectRecord {
  name: string;
  /** The spec as accepted by parseInterconnectSpec (defaults applied). */
  spec: InterconnectSpec;
  state: InterconnectState;
  /** The BGP address plan derived from the spec, once computed. */
  bgpPlan?: BgpPlan;
  resources: InterconnectResources;
  currentOperation?: InterconnectOperation;
  failure?: InterconnectFailure;
  /** Provision/teardown runs started for this interconnect; each run increments it. */
  attempt: number;
  /** The health watch's last check of an active interconnect. */
  health?: InterconnectHealth;
  /** What was built, as the health watch diffs live state against it. */
  desired?: DesiredSnapshot;
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
}

/** A record as read: carries the ETag to hand back on the next conditional write. */
export interface StoredInterconnect extends InterconnectRecord {
  etag: string;
}

/** Name rule of the spec; also keeps row keys free of the characters Table Storage forbids. */
export const INTERCONNECT_NAME = /^[a-z0-9-]{3,40}$/;

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 timestamp");
const nonEmpty = z.string().min(1);

export const operationSchema: z.ZodType<InterconnectOperation> = z.strictObject({
  kind: z.enum(OPERATION_KINDS),
  instanceId: nonEmpty,
  startedAt: isoTimestamp,
  stalled: z.strictObject({ reason: z.string(), since: nonEmpty, detectedAt: nonEmpty, recovery: z.string() }).optional(),
});

export const failureSchema: z.ZodType<InterconnectFailure> = z.strictObject({
  step: nonEmpty,
  code: nonEmpty,
  message: z.string(),
});

/** Written: the structured form only. */
export const resourcesSchema = interconnectResourcesSchema;

/** Read: rows from before resources were structured (comma lists) are read too, and rewritten structured on the next write. */
export const storedResourcesSchema: z.ZodType<InterconnectResources> = z.preprocess(fromLegacyResources, interconnectResourcesSchema);

const bgpSessionSchema = z.strictObject({ cidr: nonEmpty, oracleBgpPeeringIp: nonEmpty, customerBgpPeeringIp: nonEmpty });
export const bgpPlanSchema: z.ZodType<BgpPlan> = z.strictObject({ primary: bgpSessionSchema, secondary: bgpSessionSchema });

/**
 * Read-side check of a stored spec. The full parseInterconnectSpec is not re-run on read: its catalog
 * check depends on PEERING_LOCATIONS_FILE, and a catalog change must not make existing records unreadable.
 */
export const storedSpecSchema = z
  .looseObject({
    name: z.string().regex(INTERCONNECT_NAME),
    bandwidthGbps: z.number(),
    azure: z.looseObject({ subscriptionId: nonEmpty, resourceGroup: nonEmpty }),
    oci: z.looseObject({ region: nonEmpty, compartmentId: nonEmpty, vcnId: nonEmpty }),
  })
  .transform((spec) => spec as unknown as InterconnectSpec);

export const stateSchema = z.enum(INTERCONNECT_STATES);
export const attemptSchema = z.number().int().min(0);
export const timestampSchema = isoTimestamp;
