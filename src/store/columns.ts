import type { z } from "zod";
import { DomainError, ErrorCodes, ValidationError } from "../domain/errors";

/** Table Storage caps a string property at 64 KiB of UTF-16, i.e. 32 768 characters. */
export const MAX_STRING_PROPERTY_CHARS = 32 * 1024;

export function assertFitsStringProperty(field: string, value: string): void {
  if (value.length > MAX_STRING_PROPERTY_CHARS) {
    throw new ValidationError(
      [
        {
          path: field,
          message: `is ${value.length} characters once serialised; Table Storage allows at most ${MAX_STRING_PROPERTY_CHARS} (64 KiB)`,
        },
      ],
      `${field} is too large to store: ${value.length} characters once serialised, the limit is ${MAX_STRING_PROPERTY_CHARS} (64 KiB per Table Storage string property).`,
    );
  }
}

/** JSON columns are stored as strings: Table Storage has no nested types. */
export function encodeJson(field: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new ValidationError([{ path: field, message: "is not JSON-serialisable" }]);
  assertFitsStringProperty(field, text);
  return text;
}

/**
 * Rows can be edited by hand or written by an older version, so everything read back is validated;
 * a bad row is an internal fault that names the table, row and column rather than a crash later on.
 */
export function decodeJson<T>(where: string, field: string, text: unknown, schema: z.ZodType<T>): T {
  if (typeof text !== "string") throw corrupt(where, field, "missing or not a string");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(where, field, "not valid JSON", error);
  }
  return parseColumn(where, field, parsed, schema);
}

export function parseColumn<T>(where: string, field: string, value: unknown, schema: z.ZodType<T>): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue && issue.path.length ? `${field}.${issue.path.join(".")}` : field;
    throw corrupt(where, at, issue?.message ?? "invalid");
  }
  return result.data;
}

/** Validates a value about to be written; every issue names its field path. */
export function parseInput<T>(field: string, value: unknown, schema: z.ZodType<T>): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({ path: [field, ...issue.path.map(String)].join("."), message: issue.message })),
  );
}

function corrupt(where: string, field: string, problem: string, cause?: unknown): DomainError {
  return new DomainError(ErrorCodes.INTERNAL, `Stored row ${where} is corrupt: ${field} is ${problem}.`, {
    status: 500,
    details: { row: where, field },
    cause,
  });
}
