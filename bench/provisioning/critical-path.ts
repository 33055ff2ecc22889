import type { ArmDurations } from "../../src/local/emulators/arm/durations";
import type { OciDurations } from "../../src/local/emulators/oci";

export interface PathModel {
  /** The two tracks run in parallel; the connection needs both; verification follows it. */
  criticalPathMs: number;
  /** The seed procedure's steps done one after another, as a person would. */
  sequentialMs: number;
  tracks: { azureMs: number; ociMs: number; afterBothMs: number };
}

/**
 * Lower bounds from the emulators' configured durations only (no request or dispatch time):
 * Azure track = GatewaySubnet + gateway; OCI track = DRG + attachment + circuit + provider pick-up,
 * provisioning and BGP; then connection (create + Connected) and the ARP/route table reads (the
 * two device paths at once).
 */
export function pathModel(arm: ArmDurations, oci: OciDurations): PathModel {
  const azureMs = arm.smallResource + arm.gatewayCreate;
  const ociMs =
    oci.drgProvisioning +
    oci.drgAttachmentAttaching +
    arm.circuitCreate +
    oci.providerPickup +
    oci.providerProvisioning +
    oci.bgpEstablishment;
  const afterBothMs = arm.connectionCreate + arm.connectionConnect + arm.tableQuery;
  return {
    criticalPathMs: Math.max(azureMs, ociMs) + afterBothMs,
    sequentialMs: azureMs + ociMs + arm.connectionCreate + arm.connectionConnect + 2 * arm.tableQuery,
    tracks: { azureMs, ociMs, afterBothMs },
  };
}
