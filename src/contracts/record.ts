/** The interconnect record and the audit trail, written through activities (orchestrators do no I/O). */
import { z } from "zod";
import { INTERCONNECT_STATES } from "../domain/lifecycle";
import { interconnectResourcesSchema } from "../domain/resources";
import { interconnectName, observed, opContext, type ActivityFamily } from "./common";

export const stepFailureSummary = z.object({ step: z.string().min(1), code: z.string().min(1), message: z.string() });
export type StepFailureSummary = z.infer<typeof stepFailureSummary>;

export const recordPatch = z.object({
  resources: interconnectResourcesSchema.optional(),
  failure: stepFailureSummary.nullable().optional(),
});
export type RecordPatch = z.infer<typeof recordPatch>;

export const AUDIT_EVENTS = ["started", "succeeded", "failed", "retrying", "waiting", "skipped"] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export const auditEntry = z.object({
  step: z.string().min(1).max(100),
  event: z.enum(AUDIT_EVENTS),
  message: z.string(),
  /** The orchestration time of the event (ISO), so replays write the same row. */
  at: z.string().min(1),
  /** Small JSON facts (states, ids, codes); never secrets. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

/** The record as the workflows need it. `spec` and `bgpPlan` are the stored JSON (domain types). */
export const recordSnapshot = observed({
  name: z.string(),
  state: z.enum(INTERCONNECT_STATES),
  spec: z.unknown(),
  bgpPlan: z.unknown(),
  resources: interconnectResourcesSchema,
  operationId: z.string().nullable(),
});
export type RecordSnapshot = z.infer<typeof recordSnapshot>;

export const recordActivities = {
  recordRead: { input: z.object({ opContext, name: interconnectName }), output: recordSnapshot },
  recordUpdate: {
    input: z.object({
      opContext,
      name: interconnectName,
      /** The orchestration instance that owns the record now; a mismatch is a permanent CONFLICT failure. */
      expectedOperationId: z.string().min(1),
      patch: recordPatch,
      /** Goes through the domain's state machine (assertTransition). Same state again is a no-op transition. */
      transitionTo: z.enum(INTERCONNECT_STATES).optional(),
    }),
    output: z.object({ state: z.enum(INTERCONNECT_STATES) }),
  },
  auditAppend: { input: z.object({ opContext, entry: auditEntry }), output: z.null() },
} satisfies ActivityFamily;
