/**
 * What a failed provisioning left on the clouds, read back from its record. The provisioning ends its
 * failure message with one of these sentences; only then is it certain that nothing it built remains,
 * so its BGP blocks, VNet and VCN are free for another interconnect even before it is DELETEd.
 */
export const COMPENSATION_REMOVED_EVERYTHING = "compensation removed what this run created";
export const CREATED_NOTHING = "this run created nothing";

/** Provisioning steps that create nothing: a failure there leaves both clouds as they were. */
const STEPS_BEFORE_ANY_CREATE = ["queue", "record", "preflight"];

export interface RecordOutcome {
  name: string;
  state: string;
  currentOperation?: { kind: string };
  failure?: { step: string; message: string };
}

export function failedProvisioningLeftNothing(record: RecordOutcome): boolean {
  const { failure } = record;
  // A failed teardown may have left anything; so may a provisioning that kept its resources for inspection.
  if (record.state !== "failed" || record.currentOperation?.kind !== "provision" || failure === undefined) return false;
  if (STEPS_BEFORE_ANY_CREATE.includes(failure.step)) return true;
  return failure.message.endsWith(`; ${COMPENSATION_REMOVED_EVERYTHING}`) || failure.message.endsWith(`; ${CREATED_NOTHING}`);
}

/**
 * How a conflict names the interconnect holding something, with what frees it:
 * "interconnect vnet-missing (failed at preflight; DELETE it to release the block)".
 */
export function describeHolder(record: Pick<RecordOutcome, "name" | "state" | "failure">, what: string): string {
  if (record.state === "failed") {
    return `interconnect ${record.name} (failed${record.failure ? ` at ${record.failure.step}` : ""}; DELETE it to release the ${what})`;
  }
  return `interconnect ${record.name} (${record.state})`;
}
