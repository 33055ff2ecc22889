import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE } from "../../domain/names";
import { ValidationError, type ValidationIssue } from "../../domain/errors";
import { INTERCONNECT_STATES, isInterconnectState, type InterconnectState } from "../../domain/lifecycle";


/** The spec's name rule, so that a path segment that can never name an interconnect is a 400, not a 404. */
export function nameParam(value: string | undefined): string {
  if (value === undefined || !INTERCONNECT_NAME_PATTERN.test(value)) {
    throw new ValidationError([
      { path: "path name", message: INTERCONNECT_NAME_RULE },
    ]);
  }
  return value;
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
    if (!/^\d{1,4}$/.test(top) || Number(top) < 1 || Number(top) > 1000) {
      issues.push({ path: "query top", message: "must be an integer from 1 to 1000" });
    } else page.top = Number(top);
  }
  const token = query.get("continuationToken");
  if (token !== null) {
    if (!isTableContinuationToken(token)) issues.push({ path: "query continuationToken", message: "must be the token from a previous page's nextLink" });
    else page.continuationToken = token;
  }
  return page;
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
  return typeof nextPartitionKey === "string" && nextPartitionKey !== "" && (nextRowKey === undefined || typeof nextRowKey === "string") && Object.keys(rest).length === 0;
}

export function stateQuery(query: URLSearchParams, issues: ValidationIssue[]): InterconnectState | undefined {
  const state = query.get("state");
  if (state === null) return undefined;
  if (!isInterconnectState(state)) {
    issues.push({ path: "query state", message: `must be one of ${INTERCONNECT_STATES.join(", ")}` });
    return undefined;
  }
  return state;
}

export function reasonQuery(query: URLSearchParams, issues: ValidationIssue[], fallback: string): string {
  const reason = query.get("reason");
  if (reason === null) return fallback;
  if (reason.trim().length === 0 || reason.length > 500) {
    issues.push({ path: "query reason", message: "must be 1-500 characters saying why the interconnect is torn down" });
    return fallback;
  }
  return reason.trim();
}

export function throwIfAny(issues: ValidationIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}
