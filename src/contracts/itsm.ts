import { z } from "zod";
import { operationObservationSchema } from "../domain/itsm/milestones";
import { TICKET_KEY } from "../domain/itsm/ticket";

/**
 * The ticket watch's activities: names and zod contracts (types by z.infer), checked on both sides of
 * the call, so a watch replayed by a newer version fails loudly rather than misreading its history.
 */
export const ITSM_ACTIVITY = {
  observeOperation: "itsmObserveOperation",
  enqueueNotes: "itsmEnqueueNotes",
  healthNote: "itsmHealthNote",
} as const;

export const observeOperationInput = z.strictObject({
  interconnect: z.string().regex(/^[a-z0-9-]{3,40}$/),
  kind: z.enum(["plan", "provision", "teardown"]),
  instanceId: z.string().min(1).max(200),
});
export type ObserveOperationInput = z.infer<typeof observeOperationInput>;
export const observeOperationOutput = operationObservationSchema;
export type ObserveOperationOutput = z.infer<typeof observeOperationOutput>;

export const noteInputSchema = z.strictObject({
  id: z.string().min(1).max(300),
  text: z.string().min(1).max(16_000),
  close: z.strictObject({ action: z.enum(["provision", "decommission"]), outcome: z.enum(["succeeded", "failed"]) }).optional(),
  interconnect: z
    .string()
    .regex(/^[a-z0-9-]{3,40}$/)
    .optional(),
});

export const enqueueNotesInput = z.strictObject({
  ticketKey: z.string().regex(TICKET_KEY),
  notes: z.array(noteInputSchema).min(1).max(20),
});
export type EnqueueNotesInput = z.infer<typeof enqueueNotesInput>;
export const enqueueNotesOutput = z.strictObject({ added: z.number().int().min(0) });
export type EnqueueNotesOutput = z.infer<typeof enqueueNotesOutput>;

/** A health transition of an interconnect, for the tickets that provisioned it (one note each, once). */
export const healthNoteInput = z.strictObject({
  interconnect: z.string().regex(/^[a-z0-9-]{3,40}$/),
  /** The check that made the transition (orchestration time): the note's identity, so a redelivery adds nothing. */
  checkedAt: z.string().min(1).max(40),
  from: z.enum(["healthy", "degraded", "down"]).optional(),
  to: z.enum(["healthy", "degraded", "down"]),
  raised: z.array(z.string().max(300)).max(100),
  cleared: z.array(z.string().max(300)).max(100),
  findings: z.array(z.strictObject({ code: z.string(), subject: z.string(), severity: z.string(), action: z.string().max(2000) })).max(100),
});
export type HealthNoteInput = z.infer<typeof healthNoteInput>;
export const healthNoteOutput = z.strictObject({ tickets: z.array(z.string()), added: z.number().int().min(0) });
export type HealthNoteOutput = z.infer<typeof healthNoteOutput>;
