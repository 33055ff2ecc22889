import { planBgp, type BgpPlan, type UsedBlock } from "../domain/bgp-plan";
import { DomainError, ErrorCodes, ValidationError } from "../domain/errors";
import { describeHolder, failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import type { PlanProblem } from "../domain/plan";
import type { InterconnectSpec } from "../domain/spec";
import { BgpBlockTakenError, type Held } from "../store";
import type { RequestDeps } from "./deps";

/** Each round loses at most to the requests that won a block in it; this many covers a burst of POSTs. */
const ALLOCATION_ROUNDS = 30;

/** A requested block another request reserved first: a conflict with the current state, naming the field. */
export class BgpBlockConflictError extends ValidationError {
  override readonly status = 409;
  constructor(path: string, taken: BgpBlockTakenError) {
    super(
      [{ path, message: `${taken.block} is reserved by interconnect "${taken.holder}"; choose another block` }],
      undefined,
      ErrorCodes.CONFLICT,
    );
  }
}

/**
 * The BGP plan of a new interconnect, its blocks reserved for it (see store/reservations.ts BGP_BLOCKS): requested
 * blocks are checked and reserved, absent ones allocated from the pool and reserved, trying the next
 * free blocks when a concurrent request takes them first.
 */
export async function reserveBgpPlan(
  deps: RequestDeps,
  spec: InterconnectSpec,
  attempt: number,
): Promise<{ plan: BgpPlan; held: Held<string> }> {
  const lost = new Set<string>();
  for (let round = 1; ; round++) {
    const plan = planBgp({
      ...(spec.bgp ? { requested: { primary: spec.bgp.primaryPeeringCidr, secondary: spec.bgp.secondaryPeeringCidr } } : {}),
      pool: deps.bgpAddressPool,
      used: [...(await usedBlocks(deps, spec)), ...lost],
      // The live address spaces of the VNet and VCN are checked by the orchestrator's pre-flight; here
      // only what is known without a cloud call: the gateway subnet lies inside the VNet.
      avoid: [spec.azure.virtualNetwork.gatewaySubnetPrefix],
    });
    try {
      return { plan, held: await deps.store.bgpBlocks.reserve(spec.name, attempt, [plan.primary.cidr, plan.secondary.cidr]) };
    } catch (err) {
      if (!(err instanceof BgpBlockTakenError)) throw err;
      if (spec.bgp)
        throw new BgpBlockConflictError(err.block === plan.primary.cidr ? "bgp.primaryPeeringCidr" : "bgp.secondaryPeeringCidr", err);
      if (round >= ALLOCATION_ROUNDS) throw err;
      lost.add(err.block);
      // Requests that collided once tend to collide again in step; a little jitter spreads them.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * round));
    }
  }
}

/**
 * The BGP plan a provisioning of this spec would get now, reserving nothing (a plan's dry run). A
 * requested block that clashes, or an exhausted pool, is a problem of the plan, not an error.
 */
export async function previewBgpPlan(
  deps: RequestDeps,
  spec: InterconnectSpec,
): Promise<{ bgp: { plan: BgpPlan; source: "requested" | "allocated" } | null; problems: PlanProblem[] }> {
  const source = spec.bgp ? "requested" : "allocated";
  try {
    const plan = planBgp({
      ...(spec.bgp ? { requested: { primary: spec.bgp.primaryPeeringCidr, secondary: spec.bgp.secondaryPeeringCidr } } : {}),
      pool: deps.bgpAddressPool,
      used: await usedBlocks(deps, spec),
      avoid: [spec.azure.virtualNetwork.gatewaySubnetPrefix],
    });
    return { bgp: { plan, source }, problems: [] };
  } catch (err) {
    if (err instanceof ValidationError)
      return {
        bgp: null,
        problems: err.issues.map((i) => ({
          path: i.path,
          message: `${i.path} ${i.message}`,
          fix: "choose other /30 blocks, or leave bgp out to allocate free ones",
        })),
      };
    if (err instanceof DomainError && err.code === ErrorCodes.BGP_POOL_EXHAUSTED)
      return {
        bgp: null,
        problems: [
          {
            path: "bgp",
            message: err.message,
            fix: "give bgp.primaryPeeringCidr and bgp.secondaryPeeringCidr, or ask the operator to widen BGP_ADDRESS_POOL",
          },
        ],
      };
    throw err;
  }
}

/**
 * Blocks of other interconnects' records (not of one that failed leaving nothing behind), each naming
 * its holder, and, when allocating, blocks that requests in flight have
 * just reserved. Requested blocks are not checked against the latter: the reservation itself decides,
 * so of two requests racing for the same block the loser always gets the 409.
 */
export async function usedBlocks(deps: RequestDeps, spec: InterconnectSpec): Promise<UsedBlock[]> {
  const used: UsedBlock[] = [];
  /** Interconnects whose rows no longer mean anything: the reservation takes such a row over (heldByOwner). */
  const released = new Map<string, number>();
  let continuationToken: string | undefined;
  do {
    const page = await deps.store.interconnects.list({ top: 1000, ...(continuationToken ? { continuationToken } : {}) });
    for (const other of page.items) {
      if (other.state === "deleted" || failedProvisioningLeftNothing(other)) released.set(other.name, other.attempt);
      if (other.name === spec.name || released.has(other.name) || !other.bgpPlan) continue;
      const heldBy = describeHolder(other, "block");
      used.push({ cidr: other.bgpPlan.primary.cidr, heldBy }, { cidr: other.bgpPlan.secondary.cidr, heldBy });
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  if (!spec.bgp) {
    for (const row of await deps.store.bgpBlocks.list()) {
      const over = row.attempt <= (released.get(row.owner) ?? -1);
      if (row.owner !== spec.name && !over && deps.store.bgpBlocks.isRecent(row))
        used.push({ cidr: row.key, heldBy: `interconnect ${row.owner} (being requested)` });
    }
  }
  return used;
}

/**
 * After a failed request: gives back the blocks unless the interconnect's record holds them (the
 * record was written, so the blocks are its, or a concurrent request for the same name wrote it).
 */
export async function releaseUnlessRecorded(deps: RequestDeps, held: Held<string>): Promise<void> {
  try {
    const record = await deps.store.interconnects.get(held.owner);
    const recorded =
      record && record.state !== "deleted" && record.bgpPlan ? [record.bgpPlan.primary.cidr, record.bgpPlan.secondary.cidr] : [];
    await deps.store.bgpBlocks.releaseHeld({ ...held, rows: held.rows.filter((b) => !recorded.includes(b.key)) });
  } catch (err) {
    // The request's own error matters more; a row left behind is reclaimed once stale.
    deps.log(
      `could not release BGP blocks ${held.rows.map((b) => b.key).join(", ")} of ${held.owner}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
