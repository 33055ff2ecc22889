/**
 * VCN route rules VNet prefixes → DRG. updateRouteTable replaces the whole rule list, so the
 * table is read, merged and written back with if-match: a concurrent writer makes the PUT fail
 * (412) instead of losing its rule, and the merge is redone on the fresh table. Our rules carry
 * the interconnect's description; every other rule is kept untouched.
 */
import type { OciNetwork, RouteRule, RouteTable } from "../clouds/oci/network";
import { CloudError } from "../clouds/errors";
import { type ActivityInput, type DeleteOutcome, permanent, retryLater, namesOf } from "../contracts";
import { routeRuleId } from "../domain/sharing";
import { otherVirtualCircuits } from "./drg";
import { defineActivity, StepFailed, type StepContext } from "./step";
import { deleteShared } from "./usage";

const MERGE_ATTEMPTS = 4;

type Merge = (rules: RouteRule[]) => RouteRule[] | "unchanged";

/** Applies `merge` to the current rules and writes them if they changed; redone after a lost if-match race. */
async function mergeRules(oci: OciNetwork, routeTableId: string, merge: Merge): Promise<RouteTable | undefined> {
  for (let attempt = 1; ; attempt++) {
    const current = await oci.getRouteTable(routeTableId);
    if (!current) return undefined;
    const next = merge(current.routeTable.routeRules ?? []);
    if (next === "unchanged") return current.routeTable;
    try {
      return (await oci.updateRouteTable(routeTableId, next, current.etag)).routeTable;
    } catch (err) {
      const lostRace = err instanceof CloudError && err.statusCode === 412;
      if (!lostRace) throw err;
      if (attempt >= MERGE_ATTEMPTS) {
        throw new StepFailed(
          retryLater("ROUTE_TABLE_BUSY", `Route table ${routeTableId} kept changing under ${MERGE_ATTEMPTS} merge attempts.`, 15),
        );
      }
    }
  }
}

function destinationOf(rule: RouteRule): string | undefined {
  return rule.destination ?? rule.cidrBlock;
}

/** Rules this service wrote carry "interconnect:<name>" (resourceNames): any interconnect's, for a hand-over. */
const SERVICE_RULE = /^interconnect:[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

export const ociEnsureRouteRules = defineActivity("ociEnsureRouteRules", "mutation", async (input, ctx) => {
  const description = namesOf(ctx.opContext).routeRuleDescription;
  const wanted = [...new Set(input.destinations)];
  let created: string[] = [];
  const table = await mergeRules(ctx.oci(input.region), input.routeTableId, (rules) => {
    const others = rules.filter((r) => r.description !== description);
    for (const d of wanted) {
      const clash = others.find((r) => destinationOf(r) === d);
      // Someone else's rule for the same destination: OCI allows one; replacing it would hijack their route.
      if (clash && clash.networkEntityId !== input.drgId) {
        throw new StepFailed(
          permanent(
            "ROUTE_CONFLICT",
            `Route table ${input.routeTableId} already routes ${d} to ${clash.networkEntityId}; remove that rule or choose another VNet prefix.`,
          ),
        );
      }
    }
    const ours = wanted
      .filter((d) => !others.some((r) => destinationOf(r) === d))
      .map((d): RouteRule => ({
        destination: d,
        destinationType: "CIDR_BLOCK" as RouteRule["destinationType"],
        networkEntityId: input.drgId,
        description,
      }));
    const current = rules.filter((r) => r.description === description);
    created = ours.map((o) => o.destination ?? "");
    const same =
      current.length === ours.length &&
      ours.every((o) => current.some((c) => destinationOf(c) === o.destination && c.networkEntityId === o.networkEntityId));
    return same ? "unchanged" : [...others, ...ours];
  });
  if (!table) throw new StepFailed(permanent("NOT_FOUND", `Route table ${input.routeTableId} was not found.`));
  return { routeTableId: input.routeTableId, destinations: wanted, created };
});

/**
 * The rules the usage rows allow removing (destinations → drgId, written by any interconnect of this
 * service: the last user removes a rule another created), or without them this interconnect's own
 * rules by description. Never a rule the service did not write; never one to a DRG that the live
 * cloud shows serving another virtual circuit (the same VNet prefixes → the same DRG are its route too).
 */
export const ociRemoveRouteRules = defineActivity("ociRemoveRouteRules", "mutation", (input, ctx) =>
  // Each rule goes or stays on its own usage row: one prefix may be another interconnect's route too.
  deleteShared(ctx, input.release, (allowed) => removeRules(input, ctx, allowed), true),
);

async function removeRules(
  input: ActivityInput<"ociRemoveRouteRules">,
  ctx: StepContext,
  allowed: (resourceId: string) => boolean,
): Promise<DeleteOutcome> {
  const description = namesOf(ctx.opContext).routeRuleDescription;
  const oci = ctx.oci(input.region);
  const { destinations, drgId } = input;
  const named =
    destinations !== undefined && drgId !== undefined
      ? new Set(destinations.filter((d) => allowed(routeRuleId(input.routeTableId, d, drgId))))
      : undefined;
  const removable = (r: RouteRule) =>
    named === undefined
      ? r.description === description
      : r.networkEntityId === input.drgId && named.has(destinationOf(r) ?? "") && SERVICE_RULE.test(r.description ?? "");
  const needed = new Map<string, string[]>();
  if (input.compartmentId !== undefined) {
    const table = await oci.getRouteTable(input.routeTableId);
    const drgs = new Set((table?.routeTable.routeRules ?? []).filter(removable).map((r) => r.networkEntityId));
    for (const drgId of drgs) {
      const others = await otherVirtualCircuits(oci, [input.compartmentId], drgId, ctx.opContext.interconnect);
      if (others.length > 0) needed.set(drgId, others);
    }
  }
  await mergeRules(oci, input.routeTableId, (rules) => {
    const kept = rules.filter((r) => !removable(r) || needed.has(r.networkEntityId));
    return kept.length === rules.length ? "unchanged" : kept;
  });
  if (needed.size > 0) {
    const who = [...needed].map(([drgId, vcs]) => `DRG ${drgId} (virtual circuit(s) ${vcs.join(", ")})`).join("; ");
    return {
      status: "in-use",
      message: `route rules of ${input.routeTableId} to ${who} are kept: another virtual circuit still routes through them (live cloud).`,
    };
  }
  return { status: "deleted" };
}
