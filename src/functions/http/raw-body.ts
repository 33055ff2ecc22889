import type { HttpRequest } from "@azure/functions";
import { ValidationError } from "../../domain/errors";
import { decodeUtf8, describeJsonError, mediaTypeOf, notJson, readBodyBytes } from "./json-body";

/**
 * A signed JSON body: the exact bytes (the signature covers them, so nothing may be decoded and
 * re-encoded first), a JSON content type (415), a bounded size (413), then the parsed JSON (400 saying
 * where it breaks). The caller verifies the signature between reading and parsing.
 */
export async function readSignedJsonBody(req: HttpRequest, maxBytes: number): Promise<{ raw: Buffer; parse: () => unknown }> {
  const mediaType = mediaTypeOf(req);
  if (mediaType !== "application/json") throw notJson("The event body", mediaType);
  const raw = await readBodyBytes(req, maxBytes, "The event body");
  return {
    raw,
    parse: () => {
      const text = decodeUtf8("The event body", raw);
      if (text.trim() === "") throw new ValidationError([{ path: "", message: "The event body is empty." }]);
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new ValidationError([{ path: "", message: describeJsonError(text, err) }]);
      }
    },
  };
}
