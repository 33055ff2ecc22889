import type { ApiRequest } from "./api";
import type { OciContext } from "./context";
import { OciApiError } from "./errors";
import { advanceLifecycles } from "./lifecycle";
import type { OciState } from "./model";
import { findRoute } from "./routes";

/**
 * The OCI Console of a person building by hand, inside the emulator: each call goes through the same
 * operation, with the same validation, as the Core API (unsigned, no faults: the admin is not the API),
 * and `finishNow` moves what those calls started to where their lifecycles end, as if the provider's
 * minutes were long past. Oracle's side still decides: the fault `providerNeverProvisions` holds a
 * virtual circuit pending and `bgpStaysDown` holds BGP down, as they would for a person.
 */
export class OciByHand {
  constructor(
    private readonly ctx: OciContext,
    private readonly afterChange: () => void,
  ) {}

  call(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Record<string, unknown> {
    const segments = path.split("/").filter(Boolean);
    const route = findRoute(method, segments);
    if (route.kind !== "found") throw new OciApiError(500, "InternalServerError", `The emulator has no operation ${method} ${path}.`);
    advanceLifecycles(this.ctx);
    const req: ApiRequest = { method, segments, query: new URLSearchParams(), body, bodySha256: "" };
    const answer = route.op(this.ctx, req);
    return (answer.body ?? {}) as Record<string, unknown>;
  }

  /**
   * Completes the pending lifecycle steps of these resources (a virtual circuit: provider pick-up, provisioning,
   * BGP). What a fault holds stays where it is: the caller reads the outcome.
   */
  finishNow(ids: string[]): void {
    const state = this.ctx.state;
    const records = () => ids.map((id) => state.drgs[id] ?? state.drgAttachments[id] ?? state.virtualCircuits[id]);
    // A virtual circuit takes three steps (pick-up, provisioned, BGP); a held one never ends, so the rounds are bounded.
    for (let round = 0; round < 4; round++) {
      const now = this.ctx.now();
      for (const rec of records()) if (rec?.dueAt !== undefined && rec.dueAt > now) rec.dueAt = now;
      for (const id of ids) {
        const vc = state.virtualCircuits[id];
        if (vc?.bgpUpAt !== undefined && vc.bgpUpAt > now) vc.bgpUpAt = now;
      }
      advanceLifecycles(this.ctx);
    }
    this.ctx.store.changed();
    this.afterChange();
  }

  save(): OciState {
    advanceLifecycles(this.ctx);
    return structuredClone(this.ctx.state);
  }

  restore(saved: OciState): void {
    this.ctx.store.state = saved;
    this.ctx.store.changed();
    this.afterChange();
  }
}
