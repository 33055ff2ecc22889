import type { HttpResponseInit } from "@azure/functions";
import { BusyError, DomainError, ErrorCodes, isDomainError, toProblem } from "../../domain/errors";

/** Codes only the HTTP edge produces; the domain's codes cover everything else. */
export const HttpErrorCodes = {
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  CONSOLE_NOT_BUILT: "CONSOLE_NOT_BUILT",
} as const;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Sentences, like the domain's titles: the code is in `code` already. */
const HTTP_TITLES: Record<string, string> = {
  [HttpErrorCodes.UNSUPPORTED_MEDIA_TYPE]: "The request body must be JSON",
  [HttpErrorCodes.PAYLOAD_TOO_LARGE]: "The request body is too large",
};

export function problemResponse(err: DomainError, instance?: string, headers: Record<string, string> = {}): HttpResponseInit {
  const problem = toProblem(err, instance);
  const title = HTTP_TITLES[err.code];
  return {
    status: err.status,
    headers: { ...headers, "content-type": PROBLEM_CONTENT_TYPE },
    jsonBody: title ? { ...problem, title } : problem,
  };
}

/**
 * A DomainError below 500 is the caller's to fix and is shown as is; a BusyError is a 503 with Retry-After. Anything else is a bug, an outage
 * or the operator's to fix (a ConfigurationError names settings and file paths): the client gets a 500
 * problem without internals, the log gets the real error.
 */
export function errorResponse(err: unknown, instance: string, log: (message: string) => void): HttpResponseInit {
  if (isDomainError(err) && err.status < 500) return problemResponse(err, instance);
  // Contention, not a fault: the same request goes through later, and the client is told when.
  if (err instanceof BusyError) return problemResponse(err, instance, { "retry-after": String(err.retryAfterSeconds) });
  const what = isDomainError(err) ? `${err.code} error` : "unexpected error";
  log(`${what} on ${instance}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return problemResponse(
    new DomainError(ErrorCodes.INTERNAL, "The request could not be processed; the error was logged.", { status: 500 }),
    instance,
  );
}
