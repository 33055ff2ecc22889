import type { StepFailure, StepFailureSummary } from "../contracts";
import { maskServiceKeysInText } from "../domain/secrets";

/**
 * A workflow step that cannot go on: carries the step and the decoded cloud failure so the
 * orchestrator can record "failed at <step>: <code> <message>" and decide on compensation.
 */
export class WorkflowStepError extends Error {
  readonly step: string;
  readonly failure: StepFailure;

  constructor(step: string, failure: StepFailure) {
    const masked = maskedFailure(failure);
    super(`${step}: ${masked.code}: ${masked.message}`);
    this.name = "WorkflowStepError";
    this.step = step;
    this.failure = masked;
  }

  summary(): StepFailureSummary {
    return { step: this.step, code: this.failure.code, message: this.failure.message };
  }
}

/** Any error thrown inside a workflow, as the summary the record keeps. */
export function summarize(error: unknown, fallbackStep: string): StepFailureSummary {
  if (error instanceof WorkflowStepError) return error.summary();
  const message = error instanceof Error ? error.message : String(error);
  return { step: fallbackStep, code: "UNEXPECTED", message: maskServiceKeysInText(message) };
}

/**
 * A cloud's error text can quote the ExpressRoute service key. What the workflow keeps of a failure
 * reaches the custom status, the audit, the record and the instance output, all readable by anyone who
 * can query the orchestration: the key is masked before any of them.
 */
export function maskedFailure(failure: StepFailure): StepFailure {
  return { ...failure, message: maskServiceKeysInText(failure.message) };
}

/** The orchestration's final error (its output in the status API): masked once more, whatever it quotes. */
export function workflowFailed(message: string): Error {
  return new Error(maskServiceKeysInText(message));
}
