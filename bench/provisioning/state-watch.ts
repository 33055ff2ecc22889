import type { RunningEmulators } from "../../src/local/emulators";

/** Cloud states the provisioning waits for, in the order the workflow meets them. */
export const FLIPS = [
  "DRG AVAILABLE",
  "DRG attachment ATTACHED",
  "provider done (BGP UP + circuit Provisioned)",
  "gateway Succeeded",
  "connection Connected",
] as const;
export type Flip = (typeof FLIPS)[number];

interface ArmRes {
  type: string;
  properties: Record<string, unknown>;
}
interface OciSnapshot {
  drgs: { lifecycleState: string }[];
  drgAttachments: { lifecycleState: string }[];
  virtualCircuits: { lifecycleState: string; providerState: string; bgpSessionState: string }[];
}

const lower = (s: string) => s.toLowerCase();

/** Which awaited states hold right now, read from the emulators' own state (in process, no HTTP). */
function holding(emulators: RunningEmulators): Set<Flip> {
  const resources = Object.values(emulators.handles.arm.snapshot().resources) as ArmRes[];
  const oci = emulators.handles.oci.snapshot() as OciSnapshot;
  const arm = (type: string) => resources.filter((r) => lower(r.type) === lower(`Microsoft.Network/${type}`));
  const out = new Set<Flip>();
  if (oci.drgs.some((d) => d.lifecycleState === "AVAILABLE")) out.add("DRG AVAILABLE");
  if (oci.drgAttachments.some((a) => a.lifecycleState === "ATTACHED")) out.add("DRG attachment ATTACHED");
  const oracleUp = oci.virtualCircuits.some(
    (v) => v.lifecycleState === "PROVISIONED" && v.providerState === "ACTIVE" && v.bgpSessionState === "UP",
  );
  const azureUp =
    arm("expressRouteCircuits").some((c) => c.properties.serviceProviderProvisioningState === "Provisioned") &&
    arm("expressRouteCircuits/peerings").some((p) => p.properties.provisioningState === "Succeeded");
  if (oracleUp && azureUp) out.add("provider done (BGP UP + circuit Provisioned)");
  if (arm("virtualNetworkGateways").some((g) => g.properties.provisioningState === "Succeeded")) out.add("gateway Succeeded");
  if (arm("connections").some((c) => c.properties.provisioningState === "Succeeded" && c.properties.connectionStatus === "Connected"))
    out.add("connection Connected");
  return out;
}

/**
 * Samples the emulators every few real milliseconds and keeps the first virtual time each awaited
 * state held. The true flip can be up to one sample earlier: `resolutionMs` says by how much, in
 * virtual time.
 */
export class StateWatch {
  readonly flippedAt = new Map<Flip, number>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly emulators: RunningEmulators,
    private readonly everyRealMs = 15,
  ) {
    this.timer = setInterval(() => this.sample(), everyRealMs);
  }

  get resolutionMs(): number {
    return this.everyRealMs * this.emulators.clock.speed;
  }

  sample(): void {
    const now = this.emulators.clock.now();
    for (const flip of holding(this.emulators)) if (!this.flippedAt.has(flip)) this.flippedAt.set(flip, now);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
