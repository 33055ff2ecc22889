import { DEVICE_PATHS } from "../shared/provider-link";
import type { OciContext } from "./context";
import type { Timed } from "./model";
import { completeProvisioning, pickUp } from "./provider";

/**
 * Moves every resource along its lifecycle up to the current virtual time. Transitions are stored as
 * virtual due times, so the outcome depends only on the clock (also across restarts), not on how often
 * this runs. Returns the next virtual time at which something is due, if any.
 */
export function advanceLifecycles(ctx: OciContext): number | undefined {
  if (ctx.advancing) return nextDue(ctx);
  ctx.advancing = true;
  try {
    return advance(ctx);
  } finally {
    ctx.advancing = false;
  }
}

function advance(ctx: OciContext): number | undefined {
  const now = ctx.now();
  const state = ctx.state;
  let changed = false;
  const due = (t: Timed<unknown>): boolean => t.dueAt !== undefined && t.dueAt <= now;

  for (const [id, rec] of Object.entries(state.drgs)) {
    if (due(rec)) {
      changed = true;
      if (rec.resource.lifecycleState === "PROVISIONING") {
        rec.resource.lifecycleState = "AVAILABLE";
        rec.dueAt = undefined;
      } else if (rec.resource.lifecycleState === "TERMINATING") {
        rec.resource.lifecycleState = "TERMINATED";
        rec.dueAt = undefined;
        rec.removeAt = now + ctx.durations.terminatedRetention;
      }
    }
    if (rec.removeAt !== undefined && rec.removeAt <= now) {
      delete state.drgs[id];
      changed = true;
    }
  }

  for (const [id, rec] of Object.entries(state.drgAttachments)) {
    if (due(rec)) {
      changed = true;
      if (rec.resource.lifecycleState === "ATTACHING") {
        rec.resource.lifecycleState = "ATTACHED";
        rec.dueAt = undefined;
      } else if (rec.resource.lifecycleState === "DETACHING") {
        rec.resource.lifecycleState = "DETACHED";
        rec.dueAt = undefined;
        rec.removeAt = now + ctx.durations.terminatedRetention;
      }
    }
    if (rec.removeAt !== undefined && rec.removeAt <= now) {
      delete state.drgAttachments[id];
      changed = true;
    }
  }

  for (const [id, rec] of Object.entries(state.virtualCircuits)) {
    const vc = rec.resource;
    if (due(rec)) {
      if (vc.lifecycleState === "PENDING_PROVIDER" && !ctx.faults.providerNeverProvisions) {
        pickUp(ctx, rec);
        changed = true;
      } else if (vc.lifecycleState === "PROVISIONING" && !ctx.faults.providerNeverProvisions) {
        completeProvisioning(ctx, rec);
        changed = true;
      } else if (vc.lifecycleState === "TERMINATING") {
        vc.lifecycleState = "TERMINATED";
        rec.dueAt = undefined;
        rec.removeAt = now + ctx.durations.terminatedRetention;
        changed = true;
      }
    }
    // BGP follows the fault flag live: a session held DOWN comes UP once the fault is lifted.
    const bgp =
      vc.lifecycleState === "PROVISIONED" &&
      vc.bgpAdminState === "ENABLED" &&
      rec.bgpUpAt !== undefined &&
      rec.bgpUpAt <= now &&
      !ctx.faults.bgpStaysDown &&
      (rec.pathsDown?.length ?? 0) < DEVICE_PATHS.length
        ? "UP"
        : "DOWN";
    if (vc.bgpSessionState !== bgp) {
      vc.bgpSessionState = bgp;
      changed = true;
    }
    if (rec.removeAt !== undefined && rec.removeAt <= now) {
      delete state.virtualCircuits[id];
      changed = true;
    }
  }

  for (const [key, token] of Object.entries(state.retryTokens)) {
    if (token.expiresAt <= now) {
      delete state.retryTokens[key];
      changed = true;
    }
  }

  if (changed) ctx.store.changed();
  return nextDue(ctx);
}

function nextDue(ctx: OciContext): number | undefined {
  const times: number[] = [];
  const collect = (t: { dueAt?: number; removeAt?: number }): void => {
    if (t.dueAt !== undefined) times.push(t.dueAt);
    if (t.removeAt !== undefined) times.push(t.removeAt);
  };
  Object.values(ctx.state.drgs).forEach(collect);
  Object.values(ctx.state.drgAttachments).forEach(collect);
  // Transitions held by a fault are not due: the periodic tick notices when the fault is lifted.
  for (const rec of Object.values(ctx.state.virtualCircuits)) {
    const state = rec.resource.lifecycleState;
    const heldByProvider = ctx.faults.providerNeverProvisions && (state === "PENDING_PROVIDER" || state === "PROVISIONING");
    if (rec.dueAt !== undefined && !heldByProvider) times.push(rec.dueAt);
    if (rec.removeAt !== undefined) times.push(rec.removeAt);
    if (rec.bgpUpAt !== undefined && state === "PROVISIONED" && rec.resource.bgpSessionState === "DOWN" && !ctx.faults.bgpStaysDown) {
      times.push(rec.bgpUpAt);
    }
  }
  return times.length ? Math.min(...times) : undefined;
}
