/**
 * The usage rows of shared resources (src/domain/sharing.ts), written by the runs as they create,
 * reuse and release resources; and the plan's read of them. Store steps only: no cloud call.
 */
import { usesOf } from "../domain/sharing";
import type { StoredUsage, UsageRef } from "../store";
import type { UsageSeen } from "../contracts";
import { defineActivity } from "./step";

function seen(ref: UsageRef, row: StoredUsage, self: string): UsageSeen {
  return { ...ref, sharedWith: row.users.filter((u) => u !== self), createdBy: row.createdBy ?? null };
}

export const usageAdd = defineActivity("usageAdd", "read", async (input, ctx) => {
  const self = ctx.opContext.interconnect;
  const uses: UsageSeen[] = [];
  for (const { kind, resourceId, created } of input.uses) {
    const ref = { kind, resourceId };
    uses.push(seen(ref, await ctx.deps.store.usage.add(ref, self, created ? self : undefined), self));
  }
  return { uses };
});

export const usageRelease = defineActivity("usageRelease", "read", async (input, ctx) => {
  const self = ctx.opContext.interconnect;
  const resources: UsageSeen[] = [];
  for (const { kind, resourceId, createdBySelf } of input.resources) {
    const ref = { kind, resourceId };
    resources.push(seen(ref, await ctx.deps.store.usage.release(ref, self, createdBySelf ? self : undefined), self));
  }
  return { resources };
});

export const usageForget = defineActivity("usageForget", "read", async (input, ctx) => {
  for (const { kind, resourceId } of input.resources) await ctx.deps.store.usage.forget({ kind, resourceId });
  return { forgotten: input.resources.length };
});

/** Which cloud resources the interconnects of this service use, for the plan's share decisions: the usage rows. */
export const resourceUsageRead = defineActivity("resourceUsageRead", "read", async (_input, ctx) => {
  return { uses: usesOf(await ctx.deps.store.usage.list()) };
});
