import type { Json } from "./body";
import { ArmError } from "./errors";
import { applyTransition } from "./lifecycle";
import type { ArmNetwork } from "./network";
import { parsePath, resolveHandler } from "./routes";
import { type ArmStateData, key } from "./state";
import type { ProviderLink } from "../shared/provider-link";

/**
 * The Azure portal of a person building by hand, inside the emulator: each call goes through the same
 * handler, with the same validation, as the ARM API (no token, no faults: the admin is not the API), and
 * `finishNow` completes what those calls started as if their 20-45 minutes were long past. Everything is
 * synchronous, so a seed made of several calls runs without any other request in between, and `restore`
 * can undo a seed that failed half-way.
 */
export class ArmByHand {
  constructor(
    private readonly net: ArmNetwork,
    private readonly link: ProviderLink | undefined,
  ) {}

  call(method: "GET" | "PUT", id: string, body: Json = {}): Json {
    const parsed = parsePath(id);
    const handler = parsed ? resolveHandler(method, parsed, this.link) : undefined;
    if (!parsed || !handler) throw new ArmError(500, "InternalServerError", `The emulator has no ${method} handler for ${id}.`);
    this.settle();
    const reply = handler({
      net: this.net,
      scope: { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup ?? "" },
      names: parsed.names,
      body,
      url: `${this.net.baseUrl}${id}`,
    });
    return (reply.body ?? {}) as Json;
  }

  /** undefined when ARM answers 404 (a resource group, VNet or resource that is not there). */
  find(id: string): Json | undefined {
    try {
      return this.call("GET", id);
    } catch (e) {
      if (e instanceof ArmError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Completes every pending change of these resources (and of what they start in turn, a connection's Connected). */
  finishNow(resourceIds: string[]): void {
    const ids = new Set(resourceIds.map(key));
    const mine = () => this.net.data.transitions.filter((t) => ids.has(key(t.resourceId)));
    for (let round = 0; mine().length > 0; round++) {
      if (round > 10) throw new ArmError(500, "InternalServerError", `Pending changes of ${resourceIds.join(", ")} never finished.`);
      const now = this.net.clock.now();
      for (const t of mine()) t.at = Math.min(t.at, now);
      this.settle();
    }
  }

  hasResourceGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.net.data.subscriptions[subscriptionId.toLowerCase()]?.[resourceGroup.toLowerCase()] !== undefined;
  }

  save(): ArmStateData {
    this.settle();
    return structuredClone(this.net.data);
  }

  restore(saved: ArmStateData): void {
    this.net.data = saved;
    this.net.changed();
  }

  private settle(): void {
    this.net.settle((t) => applyTransition(this.net, t));
  }
}
