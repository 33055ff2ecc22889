import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes } from "../domain/errors";
import type { InterconnectOperation, OperationKind, StoredInterconnect } from "../store";
import { findInstance, isFinished } from "./durable";

/**
 * One operation at a time per interconnect: the record keeps its last operation, which holds the
 * interconnect only while its instance runs. Undefined when none of the given kinds runs.
 */
export async function runningOperation(
  client: DurableClient,
  record: StoredInterconnect,
  kinds: readonly OperationKind[],
): Promise<InterconnectOperation | undefined> {
  const op = record.currentOperation;
  if (op === undefined || !kinds.includes(op.kind)) return undefined;
  const status = await findInstance(client, op.instanceId);
  return status !== undefined && !isFinished(status) ? op : undefined;
}

const WORDS: Record<OperationKind, string> = {
  provision: "a provisioning",
  teardown: "a teardown",
  change: "a change",
  adopt: "an adoption",
  watch: "a health watch",
};

/** The 409 for a request that finds another operation running; `retry` says what to send again. */
export function operationRunning(record: StoredInterconnect, op: InterconnectOperation, retry: string): DomainError {
  return new DomainError(
    ErrorCodes.CONFLICT,
    `Interconnect "${record.name}" has ${WORDS[op.kind]} running (${op.instanceId}); one operation at a time: ${retry} once it ends.`,
    { details: { name: record.name, operation: op.kind, instanceId: op.instanceId } },
  );
}
