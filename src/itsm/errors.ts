/**
 * A failed call to an ITSM system, classified once: retryable (network, timeout, 401 during a credential
 * rotation, 429, 5xx) or not (the ticket is gone, the request was refused). The message names the call
 * and the status, never a header or a credential.
 */
export class ItsmRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** From Retry-After, when the system said how long to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ItsmRequestError";
  }
}

export function retryableStatus(status: number): boolean {
  return status === 401 || status === 408 || status === 429 || status >= 500;
}

/** Retry-After in seconds (both systems send seconds); an HTTP date is read too. */
export function retryAfterMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
