/**
 * The record and the audit trail, through activities because orchestrators do no I/O. Every state
 * change goes through the store's lifecycle check; a write by an orchestration that no longer owns
 * the record (another operation took over) is refused.
 */
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { INTERCONNECT_STATES } from "../domain/lifecycle";
import { interconnectResourcesSchema } from "../domain/resources";
import type { AuditPhase, JsonObject } from "../store";
import { ACTIVITY, type AuditEvent } from "./contracts";
import { opContextSchema } from "./inputs";
import { defineActivity } from "./step";

const name = z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, "must be an interconnect name");

const recordReadInput = z.object({ opContext: opContextSchema, name });
const recordUpdateInput = z.object({
  opContext: opContextSchema,
  name,
  expectedOperationId: z.string().min(1),
  patch: z.object({
    resources: interconnectResourcesSchema.optional(),
    failure: z.object({ step: z.string().min(1), code: z.string().min(1), message: z.string() }).nullable().optional(),
    message: z.string().optional(),
  }),
  transitionTo: z.enum(INTERCONNECT_STATES).optional(),
});
const auditAppendInput = z.object({
  opContext: opContextSchema,
  entry: z.object({
    step: z.string().min(1).max(100),
    event: z.enum(["started", "succeeded", "failed", "retrying", "waiting", "skipped"]),
    message: z.string(),
    at: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const recordRead = defineActivity(ACTIVITY.recordRead, recordReadInput, "read", async (input, ctx) => {
  const record = await ctx.deps.store.interconnects.get(input.name);
  if (!record) return { found: false };
  return {
    found: true,
    name: record.name,
    state: record.state,
    spec: record.spec,
    bgpPlan: record.bgpPlan ?? null,
    resources: record.resources,
    operationId: record.currentOperation?.instanceId ?? null,
  };
});

export const recordUpdate = defineActivity(ACTIVITY.recordUpdate, recordUpdateInput, "read", async (input, ctx) => {
  const updated = await ctx.deps.store.interconnects.modify(input.name, (current) => {
    const owner = current.currentOperation?.instanceId;
    if (owner !== input.expectedOperationId) {
      throw new DomainError(
        ErrorCodes.CONFLICT,
        `Interconnect ${input.name} is now owned by operation ${owner ?? "(none)"}, not ${input.expectedOperationId}; this update is refused.`,
      );
    }
    const { patch } = input;
    return {
      ...(patch.resources ? { resources: { ...current.resources, ...patch.resources } } : {}),
      ...(patch.failure !== undefined ? { failure: patch.failure } : {}),
      ...(input.transitionTo !== undefined ? { state: input.transitionTo } : {}),
    };
  });
  // Its BGP blocks are free once the interconnect is gone. A retry of this step (the record already deleted) releases again.
  if (updated.state === "deleted") await ctx.deps.store.bgpBlocks.releaseOwner(updated.name, updated.attempt);
  return { state: updated.state };
});

const PHASE: Record<AuditEvent, AuditPhase> = {
  started: "started",
  succeeded: "succeeded",
  failed: "failed",
  retrying: "retrying",
  waiting: "info",
  skipped: "info",
};

export const auditAppend = defineActivity(ACTIVITY.auditAppend, auditAppendInput, "read", async (input, ctx) => {
  const { opContext, entry } = input;
  const { operation } = opContext;
  // A plan only reads: it leaves no trail on the interconnect it plans.
  if (operation === "plan") return null;
  const details = JSON.parse(JSON.stringify({ ...entry.details, event: entry.event, at: entry.at })) as JsonObject;
  await ctx.deps.store.audit.append({
    interconnect: opContext.interconnect,
    step: entry.step,
    phase: PHASE[entry.event],
    actor: opContext.actor ?? "system",
    ...(opContext.ticketRef ? { ticketRef: opContext.ticketRef } : {}),
    instanceId: opContext.instanceId,
    operation,
    message: entry.message,
    details,
  });
  return null;
});
