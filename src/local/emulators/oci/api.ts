import { createHash } from "node:crypto";
import type { OciContext } from "./context";
import { conflict, invalidParameter, missingParameter, OciApiError } from "./errors";

/** One parsed, authenticated request as the resource operations see it. */
export interface ApiRequest {
  method: string;
  /** Path segments after /20160918, decoded. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  bodySha256: string;
  ifMatch?: string;
  retryToken?: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  /** Single-resource answers carry the resource's etag, as OCI's do. */
  etagOf?: object;
  headers?: Record<string, string>;
}

export type Operation = (ctx: OciContext, req: ApiRequest) => ApiResponse;

export function etagOf(resource: object): string {
  return createHash("sha256").update(JSON.stringify(resource)).digest("hex").slice(0, 32);
}

/** Optimistic concurrency: a PUT or DELETE with if-match must name the current version. */
export function checkIfMatch(req: ApiRequest, resource: object): void {
  if (req.ifMatch !== undefined && req.ifMatch !== etagOf(resource)) {
    throw new OciApiError(412, "NoEtagMatch", "The if-match etag does not match the current version of the resource");
  }
}

export const ok = (resource: object, status = 200): ApiResponse => ({ status, body: resource, etagOf: resource });

export function requiredQuery(req: ApiRequest, name: string): string {
  const v = req.query.get(name);
  if (!v) throw missingParameter(name);
  return v;
}

/** OCI list paging: `limit` items per page, `opc-next-page` carries the opaque token of the next page. */
export function paginate<T>(req: ApiRequest, items: T[]): ApiResponse {
  const limitText = req.query.get("limit");
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidParameter("limit", "must be an integer from 1 to 1000");
  const pageText = req.query.get("page");
  const start = pageText === null ? 0 : Number(Buffer.from(pageText, "base64url").toString("utf8"));
  if (!Number.isInteger(start) || start < 0) throw invalidParameter("page", "is not a page token of this list");
  const page = items.slice(start, start + limit);
  const headers: Record<string, string> = {};
  if (start + limit < items.length) headers["opc-next-page"] = Buffer.from(String(start + limit)).toString("base64url");
  return { status: 200, body: page, headers };
}

export function filterByQuery<T extends object>(req: ApiRequest, items: T[], fields: (keyof T & string)[]): T[] {
  return items.filter((item) =>
    fields.every((f) => {
      const wanted = req.query.get(f);
      return wanted === null || (item as Record<string, unknown>)[f] === wanted;
    }),
  );
}

export function byTimeCreated<T extends { timeCreated: string }>(a: T, b: T): number {
  return a.timeCreated.localeCompare(b.timeCreated);
}

/**
 * opc-retry-token: a create repeated with the same token and body answers the resource the first call
 * created; the same token with another body is refused; a token whose resource is gone is invalidated.
 */
export function replayCreate<T extends object>(
  ctx: OciContext,
  req: ApiRequest,
  operation: string,
  lookup: (id: string) => T | undefined,
): ApiResponse | undefined {
  if (!req.retryToken) return undefined;
  if (req.retryToken.length > 64) throw invalidParameter("opc-retry-token", "must be at most 64 characters");
  const record = ctx.state.retryTokens[`${operation} ${req.retryToken}`];
  if (!record || record.expiresAt <= ctx.now()) return undefined;
  if (record.bodySha256 !== req.bodySha256) {
    throw conflict("The opc-retry-token was already used for a request with a different body; use a new retry token");
  }
  const resource = lookup(record.resourceId);
  if (!resource) {
    throw new OciApiError(
      409,
      "InvalidatedRetryToken",
      "The resource created with this opc-retry-token no longer exists; retry with a different token",
    );
  }
  return ok(resource);
}

export function rememberCreate(ctx: OciContext, req: ApiRequest, operation: string, resourceId: string): void {
  if (!req.retryToken) return;
  ctx.state.retryTokens[`${operation} ${req.retryToken}`] = {
    operation,
    bodySha256: req.bodySha256,
    resourceId,
    expiresAt: ctx.now() + ctx.durations.retryTokenLifetime,
  };
}
