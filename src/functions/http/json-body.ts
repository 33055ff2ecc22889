import type { HttpRequest } from "@azure/functions";
import { DomainError, ValidationError } from "../../domain/errors";
import { tooDeepAt, tooDeepMessage } from "../json-nesting";
import { jsonErrorOffset } from "./json-error-offset";
import { HttpErrorCodes } from "./problem";

/** A spec is a few hundred bytes; anything near the Table Storage 64 KiB string limit is not a spec. */
export const MAX_BODY_BYTES = 32 * 1024;

/**
 * Reads a JSON request body the strict way: JSON content type only (415), a bounded size (413, checked
 * on Content-Length and again while streaming, since the header may lie or be absent), and a parse
 * error that says where the JSON breaks, so the caller can fix it without guessing.
 */
export async function readJsonBody(req: HttpRequest, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const mediaType = mediaTypeOf(req);
  if (mediaType !== "application/json" && !/^application\/[a-z0-9.+-]+\+json$/.test(mediaType))
    throw notJson("The request body", mediaType);
  const text = decodeUtf8("The request body", await readBodyBytes(req, maxBytes, "The request body"));
  if (text.trim() === "") {
    throw new ValidationError([{ path: "", message: "The request body is empty; send the interconnect spec as JSON." }]);
  }
  const deep = tooDeepAt(text);
  if (deep !== undefined) throw new ValidationError([{ path: "", message: tooDeepMessage("The request body", text, deep) }]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError([{ path: "", message: describeJsonError(text, err) }]);
  }
}

/** The Content-Type's media type, lower case, without parameters ("" when absent). */
export function mediaTypeOf(req: HttpRequest): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** 415 for a body (`what`: "The request body") that is not JSON. */
export function notJson(what: string, mediaType: string): DomainError {
  return new DomainError(
    HttpErrorCodes.UNSUPPORTED_MEDIA_TYPE,
    `${what} must be JSON (Content-Type: application/json); got ${mediaType ? `"${mediaType}"` : "no Content-Type"}.`,
    { status: 415 },
  );
}

/**
 * The body's bytes, at most maxBytes (413), checked on Content-Length and again while streaming,
 * since the header may lie or be absent.
 */
export async function readBodyBytes(req: HttpRequest, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(what, maxBytes);
  const reader = req.body?.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(what, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The bytes as UTF-8 text; a 400 naming `what` when they are not. */
export function decodeUtf8(what: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError([{ path: "", message: `${what} is not valid UTF-8.` }]);
  }
}

function tooLarge(what: string, maxBytes: number): DomainError {
  return new DomainError(HttpErrorCodes.PAYLOAD_TOO_LARGE, `${what} is larger than ${maxBytes} bytes.`, { status: 413 });
}

/** "…at line 3, column 7 (position 41)": V8 reports only the offset, people read lines. */
export function describeJsonError(text: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const match = /position (\d+)/.exec(raw);
  const position = match ? Number(match[1]) : jsonErrorOffset(text);
  // V8 sometimes echoes the whole body back; the caller has it, and it could be long.
  const reason = raw.replace(/\s*in JSON at position \d+.*$/s, "").replace(/, ".*" is not valid JSON$/s, "");
  if (position === undefined) return `The request body is not valid JSON: ${reason}.`;
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `The request body is not valid JSON: ${reason} at line ${line}, column ${column} (position ${position}).`;
}
