import { ValidationError } from "../domain/errors";
import type { Caller } from "../requests/caller";

export const TICKET_REF_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const ANONYMOUS = "anonymous";
/** Deployed without App Service authentication, a function key is all that identifies the caller. */
const FUNCTION_KEY = "function-key";
const MAX_ACTOR_LENGTH = 256;

/**
 * The caller of an HTTP request: the principal when the deployment makes x-ms-client-principal-name
 * trustworthy (Settings.trustClientPrincipalHeader), else whether a function key was sent.
 */
export function callerFromHeaders(
  headers: { get(name: string): string | null },
  options: { trustPrincipalHeader: boolean; query?: URLSearchParams },
): Caller {
  const principal = options.trustPrincipalHeader ? headers.get("x-ms-client-principal-name")?.trim() : undefined;
  const hasKey = Boolean(headers.get("x-functions-key") || options.query?.get("code"));
  const actor = principal ? sanitizeActor(principal) : hasKey ? FUNCTION_KEY : ANONYMOUS;
  const ticket = headers.get("x-ticket-ref");
  if (ticket === null) return { actor };
  return { actor, ticketRef: validateTicketRef(ticket, "header x-ticket-ref") };
}

export function validateTicketRef(value: string, path: string): string {
  if (!TICKET_REF_PATTERN.test(value)) {
    throw new ValidationError([
      { path, message: "must be 1-64 characters of letters, digits and _ . : - (an ITSM ticket reference such as CHG0031234)" },
    ]);
  }
  return value;
}

/** Control characters would let a caller forge lines in logs and audit exports. */
function sanitizeActor(value: string): string {
  const printable = [...value].filter((ch) => ch >= " " && ch !== "\u007f").join("");
  return printable.slice(0, MAX_ACTOR_LENGTH) || ANONYMOUS;
}
