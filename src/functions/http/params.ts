import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "../../domain/errors";
import type { InterconnectState } from "../../domain/lifecycle";
import * as schemas from "./schemas";

/** One value by the schema the OpenAPI document shows for it; a problem is added under `path`. */
function checked<T>(schema: z.ZodType<T>, value: unknown, path: string, issues: ValidationIssue[]): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  issues.push({ path, message: result.error.issues[0]?.message ?? "is not valid" });
  return undefined;
}

function pathParam<T>(schema: z.ZodType<T>, value: string | undefined, path: string): T {
  const issues: ValidationIssue[] = [];
  const parsed = checked(schema, value, path, issues);
  if (parsed === undefined) throw new ValidationError(issues);
  return parsed;
}

/** The spec's name rule, so that a path segment that can never name an interconnect is a 400, not a 404. */
export function nameParam(value: string | undefined): string {
  return pathParam(schemas.nameParam, value, "path name");
}

export function planIdParam(value: string | undefined): string {
  return pathParam(schemas.planIdParam, value, "path planId");
}

export function planIdQuery(value: string): string {
  return pathParam(schemas.planIdParam, value, "query planId");
}

export interface PageQuery {
  top: number;
  continuationToken?: string;
}

/**
 * ?top= and ?continuationToken=. The token is opaque to callers (whatever the previous page's nextLink
 * carried), but Table Storage's SDK decodes it blindly, so one that cannot be its encoding is a 400 here
 * instead of a parse error deep in the SDK.
 */
export function pageQuery(query: URLSearchParams, issues: ValidationIssue[], defaultTop = 50): PageQuery {
  const page: PageQuery = { top: defaultTop };
  const top = query.get("top");
  if (top !== null) {
    const valid = checked(schemas.topQuery, top, "query top", issues);
    if (valid !== undefined) page.top = Number(valid);
  }
  const token = query.get("continuationToken");
  if (token !== null) {
    if (!schemas.continuationTokenQuery.safeParse(token).success || !isTableContinuationToken(token))
      issues.push({ path: "query continuationToken", message: "must be the token from a previous page's nextLink" });
    else page.continuationToken = token;
  }
  return page;
}

/** ?order=: "desc" (newest first, the default) or "asc". */
export function orderQuery(query: URLSearchParams, issues: ValidationIssue[]): "asc" | "desc" {
  const order = query.get("order");
  if (order === null || order === "desc") return "desc";
  if (order === "asc") return "asc";
  issues.push({ path: "query order", message: 'must be "desc" (newest first, the default) or "asc"' });
  return "desc";
}

/** @azure/data-tables' encoding: base64 of JSON {"nextPartitionKey": string, "nextRowKey"?: string}. */
function isTableContinuationToken(token: string): boolean {
  if (token.length === 0 || token.length > 4096 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 === 1) return false;
  let decoded: unknown;
  try {
    // The SDK turns each decoded byte into one character, i.e. latin1.
    decoded = JSON.parse(Buffer.from(token, "base64").toString("latin1"));
  } catch {
    return false;
  }
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) return false;
  const { nextPartitionKey, nextRowKey, ...rest } = decoded as Record<string, unknown>;
  return (
    typeof nextPartitionKey === "string" &&
    nextPartitionKey !== "" &&
    (nextRowKey === undefined || typeof nextRowKey === "string") &&
    Object.keys(rest).length === 0
  );
}

export function stateQuery(query: URLSearchParams, issues: ValidationIssue[]): InterconnectState | undefined {
  const state = query.get("state");
  if (state === null) return undefined;
  return checked(schemas.stateQuery, state, "query state", issues);
}

/** The list's network filters: a VNet's ARM id and a VCN's OCID, each a 400 naming its parameter when malformed. */
export function networkQuery(query: URLSearchParams, issues: ValidationIssue[]): { virtualNetworkId?: string; vcnId?: string } {
  const vnet = query.get("virtualNetworkId");
  const vcn = query.get("vcnId");
  const virtualNetworkId = vnet === null ? undefined : checked(schemas.virtualNetworkIdQuery, vnet, "query virtualNetworkId", issues);
  const vcnId = vcn === null ? undefined : checked(schemas.vcnIdQuery, vcn, "query vcnId", issues);
  return { ...(virtualNetworkId ? { virtualNetworkId } : {}), ...(vcnId ? { vcnId } : {}) };
}

export function reasonQuery(query: URLSearchParams, issues: ValidationIssue[], fallback: string): string {
  const reason = query.get("reason");
  if (reason === null) return fallback;
  return checked(schemas.reasonQuery, reason, "query reason", issues)?.trim() ?? fallback;
}

export function throwIfAny(issues: ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}
