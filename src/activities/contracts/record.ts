/** The interconnect record and the audit trail, written through activities (orchestrators do no I/O). */
import type { InterconnectState } from "../../domain/lifecycle";
import type { InterconnectResources } from "../../domain/resources";
import type { Observed, OpContext } from "./common";

export type { InterconnectResources, ResourceOwnership } from "../../domain/resources";

export interface StepFailureSummary {
  step: string;
  code: string;
  message: string;
}

export interface RecordPatch {
  resources?: InterconnectResources;
  failure?: StepFailureSummary | null;
  /** Free text for the record's current-operation summary. */
  message?: string;
}

export interface RecordReadInput {
  opContext: OpContext;
  name: string;
}
/** The record as the workflows need it. `spec` and `bgpPlan` are the stored JSON (domain types). */
export type RecordSnapshot = Observed<{
  name: string;
  state: InterconnectState;
  spec: unknown;
  bgpPlan: unknown;
  resources: InterconnectResources;
  operationId: string | null;
}>;

export interface RecordUpdateInput {
  opContext: OpContext;
  name: string;
  /** The orchestration instance that owns the record now; a mismatch is a permanent CONFLICT failure. */
  expectedOperationId: string;
  patch: RecordPatch;
  /** Goes through the domain's state machine (assertTransition). Same state again is a no-op transition. */
  transitionTo?: InterconnectState;
}
export interface RecordUpdateResult {
  state: InterconnectState;
}

export type AuditEvent = "started" | "succeeded" | "failed" | "retrying" | "waiting" | "skipped";

export interface AuditEntry {
  step: string;
  event: AuditEvent;
  message: string;
  /** The orchestration time of the event (ISO), so replays write the same row. */
  at: string;
  /** Small JSON facts (states, ids, codes); never secrets. */
  details?: Record<string, unknown>;
}
export interface AuditAppendInput {
  opContext: OpContext;
  entry: AuditEntry;
}
