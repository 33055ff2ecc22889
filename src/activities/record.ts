/**
 * The record and the audit trail, through activities because orchestrators do no I/O. Every state
 * change goes through the store's lifecycle check; a write by an orchestration that no longer owns
 * the record (another operation took over) is refused.
 */
import { DomainError, ErrorCodes } from "../domain/errors";
import type { AuditPhase, JsonObject } from "../store";
import type { AuditEvent } from "../contracts";
import { defineActivity } from "./step";

export const recordRead = defineActivity("recordRead", "read", async (input, ctx) => {
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

export const recordUpdate = defineActivity("recordUpdate", "read", async (input, ctx) => {
  const updated = await ctx.deps.store.interconnects.modify(input.name, (current) => {
    const owner = current.currentOperation?.instanceId;
    if (owner !== input.expectedOperationId) {
      throw new DomainError(
        ErrorCodes.CONFLICT,
        `Interconnect ${input.name} is now owned by operation ${owner ?? "(none)"}, not ${input.expectedOperationId}; this update is refused.`,
      );
    }
    const { patch } = input;
    const kept = patch.forget
      ? Object.fromEntries(Object.entries(current.resources).filter(([k]) => !patch.forget?.includes(k as never)))
      : current.resources;
    return {
      ...(patch.resources || patch.forget ? { resources: { ...kept, ...patch.resources } } : {}),
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

export const auditAppend = defineActivity("auditAppend", "read", async (input, ctx) => {
  const { opContext, entry } = input;
  const { operation } = opContext;
  // A plan only reads: it leaves no trail on the interconnect it plans.
  if (operation === "plan") return null;
  const details = JSON.parse(JSON.stringify({ ...entry.details, event: entry.event, at: entry.at })) as JsonObject;
  await ctx.deps.store.audit.append(
    {
      interconnect: opContext.interconnect,
      step: entry.step,
      phase: PHASE[entry.event],
      actor: opContext.actor ?? "system",
      ...(opContext.ticketRef ? { ticketRef: opContext.ticketRef } : {}),
      instanceId: opContext.instanceId,
      operation,
      message: entry.message,
      details,
    },
    opContext.callKey === undefined ? undefined : { key: `${opContext.instanceId}\n${opContext.callKey}`, onDuplicate: "skip" },
  );
  return null;
});
