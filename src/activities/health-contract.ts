/**
 * The health watch's activities: input and output schemas (checked on every call; the watch's history
 * is an outside input too), types by z.infer.
 */
import { z } from "zod";
import { desiredSnapshotSchema } from "../domain/desired-snapshot";
import { HEALTH_STATUSES, interconnectHealthSchema } from "../domain/health";
import { controlPlaneObservationSchema, routeObservationSchema } from "../domain/observation";
import { opContextSchema } from "./inputs";

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");
const armId = z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/[^/]+\/[^/]+/i, "must be an ARM resource id");
const ocid = (kind: string) => z.string().regex(new RegExp(`^ocid1\\.${kind}\\.`), `must be an OCID (ocid1.${kind}.…)`);
const name = z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, "must be an interconnect name");

export const healthTargetsSchema = z.strictObject({
  interconnect: name,
  subscriptionId: guid,
  resourceGroup: z.string().min(1).max(90),
  virtualNetworkName: z.string().min(1).max(64),
  gatewayId: armId,
  region: z.string().regex(/^[a-z]{2,}-[a-z]+-\d+$/, "must be an OCI region id such as us-ashburn-1"),
  virtualCircuitId: ocid("virtualcircuit"),
  drgId: ocid("drg"),
  drgAttachmentId: ocid("drgattachment"),
  vcnId: ocid("vcn"),
  routeTableId: ocid("routetable"),
});

export const healthSettingsSchema = z.strictObject({
  controlPlaneMinutes: z.number().int().min(1),
  routesMinutes: z.number().int().min(1),
  autoRepair: z.boolean(),
});
export type HealthSettings = z.infer<typeof healthSettingsSchema>;

export const healthLoadInput = z.object({ opContext: opContextSchema, name });
export const healthLoadOutput = z.discriminatedUnion("watching", [
  /** The record is gone or no longer active: the watch ends. */
  z.strictObject({ watching: z.literal(false), state: z.string() }),
  z.strictObject({
    watching: z.literal(true),
    targets: healthTargetsSchema,
    desired: desiredSnapshotSchema,
    health: interconnectHealthSchema.optional(),
    settings: healthSettingsSchema,
  }),
]);

export const healthObserveControlPlaneInput = z.object({ opContext: opContextSchema, targets: healthTargetsSchema });
export const healthObserveControlPlaneOutput = controlPlaneObservationSchema;

export const healthObserveRoutesInput = z.object({
  opContext: opContextSchema,
  targets: healthTargetsSchema,
  drgRouteTableId: ocid("drgroutetable").optional(),
  peeringPresent: z.boolean(),
});
export const healthObserveRoutesOutput = routeObservationSchema;

const transitionSchema = z.strictObject({
  from: z.enum(HEALTH_STATUSES).optional(),
  to: z.enum(HEALTH_STATUSES),
  raised: z.array(z.string()),
  cleared: z.array(z.string()),
});
export const healthSaveInput = z.object({
  opContext: opContextSchema,
  name,
  health: interconnectHealthSchema,
  desired: desiredSnapshotSchema,
  /** Present when the status or the set of findings changed: one audit row and one alert event. */
  transition: transitionSchema.optional(),
});
/** saved false: the record left `active` meanwhile (a teardown began), so nothing was written. */
export const healthSaveOutput = z.strictObject({ saved: z.boolean() });

export const healthRefreshInput = z.object({ opContext: opContextSchema, targets: healthTargetsSchema });
export const healthRefreshOutput = z.strictObject({ outcome: z.enum(["refreshing", "not-failed", "not-found"]) });

export const healthWatchEnsureInput = z.object({ opContext: opContextSchema, name });
export const healthWatchEnsureOutput = z.strictObject({ instanceId: z.string(), started: z.boolean(), runtimeStatus: z.string() });

export const healthWatchStopInput = z.object({ opContext: opContextSchema, name });
export const healthWatchStopOutput = z.strictObject({ instanceId: z.string(), signalled: z.boolean() });

export type HealthTargets = z.infer<typeof healthTargetsSchema>;
export type HealthLoadInput = z.infer<typeof healthLoadInput>;
export type HealthLoad = z.infer<typeof healthLoadOutput>;
export type HealthObserveControlPlaneInput = z.infer<typeof healthObserveControlPlaneInput>;
export type HealthObserveRoutesInput = z.infer<typeof healthObserveRoutesInput>;
export type HealthSaveInput = z.infer<typeof healthSaveInput>;
export type HealthSaveOutput = z.infer<typeof healthSaveOutput>;
export type HealthRefreshInput = z.infer<typeof healthRefreshInput>;
export type HealthRefreshOutput = z.infer<typeof healthRefreshOutput>;
export type HealthWatchEnsureInput = z.infer<typeof healthWatchEnsureInput>;
export type HealthWatchEnsureOutput = z.infer<typeof healthWatchEnsureOutput>;
export type HealthWatchStopInput = z.infer<typeof healthWatchStopInput>;
export type HealthWatchStopOutput = z.infer<typeof healthWatchStopOutput>;
