import { ValidationError } from "../domain/errors";

/** Who asked and under which change ticket; both travel into the orchestration input and every audit row. */
export interface Caller {
  actor: string;
  ticketRef?: string;
}

export const TICKET_REF_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const ANONYMOUS = "anonymous";
const MAX_ACTOR_LENGTH = 256;

/**
 * App Service authentication (EasyAuth) strips any client-sent x-ms-client-principal-* header and sets
 * its own, so the header is trustworthy when deployed; locally there is no EasyAuth and it is whatever
 * the caller sends, which is fine for an audit "who" on a developer machine.
 */
export function callerFromHeaders(headers: { get(name: string): string | null }): Caller {
  const principal = headers.get("x-ms-client-principal-name")?.trim();
  const actor = principal ? sanitizeActor(principal) : ANONYMOUS;
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
