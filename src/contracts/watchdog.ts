/** The watchdog's reads and its one write: find the in-flight operations, flag a stalled one and start a fresh one over it. */
import { z } from "zod";
import { INTERCONNECT_STATES } from "../domain/lifecycle";
import { OWNABLE_RESOURCES } from "../domain/resources";
import { interconnectName, opContext, type ActivityFamily } from "./common";

const operationKind = z.enum(["provision", "teardown"]);
const instanceId = z.string().min(1).max(200);

export const watchedOperation = z.object({
  name: interconnectName,
  state: z.enum(INTERCONNECT_STATES),
  kind: operationKind,
  instanceId,
  attempt: z.number().int().min(0),
  /** From the task hub: Running, Pending, … */
  runtimeStatus: z.string(),
  customStatus: z.unknown(),
  lastUpdatedTime: z.string().nullable(),
  /** What a restarted provisioning needs: the stored spec and BGP plan, and what earlier attempts created. */
  spec: z.unknown(),
  bgpPlan: z.unknown(),
  owned: z.record(z.enum(OWNABLE_RESOURCES), z.boolean()).optional(),
});
export type WatchedOperationRow = z.infer<typeof watchedOperation>;

export const stallFinding = z.object({ reason: z.string().min(1).max(1000), since: z.string().min(1), detectedAt: z.string().min(1) });

export const watchdogActivities = {
  /** Every record whose operation the task hub says is running (requested, provisioning, tearing-down, or a failed one still compensating). */
  watchdogScan: {
    input: z.object({ opContext }),
    output: z.object({ operations: z.array(watchedOperation) }),
  },
  /**
   * Flags the stalled operation on the record (currentOperation.stalled) and audits it; with a
   * restart, terminates the stalled instance and starts the fresh operation in its place (the record's
   * ETag decides, so a user's request that got there first wins and the restart is dropped).
   */
  watchdogRecover: {
    input: z.object({
      opContext,
      stalledInstanceId: instanceId,
      stall: stallFinding,
      restart: z
        .object({
          kind: operationKind,
          instanceId,
          attempt: z.number().int().min(1),
          orchestrator: z.string().min(1).max(100),
          input: z.record(z.string(), z.unknown()),
        })
        .nullable(),
    }),
    output: z.object({ outcome: z.enum(["restarted", "flagged", "superseded"]) }),
  },
} satisfies ActivityFamily;
