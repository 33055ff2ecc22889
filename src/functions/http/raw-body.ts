import type { HttpRequest } from "@azure/functions";
import { DomainError, ValidationError } from "../../domain/errors";
import { describeJsonError } from "./json-body";
import { HttpErrorCodes } from "./problem";

/**
 * A signed JSON body: the exact bytes (the signature covers them, so nothing may be decoded and
 * re-encoded first), a JSON content type (415), a bounded size (413), then the parsed JSON (400 saying
 * where it breaks). The caller verifies the signature between reading and parsing.
 */
export async function readSignedJsonBody(req: HttpRequest, maxBytes: number): Promise<{ raw: Buffer; parse: () => unknown }> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (mediaType !== "application/json") {
    throw new DomainError(
      HttpErrorCodes.UNSUPPORTED_MEDIA_TYPE,
      `The event body must be JSON (Content-Type: application/json); got ${mediaType ? `"${mediaType}"` : "no Content-Type"}.`,
      { status: 415 },
    );
  }
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body?.getReader();
  for (;;) {
    if (!reader) break;
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const raw = Buffer.concat(chunks);
  return {
    raw,
    parse: () => {
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
      } catch {
        throw new ValidationError([{ path: "", message: "The event body is not valid UTF-8." }]);
      }
      if (text.trim() === "") throw new ValidationError([{ path: "", message: "The event body is empty." }]);
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new ValidationError([{ path: "", message: describeJsonError(text, err) }]);
      }
    },
  };
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError(HttpErrorCodes.PAYLOAD_TOO_LARGE, `The event body is larger than ${maxBytes} bytes.`, { status: 413 });
}
