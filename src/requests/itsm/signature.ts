import { createHmac, timingSafeEqual } from "node:crypto";
import { DomainError } from "../../domain/errors";

/** Older or newer than this, a signed timestamp is a replay (or a clock far off). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export const ITSM_UNAUTHORIZED = "UNAUTHORIZED";

export interface SignatureHeaders {
  get(name: string): string | null;
}

/**
 * Our convention for both systems: x-itsm-timestamp (Unix seconds) and
 * x-itsm-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">. A Jira admin webhook with a
 * secret signs the raw body alone (X-Hub-Signature: sha256=<hex>, WebSub style) and sends no timestamp;
 * it is accepted on the Jira route only, where replays are caught by idempotency instead.
 * Throws a 401 DomainError whose message says what was wrong, never what was expected.
 */
export function verifySignature(options: {
  secret: string;
  rawBody: Buffer;
  headers: SignatureHeaders;
  nowMs: number;
  allowHubSignature: boolean;
}): "itsm" | "hub" {
  const { secret, rawBody, headers } = options;
  const signature = headers.get("x-itsm-signature");
  if (signature !== null) {
    const timestamp = headers.get("x-itsm-timestamp");
    if (timestamp === null || !/^\d{1,12}$/.test(timestamp.trim())) throw unauthorized("x-itsm-timestamp is missing or not Unix seconds");
    const skew = Math.abs(options.nowMs / 1000 - Number(timestamp.trim()));
    if (skew > SIGNATURE_TOLERANCE_SECONDS)
      throw unauthorized(
        `x-itsm-timestamp is ${Math.round(skew)} s away from now (at most ${SIGNATURE_TOLERANCE_SECONDS} s): a replay or a wrong clock`,
      );
    const expected = createHmac("sha256", secret).update(`${timestamp.trim()}.`).update(rawBody).digest("hex");
    if (!sameSignature(signature, expected)) throw unauthorized("x-itsm-signature does not match");
    return "itsm";
  }
  const hub = headers.get("x-hub-signature");
  if (hub !== null && options.allowHubSignature) {
    const expected = createHmac("sha256", secret).update(rawBody).digest("hex");
    if (!sameSignature(hub, expected)) throw unauthorized("X-Hub-Signature does not match");
    return "hub";
  }
  throw unauthorized(
    options.allowHubSignature
      ? "no signature: send x-itsm-timestamp and x-itsm-signature, or X-Hub-Signature from a Jira webhook with a secret"
      : "no signature: send x-itsm-timestamp and x-itsm-signature",
  );
}

/** Signs a body as verifySignature expects (the signing helper and tests use it). */
export function signBody(
  secret: string,
  rawBody: string | Buffer,
  timestampSeconds: number,
): { "x-itsm-timestamp": string; "x-itsm-signature": string } {
  const ts = String(Math.floor(timestampSeconds));
  return {
    "x-itsm-timestamp": ts,
    "x-itsm-signature": `sha256=${createHmac("sha256", secret).update(`${ts}.`).update(rawBody).digest("hex")}`,
  };
}

function sameSignature(given: string, expectedHex: string): boolean {
  const value = given.trim();
  const hex = value.toLowerCase().startsWith("sha256=") ? value.slice(7) : "";
  const a = Buffer.from(hex.toLowerCase(), "utf8");
  const b = Buffer.from(expectedHex, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(why: string): DomainError {
  return new DomainError(ITSM_UNAUTHORIZED, `The event is not authenticated: ${why}.`, { status: 401 });
}
