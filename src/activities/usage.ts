/**
 * The usage rows of shared resources (src/domain/sharing.ts), written by the runs as they create,
 * reuse and release resources; and the plan's read of them. Store steps only: no cloud call.
 */
import { removalDecision, usesOf, type RemovalDecision } from "../domain/sharing";
import type { StoredUsage, UsageRef } from "../store";
import type { ActivityInput, DeleteOutcome, SharedDeleteOutcome, UsageSeen } from "../contracts";
import { defineActivity, type StepContext } from "./step";

function seen(ref: UsageRef, row: StoredUsage, self: string): UsageSeen {
  return { ...ref, sharedWith: row.users.filter((u) => u !== self), createdBy: row.createdBy ?? null };
}

type Release = NonNullable<ActivityInput<"ociDeleteDrg">["release"]>;

async function release(ctx: StepContext, resources: readonly Release[number][]): Promise<UsageSeen[]> {
  const self = ctx.opContext.interconnect;
  const out: UsageSeen[] = [];
  for (const { kind, resourceId, createdBySelf } of resources) {
    const ref = { kind, resourceId };
    out.push(seen(ref, await ctx.deps.store.usage.release(ref, self, createdBySelf ? self : undefined), self));
  }
  return out;
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
  const resources = await release(ctx, input.resources);
  const forget = input.forget ?? [];
  for (const { kind, resourceId } of forget) await ctx.deps.store.usage.forget({ kind, resourceId });
  return input.forget === undefined ? { resources } : { resources, forgotten: forget.length };
});

/** Which cloud resources the interconnects of this service use, for the plan's share decisions: the usage rows. */
export const resourceUsageRead = defineActivity("resourceUsageRead", "read", async (_input, ctx) => {
  return { uses: usesOf(await ctx.deps.store.usage.list()) };
});

/**
 * The delete of a shared resource, with its usage rows: this interconnect's use is released first, the
 * domain's removalDecision is made on the rows as left, and only then is the cloud asked (the delete
 * checks the live cloud once more). One activity, so a delete that runs twice (a crash after the delete,
 * before its result was recorded) releases again, which changes nothing, and decides again on the rows
 * as they are then: the release is never lost behind a delete, and what another interconnect uses by
 * then is kept. `each`: every resource goes or stays on its own decision (route rules); otherwise the
 * first decides for all (the gateway's public IP follows the gateway). `remove` gets the decision of a
 * released resource by id.
 */
export async function deleteShared(
  ctx: StepContext,
  resources: Release | undefined,
  remove: (allowed: (resourceId: string) => boolean) => Promise<DeleteOutcome>,
  each = false,
): Promise<SharedDeleteOutcome> {
  if (resources === undefined) return remove(() => true);
  const self = ctx.opContext.interconnect;
  const usage = await release(ctx, resources);
  const decisions: RemovalDecision[] = resources.map((r, i) => {
    const row = usage[i]!;
    return removalDecision(
      r.kind,
      r.resourceId,
      { users: row.sharedWith, ...(row.createdBy === null ? {} : { createdBy: row.createdBy }) },
      self,
      r.createdBySelf,
    );
  });
  const removable = new Set(resources.filter((_r, i) => decisions[i]!.remove).map((r) => r.resourceId.toLowerCase()));
  if (each ? removable.size === 0 : !decisions[0]!.remove) {
    const message = decisions
      .filter((d) => !d.remove)
      .map((d) => d.message)
      .join(" ");
    return { status: "kept", message, usage };
  }
  const allowed = each ? (id: string) => removable.has(id.toLowerCase()) : () => true;
  return { ...(await remove(allowed)), usage };
}
