/**
 * The health watch's activities (day2-operations.md §1, §2): load what to watch, read both clouds,
 * save the health, the GET+PUT refreshes AUTO_REPAIR may run, start and stop the watch.
 */
import { z } from "zod";
import { desiredSnapshotSchema } from "../domain/desired-snapshot";
import { HEALTH_STATUSES, interconnectHealthSchema } from "../domain/health";
import { controlPlaneObservationSchema, routeObservationSchema } from "../domain/observation";
import { armId, guid, interconnectName as name, ocid, opContext, region, type ActivityFamily } from "./common";
import { turnHolder } from "./network-turn";

export const healthTargetsSchema = z.strictObject({
  interconnect: name,
  subscriptionId: guid,
  resourceGroup: z.string().min(1).max(90),
  virtualNetworkName: z.string().min(1).max(64),
  /** The gateway may be one the service found (another name, even another resource group). */
  gatewayId: armId,
  region,
  virtualCircuitId: ocid("virtualcircuit"),
  drgId: ocid("drg"),
  drgAttachmentId: ocid("drgattachment"),
  vcnId: ocid("vcn"),
  routeTableId: ocid("routetable"),
  /** An adopted interconnect's own ARM names (the circuit, the connection). */
  names: z
    .strictObject({
      circuit: z.string().min(1).optional(),
      connection: z.string().min(1).optional(),
      gateway: z.string().min(1).optional(),
    })
    .optional(),
  /** The end-to-end probe's connection monitor, when the spec has one. */
  connectionMonitorId: armId.optional(),
});
export type HealthTargets = z.infer<typeof healthTargetsSchema>;

export const healthSettingsSchema = z.strictObject({
  controlPlaneMinutes: z.number().int().min(1),
  routesMinutes: z.number().int().min(1),
  autoRepair: z.boolean(),
});
export type HealthSettings = z.infer<typeof healthSettingsSchema>;

const transition = z.strictObject({
  from: z.enum(HEALTH_STATUSES).optional(),
  to: z.enum(HEALTH_STATUSES),
  /** Finding keys (code|subject). */
  raised: z.array(z.string()),
  cleared: z.array(z.string()),
});
const refresh = {
  input: z.object({ opContext, targets: healthTargetsSchema }),
  output: z.strictObject({ outcome: z.enum(["refreshing", "not-failed", "not-found"]) }),
};

export const healthActivities = {
  healthLoad: {
    /** vcnQueue: also the runs holding or waiting for the turn on the VCN (read right before a route-rule repair). */
    input: z.object({ opContext, name, vcnQueue: z.boolean().optional() }),
    output: z.discriminatedUnion("watching", [
      /** The record is gone or no longer active: the watch ends. */
      z.strictObject({ watching: z.literal(false), state: z.string() }),
      z.strictObject({
        watching: z.literal(true),
        targets: healthTargetsSchema,
        desired: desiredSnapshotSchema,
        health: interconnectHealthSchema.optional(),
        settings: healthSettingsSchema,
        vcnQueue: z.array(turnHolder).optional(),
        /** The record's current operation (its instance id), which the save compares: one that began meanwhile owns the interconnect. */
        operationId: z.string().nullable().optional(),
        /**
         * An operation runs on the interconnect now (a change flaps BGP on purpose, an adoption tags): the
         * watch checks nothing until it has ended, and then compares with what it committed.
         */
        busy: z.strictObject({ kind: z.string(), instanceId: z.string() }).optional(),
      }),
    ]),
  },
  healthObserveControlPlane: { input: z.object({ opContext, targets: healthTargetsSchema }), output: controlPlaneObservationSchema },
  healthObserveRoutes: {
    input: z.object({
      opContext,
      targets: healthTargetsSchema,
      drgRouteTableId: ocid("drgroutetable").optional(),
      peeringPresent: z.boolean(),
    }),
    output: routeObservationSchema,
  },
  healthSave: {
    input: z.object({
      opContext,
      name,
      health: interconnectHealthSchema,
      desired: desiredSnapshotSchema,
      /** Present when the status or the set of findings changed: one audit row and one alert event. */
      transition: transition.optional(),
      /** The record's operation when the check began (healthLoad's operationId). */
      operationId: z.string().nullable().optional(),
    }),
    /**
     * saved false: the record left `active` meanwhile (a teardown began), so nothing was written.
     * outdated: written neither, as the check no longer speaks for the interconnect: a change committed
     * meanwhile (new desired snapshot), or an operation began on it during the check.
     */
    output: z.strictObject({ saved: z.boolean(), outdated: z.boolean().optional() }),
  },
  healthRefreshCircuit: refresh,
  healthRefreshConnection: refresh,
  /** Starts the watch unless it runs (durable client binding). */
  healthWatchEnsure: {
    input: z.object({ opContext, name }),
    output: z.strictObject({ instanceId: z.string(), started: z.boolean(), runtimeStatus: z.string() }),
  },
  /** Raises the watch's stop event if it runs (durable client binding). */
  healthWatchStop: { input: z.object({ opContext, name }), output: z.strictObject({ instanceId: z.string(), signalled: z.boolean() }) },
} satisfies ActivityFamily;

export type HealthLoad = z.infer<typeof healthActivities.healthLoad.output>;
export type HealthSaveInput = z.infer<typeof healthActivities.healthSave.input>;
