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
  /**
   * Azure's side: the physical port of every circuit is full, so a bandwidth increase is accepted and then
   * fails, leaving the circuit Failed at its old bandwidth (about-upgrade-circuit-bandwidth.md).
   */
  circuitCapacityExhausted?: boolean;
}

export type FaultDecision = { kind: "throttle"; retryAfterSeconds: number } | { kind: "error"; status: 500 | 503 } | { kind: "none" };

export class FaultInjector {
  private config: FaultConfig;

  constructor(
    config: FaultConfig = {},
    private readonly random: () => number = Math.random,
  ) {
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

  /**
   * The part one emulator's /admin/faults owns: its cloud's operations and, for OCI, Oracle's side of the
   * circuit (the provider, BGP). The ARM admin's GET /admin/state still shows everything.
   */
  sideOf(cloud: "arm" | "oci"): FaultConfig {
    const operations = Object.fromEntries(Object.entries(this.config.operations ?? {}).filter(([k]) => k.startsWith(`${cloud}:`)));
    if (cloud === "arm") return { operations, ...pick(this.config, ARM_SIDE_FLAGS) };
    return { operations, ...pick(this.config, OCI_SIDE_FLAGS) };
  }

  /** Replaces (PUT) or merges into (PATCH) one cloud's part; the other cloud's faults stay as they are. */
  setSide(cloud: "arm" | "oci", config: FaultConfig, merge: boolean): void {
    const other = cloud === "arm" ? "oci" : "arm";
    const mine: Record<string, OperationFaults> = {};
    for (const [key, f] of Object.entries(config.operations ?? {})) {
      // On one emulator's admin, "*" means every operation of that emulator.
      const scoped = key === "*" ? `${cloud}:*` : key;
      if (!scoped.startsWith(`${cloud}:`)) {
        throw new RangeError(
          `fault ${key}: not an ${cloud.toUpperCase()} operation; ${other.toUpperCase()} faults are set on the ${other.toUpperCase()} emulator's /admin/faults`,
        );
      }
      mine[scoped] = f;
    }
    if (cloud === "arm") {
      for (const flag of OCI_SIDE_FLAGS) {
        if (config[flag] !== undefined)
          throw new RangeError(`${flag} is Oracle's side of the circuit: set it on the OCI emulator's /admin/faults`);
      }
    } else {
      for (const flag of ARM_SIDE_FLAGS) {
        if (config[flag] !== undefined)
          throw new RangeError(`${flag} is Azure's side of the circuit: set it on the ARM emulator's /admin/faults`);
      }
    }
    const current = this.config.operations ?? {};
    const kept = Object.fromEntries(Object.entries(current).filter(([k]) => !k.startsWith(`${cloud}:`) || (merge && !(k in mine))));
    const own = cloud === "oci" ? OCI_SIDE_FLAGS : ARM_SIDE_FLAGS;
    const others = cloud === "oci" ? ARM_SIDE_FLAGS : OCI_SIDE_FLAGS;
    const flags = {
      ...pick(this.config, others),
      ...(merge ? { ...pick(this.config, own), ...pick(config, own) } : pick(config, own)),
    };
    this.config = normalize({ operations: { ...kept, ...mine }, ...flags });
  }

  get providerNeverProvisions(): boolean {
    return this.config.providerNeverProvisions === true;
  }

  get bgpStaysDown(): boolean {
    return this.config.bgpStaysDown === true;
  }

  get circuitCapacityExhausted(): boolean {
    return this.config.circuitCapacityExhausted === true;
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

/** Faults of Oracle's side of the circuit, set on the OCI emulator. */
const OCI_SIDE_FLAGS = ["providerNeverProvisions", "bgpStaysDown"] as const;
/** Faults of Azure's side of the circuit, set on the ARM emulator. */
const ARM_SIDE_FLAGS = ["circuitCapacityExhausted"] as const;
type SideFlag = (typeof OCI_SIDE_FLAGS)[number] | (typeof ARM_SIDE_FLAGS)[number];

function pick(config: FaultConfig, flags: readonly SideFlag[]): Pick<FaultConfig, SideFlag> {
  return Object.fromEntries(flags.filter((f) => config[f] !== undefined).map((f) => [f, config[f]]));
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
