import type { StepFailure, StepFailureSummary } from "../activities/contracts";

/**
 * A workflow step that cannot go on: carries the step and the decoded cloud failure so the
 * orchestrator can record "failed at <step>: <code> <message>" and decide on compensation.
 */
export class WorkflowStepError extends Error {
  readonly step: string;
  readonly failure: StepFailure;

  constructor(step: string, failure: StepFailure) {
    super(`${step}: ${failure.code}: ${failure.message}`);
    this.name = "WorkflowStepError";
    this.step = step;
    this.failure = failure;
  }

  summary(): StepFailureSummary {
    return { step: this.step, code: this.failure.code, message: this.failure.message };
  }
}

export function permanent(step: string, code: string, message: string): WorkflowStepError {
  return new WorkflowStepError(step, { code, message, retryable: false });
}

/** Any error thrown inside a workflow, as the summary the record keeps. */
export function summarize(error: unknown, fallbackStep: string): StepFailureSummary {
  if (error instanceof WorkflowStepError) return error.summary();
  const message = error instanceof Error ? error.message : String(error);
  return { step: fallbackStep, code: "UNEXPECTED", message };
}
