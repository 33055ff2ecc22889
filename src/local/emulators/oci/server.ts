import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { etagOf, type ApiRequest, type ApiResponse } from "./api";
import type { OciContext } from "./context";
import { OciApiError } from "./errors";
import { advanceLifecycles } from "./lifecycle";
import { ociAdmin } from "./admin";
import { findRoute } from "./routes";
import { verifyRequestSignature, type SigningIdentity } from "./signature";

const API_PREFIX = "/20160918/";
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * One HTTP exchange the way OCI answers it: signature first (401 NotAuthenticated), then injected faults
 * (latency, 429 TooManyRequests, 500/503), then the operation; errors as {"code","message"}; an
 * opc-request-id on every response (the client's own when it sent one) and an etag on single resources.
 */
export function createHandler(ctx: OciContext, identity: SigningIdentity, afterRequest: () => void) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = headerOf(req, "opc-request-id") ?? randomBytes(16).toString("hex").toUpperCase();
    let answer: ApiResponse;
    try {
      const rawBody = await readBody(req);
      answer = await handle(ctx, identity, req, rawBody);
    } catch (err) {
      answer = errorAnswer(err);
    }
    afterRequest();
    send(res, requestId, answer);
  };
}

async function handle(ctx: OciContext, identity: SigningIdentity, req: IncomingMessage, rawBody: Buffer): Promise<ApiResponse> {
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://emulator");
  const admin = url.pathname.startsWith("/admin/") ? ociAdmin(ctx.faults, method, url.pathname, rawBody) : undefined;
  if (admin) return admin;
  if (!url.pathname.startsWith(API_PREFIX)) {
    throw new OciApiError(404, "NotFound", `There is no operation at ${url.pathname}; the API lives under /20160918`);
  }
  const authError = verifyRequestSignature(req, rawBody, identity);
  if (authError) throw authError;
  const segments = url.pathname
    .slice(API_PREFIX.length)
    .split("/")
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
  const route = findRoute(method, segments);
  if (route.kind === "not-found") throw new OciApiError(404, "NotFound", `There is no operation at ${method} ${url.pathname}`);
  if (route.kind === "method-not-allowed") throw new OciApiError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}`);

  const operation = `${method} ${segments[0]}`;
  const latency = ctx.faults.latencyMs("oci", operation);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  const fault = ctx.faults.decide("oci", operation);
  if (fault.kind === "throttle") {
    throw new OciApiError(429, "TooManyRequests", "Too many requests for this tenancy; retry with backoff", {
      "retry-after": String(fault.retryAfterSeconds),
    });
  }
  if (fault.kind === "error") {
    throw fault.status === 500
      ? new OciApiError(500, "InternalServerError", "An internal error occurred; retry with backoff")
      : new OciApiError(503, "ServiceUnavailable", "The service is temporarily unavailable; retry with backoff");
  }

  advanceLifecycles(ctx);
  const apiRequest: ApiRequest = {
    method,
    segments,
    query: url.searchParams,
    body: parseJson(method, rawBody),
    bodySha256: createHash("sha256").update(rawBody).digest("base64"),
    ...optional("ifMatch", headerOf(req, "if-match")),
    ...optional("retryToken", headerOf(req, "opc-retry-token")),
  };
  return route.op(ctx, apiRequest);
}

function parseJson(method: string, rawBody: Buffer): unknown {
  if (method !== "POST" && method !== "PUT") return undefined;
  try {
    return JSON.parse(rawBody.toString("utf8"));
  } catch {
    throw new OciApiError(400, "CannotParseRequest", "The request body is not valid JSON");
  }
}

function errorAnswer(err: unknown): ApiResponse {
  if (err instanceof OciApiError) {
    return { status: err.status, body: { code: err.code, message: err.message }, headers: err.headers };
  }
  console.error("oci emulator: unexpected error", err);
  return { status: 500, body: { code: "InternalServerError", message: "An internal error occurred" } };
}

function send(res: ServerResponse, requestId: string, answer: ApiResponse): void {
  const headers: Record<string, string> = { "opc-request-id": requestId, ...answer.headers };
  if (answer.etagOf) headers.etag = etagOf(answer.etagOf);
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  const payload = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new OciApiError(413, "RequestEntityTooLarge", "The request body exceeds 1 MB"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
