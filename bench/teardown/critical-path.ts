import type { ArmDurations } from "../../src/local/emulators/arm/durations";
import type { OciDurations } from "../../src/local/emulators/oci";

export interface TeardownModel {
  /** The removal graph's longest chain (workflows/removal-graph.ts), from the emulators' durations only. */
  criticalPathMs: number;
  /** The same removals one after another, in the safe order, as the teardown did before the graph. */
  sequentialMs: number;
  chains: { circuitMs: number; gatewayMs: number; ociMs: number };
}

/**
 * Lower bounds (no request or dispatch time). The emulators start the circuit's deprovisioning lag
 * when the virtual circuit's delete is accepted (the provider lets go), so the circuit chain waits for
 * the longer of the termination and the lag. The gateway's public IP and the GatewaySubnet take a
 * small-resource delete each, after the gateway.
 */
export function teardownModel(arm: ArmDurations, oci: OciDurations): TeardownModel {
  const connection = arm.connectionDelete;
  const deprovisioned = Math.max(oci.virtualCircuitTermination, arm.circuitDeprovisioningLag);
  const circuitMs = connection + deprovisioned + arm.circuitDelete;
  const gatewayMs = connection + arm.gatewayDelete + 2 * arm.smallResource;
  const ociMs = Math.max(oci.drgAttachmentDetaching, connection + oci.virtualCircuitTermination) + oci.drgTermination;
  return {
    criticalPathMs: Math.max(circuitMs, gatewayMs, ociMs),
    sequentialMs: circuitMs + oci.drgAttachmentDetaching + oci.drgTermination + arm.gatewayDelete + 2 * arm.smallResource,
    chains: { circuitMs, gatewayMs, ociMs },
  };
}
