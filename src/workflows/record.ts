import type { RecordPatch } from "../contracts";
import type { InterconnectState } from "../domain/lifecycle";
import type { Flow, WorkflowRun } from "./run";

/** Every record change goes through the store's recordUpdate (and so the domain's state machine), owned by this instance. */
export function* updateRecord(run: WorkflowRun, step: string, patch: RecordPatch, transitionTo?: InterconnectState): Flow<void> {
  const input = { name: run.op.interconnect, expectedOperationId: run.op.instanceId, patch };
  yield* run.call(step, "recordUpdate", transitionTo === undefined ? input : { ...input, transitionTo });
}
