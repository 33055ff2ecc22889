import { z } from "zod";
import { ValidationError } from "../domain/errors";
import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE } from "../domain/names";
import { TICKET_REF_PATTERN } from "./caller";
import { tooDeepAt, tooDeepMessage } from "./json-nesting";

/**
 * The queue contract (docs/api.md): what an ITSM integration or a scheduled expiry job drops on
 * `interconnect-teardown`. Strict: an unknown field is more likely a typo of a real one than extra data.
 */
export const teardownMessageSchema = z.strictObject({
  name: z.string().regex(INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE),
  reason: z.string().trim().min(1, "must say why the interconnect is torn down").max(500, "must be at most 500 characters"),
  requestedBy: z.string().trim().min(1, "must name who asked for the teardown").max(256, "must be at most 256 characters"),
  ticketRef: z.string().regex(TICKET_REF_PATTERN, "must be 1-64 characters of letters, digits and _ . : -").optional(),
});

export type TeardownMessage = z.infer<typeof teardownMessageSchema>;

/**
 * The Functions queue extension hands a JSON message over already parsed and anything else as a
 * string; both arrive here. Throws ValidationError naming every bad field.
 */
export function parseTeardownMessage(raw: unknown): TeardownMessage {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ValidationError([{ path: "", message: 'the message is not JSON; expected {"name","reason","requestedBy","ticketRef"?}' }]);
    }
  } else if (raw instanceof Uint8Array) {
    return parseTeardownMessage(Buffer.from(raw).toString("utf8"));
  }
  const result = teardownMessageSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({
            path: [...issue.path.map(String), key].join("."),
            message: "unknown field; allowed: name, reason, requestedBy, ticketRef",
          }))
        : [{ path: issue.path.map(String).join("."), message: issue.message }],
    ),
  );
}

/**
 * What a rejected message still tells: the name to file its audit row under and who sent it, each
 * only when that field on its own passes the contract's rule, however broken the rest is.
 */
export function bestEffortFields(raw: unknown): { name?: string; requestedBy?: string } {
  let value = raw;
  if (raw instanceof Uint8Array) value = Buffer.from(raw).toString("utf8");
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const fields = value as Record<string, unknown>;
  const name = teardownMessageSchema.shape.name.safeParse(fields.name);
  const requestedBy = teardownMessageSchema.shape.requestedBy.safeParse(fields.requestedBy);
  return { ...(name.success ? { name: name.data } : {}), ...(requestedBy.success ? { requestedBy: requestedBy.data } : {}) };
}

/** A queue message as it arrived: its exact bytes (what the poison queue keeps) and, when it is sound text, that text. */
export interface ArrivedMessage {
  bytes: Buffer;
  text?: string;
  /** Why it cannot be read at all (not UTF-8, nested too deeply): rejected before parsing. */
  unreadable?: ValidationError;
}

/**
 * The trigger binds the message as bytes (dataType "binary"), so nothing was decoded, re-encoded or
 * re-serialised on the way: pretty-printed JSON and invalid UTF-8 reach the poison queue as sent.
 * A string or an object (a caller that parsed it already) is taken as its UTF-8 / JSON text.
 */
export function arrivedMessage(raw: unknown): ArrivedMessage {
  let bytes: Buffer;
  if (raw instanceof Uint8Array) bytes = Buffer.from(raw);
  else if (typeof raw === "string") bytes = Buffer.from(raw, "utf8");
  else {
    try {
      bytes = Buffer.from(JSON.stringify(raw) ?? "null", "utf8");
    } catch {
      // JSON.stringify recurses: a structure this deep is refused like its text would be.
      return {
        bytes: Buffer.alloc(0),
        unreadable: new ValidationError([{ path: "", message: "the message is nested too deeply to read" }]),
      };
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      bytes,
      unreadable: new ValidationError([{ path: "", message: "the message is not valid UTF-8 text; expected a JSON object" }]),
    };
  }
  const deep = tooDeepAt(text);
  if (deep !== undefined)
    return { bytes, unreadable: new ValidationError([{ path: "", message: tooDeepMessage("The message", text, deep) }]) };
  return { bytes, text };
}
