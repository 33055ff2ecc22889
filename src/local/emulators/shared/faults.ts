/**
 * Fault injection for the emulators, set at start and changed at run time through the admin endpoint,
 * so that reliability (retries, deadlines, compensation) can be tested against misbehaving clouds.
 */
export interface OperationFaults {
  /** Probability 0..1 that a request of this operation answers 500/503. */
  errorRate?: number;
  /** Probability 0..1 that a request is throttled (ARM 429 + Retry-After, OCI 429 TooManyRequests). */
  throttleRate?: number;
  /** Retry-After seconds sent with a throttled answer. */
  retryAfterSeconds?: number;
  /** Extra real latency in ms before answering. */
  latencyMs?: number;
}

export interface FaultConfig {
  /**
   * Keys are "<cloud>:<operation>" with cloud "arm" | "oci" and operation "<METHOD> <resourceType>", e.g.
   * "arm:PUT expressRouteCircuits", "oci:POST virtualCircuits"; "arm:*", "oci:*" and "*" match everything.
   * The most specific match wins.
   */
  operations?: Record<string, OperationFaults>;
  /** The provider never moves a virtual circuit past PENDING_PROVIDER (and the circuit stays NotProvisioned). */
  providerNeverProvisions?: boolean;
  /** The virtual circuit provisions but its BGP session stays DOWN (empty ARP table, no learned routes). */
  bgpStaysDown?: boolean;
}

export type FaultDecision =
  | { kind: "throttle"; retryAfterSeconds: number }
  | { kind: "error"; status: 500 | 503 }
  | { kind: "none" };

export class FaultInjector {
  private config: FaultConfig;

  constructor(config: FaultConfig = {}, private readonly random: () => number = Math.random) {
    this.config = normalize(config);
  }

  get current(): FaultConfig {
    return structuredClone(this.config);
  }

  /** Replaces the whole configuration. */
  set(config: FaultConfig): void {
    this.config = normalize(config);
  }

  /** Merges into the configuration (admin PATCH). */
  update(partial: FaultConfig): void {
    this.config = normalize({
      ...this.config,
      ...partial,
      operations: { ...this.config.operations, ...partial.operations },
    });
  }

  get providerNeverProvisions(): boolean {
    return this.config.providerNeverProvisions === true;
  }

  get bgpStaysDown(): boolean {
    return this.config.bgpStaysDown === true;
  }

  private lookup(cloud: "arm" | "oci", operation: string): OperationFaults {
    const ops = this.config.operations ?? {};
    return ops[`${cloud}:${operation}`] ?? ops[`${cloud}:*`] ?? ops["*"] ?? {};
  }

  latencyMs(cloud: "arm" | "oci", operation: string): number {
    return this.lookup(cloud, operation).latencyMs ?? 0;
  }

  decide(cloud: "arm" | "oci", operation: string): FaultDecision {
    const f = this.lookup(cloud, operation);
    if (f.throttleRate && this.random() < f.throttleRate) {
      return { kind: "throttle", retryAfterSeconds: f.retryAfterSeconds ?? 1 };
    }
    if (f.errorRate && this.random() < f.errorRate) {
      return { kind: "error", status: this.random() < 0.5 ? 500 : 503 };
    }
    return { kind: "none" };
  }
}

function normalize(config: FaultConfig): FaultConfig {
  for (const [key, f] of Object.entries(config.operations ?? {})) {
    for (const rate of [f.errorRate, f.throttleRate]) {
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
        throw new RangeError(`fault ${key}: rates must be between 0 and 1, got ${rate}`);
      }
    }
    if (f.latencyMs !== undefined && !(f.latencyMs >= 0)) throw new RangeError(`fault ${key}: latencyMs must be >= 0`);
    if (f.retryAfterSeconds !== undefined && !(f.retryAfterSeconds >= 0)) {
      throw new RangeError(`fault ${key}: retryAfterSeconds must be >= 0`);
    }
  }
  return structuredClone(config);
}
