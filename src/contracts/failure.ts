/** The failure wire format: how an activity's failure crosses the durable history to the orchestrator. */
import { z } from "zod";

/** What a failed step reports. The orchestrator retries only `retryable` ones. */
export const stepFailure = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  cloud: z.enum(["azure", "oci"]).optional(),
  statusCode: z.number().optional(),
  requestId: z.string().optional(),
  retryAfterSeconds: z.number().optional(),
});
export type StepFailure = z.infer<typeof stepFailure>;

/** A failure that retrying cannot cure (activities and workflows alike). */
export function permanent(code: string, message: string): StepFailure {
  return { code, message, retryable: false };
}

/** A failure worth another attempt, after the cloud's Retry-After when it gave one. */
export function retryLater(code: string, message: string, retryAfterSeconds?: number): StepFailure {
  return { code, message, retryable: true, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
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
      const parsed = stepFailure.safeParse(JSON.parse(text.slice(start + OPEN.length, end)));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through to the unexpected failure below
    }
  }
  return permanent("UNEXPECTED", firstLine(text));
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}
