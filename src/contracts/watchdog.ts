/** The watchdog's reads and its one write: find the in-flight operations, flag a stalled one and start a fresh one over it. */
import { z } from "zod";
import { INTERCONNECT_STATES } from "../domain/lifecycle";
import { OWNABLE_RESOURCES } from "../domain/resources";
import { circuitSettings, virtualCircuitSettings } from "./change";
import { interconnectName, opContext, type ActivityFamily } from "./common";

const operationKind = z.enum(["provision", "teardown", "change", "adopt"]);
const instanceId = z.string().min(1).max(200);

export const watchedOperation = z.object({
  name: interconnectName,
  /** The record's state; null when the name has no record: an adoption that has not written its record yet. */
  state: z.enum(INTERCONNECT_STATES).nullable(),
  kind: operationKind,
  instanceId,
  attempt: z.number().int().min(0),
  /** From the task hub: Running, Pending, …; "Absent" when the task hub has no such instance (lost or purged). */
  runtimeStatus: z.string(),
  /** When the record's operation began (a lost instance counts from then). */
  startedAt: z.string(),
  customStatus: z.unknown(),
  lastUpdatedTime: z.string().nullable(),
  /** What a restarted provisioning needs: the stored spec and BGP plan, and what earlier attempts created. */
  spec: z.unknown(),
  bgpPlan: z.unknown(),
  owned: z.record(z.enum(OWNABLE_RESOURCES), z.boolean()).optional(),
  /** An adopted interconnect's own ARM names (resources.names): every restart and every read goes by them. */
  names: opContext.shape.names,
  /** The record's virtual circuit (an adopted one has its builder's display name): what an ended change's read goes by. */
  virtualCircuitId: z.string().optional(),
  /** A change's or an adoption's input as the task hub holds it: what a restart runs again; null when it is gone. */
  input: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type WatchedOperationRow = z.infer<typeof watchedOperation>;

export const stallFinding = z.object({ reason: z.string().min(1).max(1000), since: z.string().min(1), detectedAt: z.string().min(1) });

export const watchdogActivities = {
  /**
   * Every record whose operation the task hub says is running (requested, provisioning, tearing-down, or a
   * failed one still compensating), and every active one whose change or adoption ended without finishing
   * (terminated, failed without saying so on the record, or gone from the task hub) and was not ended yet.
   * Also every adoption the task hub runs whose name has no record (or a deleted one): an adoption
   * writes its record only at its end, and until then nothing else would ever look at it.
   */
  watchdogScan: {
    input: z.object({ opContext }),
    output: z.object({ operations: z.array(watchedOperation) }),
  },
  /**
   * Flags the stalled operation on the record (currentOperation.stalled) and audits it; with a
   * restart, terminates the stalled instance and starts the fresh operation in its place (the record's
   * ETag decides, so a user's request that got there first wins and the restart is dropped). An
   * adoption without a record is restarted unless its record appeared meanwhile (superseded).
   */
  watchdogRecover: {
    input: z.object({
      opContext,
      stalledInstanceId: instanceId,
      stall: stallFinding,
      /** An adoption that has not written its record: there is none to flag or claim; the restart's instance id is the claim. */
      withoutRecord: z.boolean().optional(),
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
  /**
   * Ends on the record a change or adoption whose instance ended without finishing and that is not
   * restarted: the record keeps its spec, its failure (a change) says what each side was left in and
   * what to do, one audit row says the same, and an adopted interconnect gets its health watch. An
   * adoption without a record that stalled again after the watchdog restarted it is terminated (so a
   * repeated POST starts a fresh one) and one audit row under its name says what happened and what to do.
   */
  watchdogEnd: {
    input: z.object({
      opContext,
      endedInstanceId: instanceId,
      kind: z.enum(["change", "adopt"]),
      stall: stallFinding,
      /** An adoption that has not written its record: it is terminated and the audit trail under its name says what to do. */
      withoutRecord: z.boolean().optional(),
      /** What the change was to do, from its input; null when the task hub no longer has it. */
      change: z.object({ from: z.record(z.string(), z.unknown()), to: z.record(z.string(), z.unknown()) }).nullable(),
      /** Both sides as read just now (a change); null for an adoption. */
      left: z
        .object({
          circuit: circuitSettings,
          virtualCircuit: virtualCircuitSettings,
        })
        .nullable(),
    }),
    output: z.object({ outcome: z.enum(["ended", "superseded"]) }),
  },
} satisfies ActivityFamily;
