/**
 * Errors with stable codes. Every layer throws these; the HTTP layer turns them into
 * RFC 9457 application/problem+json with `toProblem`, so clients can branch on `code`.
 */

export const ErrorCodes = {
  VALIDATION_FAILED: "VALIDATION_FAILED",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  INVALID_TRANSITION: "INVALID_TRANSITION",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  UNSUPPORTED_PAIRING: "UNSUPPORTED_PAIRING",
  BGP_POOL_EXHAUSTED: "BGP_POOL_EXHAUSTED",
  CONFIGURATION_INVALID: "CONFIGURATION_INVALID",
  CATALOG_INVALID: "CATALOG_INVALID",
  CLOUD_REQUEST_FAILED: "CLOUD_REQUEST_FAILED",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  BUSY: "BUSY",
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** HTTP status that fits each code when the thrower does not say otherwise. */
const DEFAULT_STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNSUPPORTED_PAIRING: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  BGP_POOL_EXHAUSTED: 409,
  PRECONDITION_FAILED: 412,
  CLOUD_REQUEST_FAILED: 502,
  DEADLINE_EXCEEDED: 504,
  BUSY: 503,
};

const TITLES: Record<string, string> = {
  VALIDATION_FAILED: "The request is not valid",
  NOT_FOUND: "Not found",
  CONFLICT: "Conflict",
  INVALID_TRANSITION: "The interconnect cannot move to that state",
  PRECONDITION_FAILED: "The resource changed since it was read (ETag mismatch)",
  UNSUPPORTED_PAIRING: "Unsupported OCI region and ExpressRoute peering location pair",
  BGP_POOL_EXHAUSTED: "No free /30 blocks left in the BGP address pool",
  CONFIGURATION_INVALID: "The application settings are not valid",
  CATALOG_INVALID: "The peering-location catalog is not valid",
  CLOUD_REQUEST_FAILED: "A cloud API request failed",
  DEADLINE_EXCEEDED: "A cloud operation did not finish before its deadline",
  BUSY: "The service's state is being changed by several writers at once; send the request again after Retry-After seconds",
  INTERNAL: "Internal error",
};

export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: string, message: string, options?: { status?: number; details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    this.status = options?.status ?? DEFAULT_STATUS[code] ?? 500;
    if (options?.details !== undefined) this.details = options.details;
  }
}

/**
 * Nothing is wrong with the request: concurrent writers kept winning the conditional writes it needs
 * (store/optimistic.ts). The same request succeeds later, so it is a 503 with Retry-After, not a 409,
 * and inside an activity a retryable failure.
 */
export class BusyError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    details?: unknown,
  ) {
    super(ErrorCodes.BUSY, message, details === undefined ? undefined : { details });
    this.name = "BusyError";
  }

  /** The same condition, with a longer wait (the request left state that only a later retry can take over). */
  withRetryAfter(seconds: number, message = this.message): BusyError {
    return new BusyError(message, Math.max(this.retryAfterSeconds, seconds), this.details);
  }
}

export interface ValidationIssue {
  /** Dotted field path, e.g. "azure.virtualNetwork.gatewaySubnetPrefix"; "" for the whole input. */
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  readonly issues: ValidationIssue[];

  /** status: 400 by default; 409 for a valid request the current state refuses, field by field (a PATCH of an interconnect). */
  constructor(issues: ValidationIssue[], message?: string, code: string = ErrorCodes.VALIDATION_FAILED, status = 400) {
    super(code, message ?? summarize(issues), { status, details: issues });
    this.name = "ValidationError";
    this.issues = issues;
  }
}

function summarize(issues: ValidationIssue[]): string {
  if (issues.length === 0) return "The request is not valid.";
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: ValidationIssue[];
}

/** RFC 9457 problem details; `type` is a stable URN per code so clients need no docs host. */
export function toProblem(err: DomainError, instance?: string): Problem {
  const problem: Problem = {
    type: `urn:interconnect:error:${err.code.toLowerCase().replace(/_/g, "-")}`,
    title: TITLES[err.code] ?? err.code,
    status: err.status,
    detail: err.message,
    code: err.code,
  };
  if (instance !== undefined) problem.instance = instance;
  if (err instanceof ValidationError) problem.errors = err.issues.map((i) => ({ path: i.path, message: i.message }));
  return problem;
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
