import type { ArmError } from "./errors";
import { badRequest } from "./errors";

/** Field readers for request bodies: each failure is a 400 that names the field, as ARM's validation does. */
export type Json = Record<string, unknown>;

const invalid = (field: string, expected: string): ArmError =>
  badRequest("InvalidRequestFormat", `Cannot parse the request. Property '${field}' ${expected}.`);

export function asObject(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(field, "must be a JSON object");
  return value as Json;
}

export function optObject(parent: Json, name: string, field: string): Json | undefined {
  const v = parent[name];
  return v === undefined || v === null ? undefined : asObject(v, field);
}

export function reqObject(parent: Json, name: string, field: string): Json {
  const v = optObject(parent, name, field);
  if (!v) throw invalid(field, "is required");
  return v;
}

export function optString(parent: Json, name: string, field: string): string | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(field, "must be a string");
  return v;
}

export function reqString(parent: Json, name: string, field: string): string {
  const v = optString(parent, name, field);
  if (v === undefined || v === "") throw invalid(field, "is required");
  return v;
}

export function optNumber(parent: Json, name: string, field: string): number | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(field, "must be a number");
  return v;
}

export function optBoolean(parent: Json, name: string, field: string): boolean | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalid(field, "must be a boolean");
  return v;
}

export function optArray(parent: Json, name: string, field: string): unknown[] | undefined {
  const v = parent[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid(field, "must be an array");
  return v;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw invalid(field, `must be one of ${allowed.join(", ")} (got '${value}')`);
  return found;
}

/** Tracked (top-level) resources need a location. */
export function reqLocation(body: Json): string {
  const location = optString(body, "location", "location");
  if (!location) throw badRequest("LocationRequired", "The location property is required for this definition.");
  return location;
}

export function optTags(body: Json): Record<string, string> | undefined {
  const tags = optObject(body, "tags", "tags");
  if (!tags) return undefined;
  for (const [k, v] of Object.entries(tags)) if (typeof v !== "string") throw invalid(`tags.${k}`, "must be a string");
  return tags as Record<string, string>;
}

/** `{ id }` sub-resource reference. */
export function reqRef(parent: Json, name: string, field: string): string {
  return reqString(reqObject(parent, name, field), "id", `${field}.id`);
}
