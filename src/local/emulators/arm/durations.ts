/** Virtual-time durations (ms) of the ARM side. Defaults follow the documented orders of magnitude. */
export interface ArmDurations {
  gatewayCreate: number;
  gatewayUpdate: number;
  gatewayDelete: number;
  circuitCreate: number;
  circuitDelete: number;
  /** After the provider deprovisions, how long Azure keeps showing the circuit Deprovisioning with its peering. */
  circuitDeprovisioningLag: number;
  connectionCreate: number;
  /** From the connection's Succeeded to connectionStatus Connected. */
  connectionConnect: number;
  connectionDelete: number;
  /** Virtual networks, subnets, public IPs, peerings. */
  smallResource: number;
  /** ARP / route table POSTs. */
  tableQuery: number;
  /** An operation that the service accepts and then fails (e.g. a connection to an unprovisioned circuit). */
  failure: number;
}

const MIN = 60_000;

export const DEFAULT_ARM_DURATIONS: ArmDurations = {
  gatewayCreate: 30 * MIN,
  gatewayUpdate: 10 * MIN,
  gatewayDelete: 20 * MIN,
  circuitCreate: 1 * MIN,
  circuitDelete: 1 * MIN,
  circuitDeprovisioningLag: 5 * MIN,
  connectionCreate: 2 * MIN,
  connectionConnect: 30_000,
  connectionDelete: 1 * MIN,
  smallResource: 10_000,
  tableQuery: 10_000,
  failure: 20_000,
};

export function resolveArmDurations(overrides: Partial<ArmDurations> = {}): ArmDurations {
  const merged = { ...DEFAULT_ARM_DURATIONS, ...overrides };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`ARM duration ${name} must be a non-negative number of ms, got ${value}`);
  }
  return merged;
}
