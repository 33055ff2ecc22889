import { invalidParameter, missingParameter } from "./errors";
import type { DefinedTags, FreeformTags } from "./model";

/** Field readers for request bodies: each failure names the field, as OCI's InvalidParameter messages do. */
export type Body = Record<string, unknown>;

export function asBody(value: unknown, field: string): Body {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidParameter(field, "must be a JSON object");
  }
  return value as Body;
}

export function requiredString(body: Body, field: string, path = field): string {
  const v = body[field];
  if (v === undefined || v === null || v === "") throw missingParameter(path);
  if (typeof v !== "string") throw invalidParameter(path, "must be a string");
  return v;
}

export function optionalString(body: Body, field: string, path = field): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParameter(path, "must be a string");
  return v;
}

export function optionalDisplayName(body: Body): string | undefined {
  const v = optionalString(body, "displayName");
  if (v !== undefined && (v.length === 0 || v.length > 255)) throw invalidParameter("displayName", "must be 1 to 255 characters");
  return v;
}

export function optionalEnum<T extends string>(body: Body, field: string, allowed: readonly T[]): T | undefined {
  const v = optionalString(body, field);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw invalidParameter(field, `must be one of ${allowed.join(", ")}`);
  return v as T;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidParameter(field, "must be a boolean");
  return v;
}

export function freeformTagsOf(body: Body): FreeformTags | undefined {
  const v = body.freeformTags;
  if (v === undefined || v === null) return undefined;
  const tags = asBody(v, "freeformTags");
  for (const [k, value] of Object.entries(tags)) {
    if (typeof value !== "string") throw invalidParameter(`freeformTags.${k}`, "must be a string");
  }
  return tags as FreeformTags;
}

export function definedTagsOf(body: Body): DefinedTags | undefined {
  const v = body.definedTags;
  if (v === undefined || v === null) return undefined;
  const tags = asBody(v, "definedTags");
  for (const [k, value] of Object.entries(tags)) asBody(value, `definedTags.${k}`);
  return tags as DefinedTags;
}

/** Rejects fields this emulator does not model instead of silently ignoring what a caller meant to set. */
export function rejectUnknownFields(body: Body, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalidParameter(`${path}.${key}`, "is not supported by this operation");
  }
}
