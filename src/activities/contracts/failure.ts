/** The failure wire format: how an activity's failure crosses the durable history to the orchestrator. */

/** What a failed activity reports. The orchestrator retries only `retryable` ones. */
export interface StepFailure {
  code: string;
  message: string;
  retryable: boolean;
  cloud?: "azure" | "oci";
  statusCode?: number;
  requestId?: string;
  retryAfterSeconds?: number;
}

const OPEN = "[[step-failure]]";
const CLOSE = "[[/step-failure]]";

/** The Error message an activity throws; durable-functions carries it into the orchestrator's task failure. */
export function encodeFailure(failure: StepFailure): string {
  return `${failure.code}: ${failure.message} ${OPEN}${JSON.stringify(failure)}${CLOSE}`;
}

export function stepFailureError(failure: StepFailure): Error {
  const err = new Error(encodeFailure(failure));
  err.name = "StepFailure";
  return err;
}

/**
 * Recover the StepFailure from whatever durable-functions surfaced (an Error whose message holds the
 * encoded document, possibly wrapped in more text). Anything else is an unexpected, permanent failure:
 * retrying an unknown bug would only repeat it.
 */
export function decodeFailure(error: unknown): StepFailure {
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error ?? null);
  const start = text.indexOf(OPEN);
  const end = start >= 0 ? text.indexOf(CLOSE, start) : -1;
  if (start >= 0 && end > start) {
    try {
      const parsed: unknown = JSON.parse(text.slice(start + OPEN.length, end));
      if (isStepFailure(parsed)) return parsed;
    } catch {
      // fall through to the unexpected failure below
    }
  }
  return { code: "UNEXPECTED", message: firstLine(text), retryable: false };
}

function isStepFailure(v: unknown): v is StepFailure {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === "string" && typeof o.message === "string" && typeof o.retryable === "boolean";
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
