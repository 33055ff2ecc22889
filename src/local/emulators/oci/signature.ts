import { createHash, verify, type KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { notAuthenticated, type OciApiError } from "./errors";

/** Clock skew OCI tolerates between the signed date and its own clock. */
const MAX_SKEW_MS = 5 * 60 * 1000;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

export interface SigningIdentity {
  /** "<tenancy OCID>/<user OCID>/<fingerprint>" */
  keyId: string;
  publicKey: KeyObject;
}

/**
 * Verifies an OCI request signature (draft-cavage HTTP Signatures, as oci-common's DefaultRequestSigner
 * produces through the http-signature package): the signing string is "name: value" lines of the listed
 * headers, lowercased, with "(request-target): <method> <path+query>"; RSA-SHA256 over it. Bodies are
 * bound to the signature through x-content-sha256, which must match the bytes actually received.
 * Real time (not the virtual clock) is used for the skew check: the SDK signs with real time.
 * Returns the error to answer with, or undefined when the request is authentic.
 */
export function verifyRequestSignature(
  req: IncomingMessage,
  rawBody: Buffer,
  identity: SigningIdentity,
  realNowMs: number = Date.now(),
): OciApiError | undefined {
  const authorization = req.headers.authorization;
  if (!authorization) return notAuthenticated("the authorization header is missing");
  if (!authorization.startsWith("Signature ")) return notAuthenticated("the authorization scheme must be Signature");
  const params = parseSignatureParams(authorization.slice("Signature ".length));
  if (params.version !== undefined && params.version !== "1") return notAuthenticated(`unsupported signature version ${params.version}`);
  if (params.algorithm !== "rsa-sha256") return notAuthenticated("algorithm must be rsa-sha256");
  if (!params.keyId) return notAuthenticated("keyId is missing");
  if (params.keyId !== identity.keyId) return notAuthenticated("the keyId is not a known API key");
  if (!params.signature) return notAuthenticated("signature is missing");
  if (!params.headers) return notAuthenticated("the list of signed headers is missing");

  const signed = params.headers.toLowerCase().split(" ").filter(Boolean);
  const method = (req.method ?? "GET").toUpperCase();
  const required = ["(request-target)", "host"];
  if (BODY_METHODS.has(method)) required.push("content-length", "content-type", "x-content-sha256");
  for (const h of required) {
    if (!signed.includes(h)) return notAuthenticated(`the header ${h} must be signed`);
  }
  const dateHeader = signed.includes("x-date") ? "x-date" : signed.includes("date") ? "date" : undefined;
  if (!dateHeader) return notAuthenticated("the header date or x-date must be signed");

  const lines: string[] = [];
  for (const h of signed) {
    if (h === "(request-target)") {
      lines.push(`(request-target): ${method.toLowerCase()} ${req.url ?? "/"}`);
      continue;
    }
    const value = req.headers[h];
    if (value === undefined || value === "") return notAuthenticated(`the signed header ${h} is not in the request`);
    lines.push(`${h}: ${Array.isArray(value) ? value.join(", ") : value}`);
  }
  const ok = verify("sha256", Buffer.from(lines.join("\n")), identity.publicKey, Buffer.from(params.signature, "base64"));
  if (!ok) return notAuthenticated("the signature does not verify with the API key");

  const signedAt = Date.parse(String(req.headers[dateHeader]));
  if (Number.isNaN(signedAt)) return notAuthenticated(`the ${dateHeader} header is not a date`);
  if (Math.abs(realNowMs - signedAt) > MAX_SKEW_MS) return notAuthenticated(`the ${dateHeader} header is more than 5 minutes off`);

  if (BODY_METHODS.has(method)) {
    const digest = createHash("sha256").update(rawBody).digest("base64");
    if (req.headers["x-content-sha256"] !== digest) return notAuthenticated("x-content-sha256 does not match the body");
    if (Number(req.headers["content-length"]) !== rawBody.length) return notAuthenticated("content-length does not match the body");
  }
  return undefined;
}

function parseSignatureParams(text: string): Record<string, string | undefined> {
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return params;
}
