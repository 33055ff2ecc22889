import { randomUUID } from "node:crypto";
import { HttpRequest, HttpResponse, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import type { RawRequest, RawResponse } from "./http-types";
import { problem } from "./http-types";
import type { HostLogger } from "./log";
import { invocationContext } from "./invocation";
import { invocationLogHandler } from "./log";
import type { FunctionRegistry, RegisteredFunction } from "./registry";

interface Segment {
  literal?: string;
  param?: string;
  optional?: boolean;
  catchAll?: boolean;
  constraint?: string;
}

export interface HttpRoute {
  fn: RegisteredFunction;
  methods: string[] | undefined;
  segments: Segment[];
  authLevel: string;
}

/** ASP.NET route templates as Functions uses them: literals, {p}, {p?}, {p:int}, {*rest}. */
export function compileRoute(template: string): Segment[] {
  return template
    .split("/")
    .filter(Boolean)
    .map((part) => {
      const m = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}$/.exec(part);
      if (!m) {
        if (part.includes("{")) throw new Error(`route template "${template}": unsupported segment "${part}"`);
        return { literal: part.toLowerCase() };
      }
      return { param: m[2], catchAll: m[1] === "*", constraint: m[3]?.toLowerCase(), optional: m[4] === "?" || m[1] === "*" };
    });
}

function constraintOk(constraint: string | undefined, value: string): boolean {
  switch (constraint) {
    case undefined:
      return true;
    case "int":
    case "long":
      return /^-?\d+$/.test(value);
    case "alpha":
      return /^[A-Za-z]+$/.test(value);
    case "guid":
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
    case "bool":
      return /^(true|false)$/i.test(value);
    default:
      return true;
  }
}

export function matchRoute(segments: Segment[], path: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  let i = 0;
  for (const seg of segments) {
    if (seg.catchAll) {
      if (i < path.length) params[seg.param as string] = path.slice(i).join("/");
      return params;
    }
    const value = path[i];
    if (value === undefined) {
      if (seg.optional) continue;
      return undefined;
    }
    if (seg.literal !== undefined) {
      if (value.toLowerCase() !== seg.literal) return undefined;
    } else {
      if (!constraintOk(seg.constraint, value)) return undefined;
      params[seg.param as string] = value;
    }
    i++;
  }
  return i === path.length ? params : undefined;
}

export interface HttpTriggerOptions {
  registry: FunctionRegistry;
  routePrefix: string;
  logger: HostLogger;
  /** When set, non-anonymous functions need one of these keys (x-functions-key header or ?code=). */
  functionKeys?: string[];
  /** Fills the durableClient input binding (and any other extra input the host can provide). */
  extraInput: (type: string, origin: string) => unknown;
}

export class HttpTriggers {
  private readonly routes: HttpRoute[];

  constructor(private readonly o: HttpTriggerOptions) {
    // Literal segments win over parameters, as in ASP.NET routing: sort by how specific a route is.
    this.routes = o.registry
      .ofType("httpTrigger")
      .map((fn) => ({
        fn,
        methods: Array.isArray(fn.trigger.methods) ? (fn.trigger.methods as string[]).map((m) => m.toUpperCase()) : undefined,
        segments: compileRoute(typeof fn.trigger.route === "string" ? fn.trigger.route : fn.name),
        authLevel: String(fn.trigger.authLevel ?? "function").toLowerCase(),
      }))
      .sort((a, b) => specificity(b.segments) - specificity(a.segments));
  }

  list(): { name: string; methods: string[]; route: string }[] {
    return this.routes.map((r) => ({
      name: r.fn.name,
      methods: r.methods ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
      route: `/${[this.o.routePrefix, typeof r.fn.trigger.route === "string" ? r.fn.trigger.route : r.fn.name].filter(Boolean).join("/")}`,
    }));
  }

  /** Undefined when no route of the app matches this path. */
  async handle(req: RawRequest): Promise<RawResponse | undefined> {
    const all = req.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const prefix = this.o.routePrefix.split("/").filter(Boolean);
    if (prefix.some((p, i) => all[i]?.toLowerCase() !== p.toLowerCase())) return undefined;
    const path = all.slice(prefix.length);
    let methodMismatch = false;
    for (const route of this.routes) {
      const params = matchRoute(route.segments, path);
      if (!params) continue;
      if (route.methods && !route.methods.includes(req.method)) {
        methodMismatch = true;
        continue;
      }
      if (!this.authorized(route, req))
        return problem(
          401,
          "Unauthorized",
          `function '${route.fn.name}' needs a function key (x-functions-key header or code query parameter)`,
        );
      return this.invoke(route, req, params);
    }
    return methodMismatch ? problem(405, "Method not allowed", `${req.method} is not allowed on ${req.url.pathname}`) : undefined;
  }

  private authorized(route: HttpRoute, req: RawRequest): boolean {
    if (!this.o.functionKeys || route.authLevel === "anonymous") return true;
    const key = req.headers["x-functions-key"] ?? req.url.searchParams.get("code") ?? "";
    return this.o.functionKeys.includes(key);
  }

  private async invoke(route: HttpRoute, req: RawRequest, params: Record<string, string>): Promise<RawResponse> {
    const fn = route.fn;
    const invocationId = randomUUID();
    const started = Date.now();
    const request = new HttpRequest({
      method: req.method,
      url: req.url.href,
      headers: req.headers,
      query: Object.fromEntries(req.url.searchParams),
      params,
      body: req.body.length ? { bytes: new Uint8Array(req.body) } : undefined,
    });
    const context = this.context(fn, invocationId, req.url.origin, "httpTrigger");
    let result: RawResponse;
    try {
      const returned = (await fn.callback(request, context)) as HttpResponse | HttpResponseInit | undefined;
      const response = returned instanceof HttpResponse ? returned : new HttpResponse(returned ?? { status: 204 });
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const cookies = response.cookies.map(
        (c) => `${c.name}=${c.value}${c.path ? `; Path=${c.path}` : ""}${c.httpOnly ? "; HttpOnly" : ""}${c.secure ? "; Secure" : ""}`,
      );
      if (cookies.length) headers["set-cookie"] = cookies.join(", ");
      result = { status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) };
      this.o.logger.debug(
        `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms) ${req.method} ${req.url.pathname} -> ${result.status}`,
      );
    } catch (e) {
      this.o.logger.error(
        `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${Date.now() - started}ms) ${req.method} ${req.url.pathname}: ${(e as Error)?.stack ?? e}`,
      );
      // Like the Functions host: an unhandled exception is a bare 500, its details stay in the log.
      result = { status: 500, headers: {}, body: "" };
    }
    return result;
  }

  context(fn: RegisteredFunction, invocationId: string, origin: string, triggerType: string): InvocationContext {
    return invocationContext(fn, {
      invocationId,
      triggerType,
      logHandler: invocationLogHandler(this.o.logger, `[${fn.name}]`),
      extraInput: (type) => this.o.extraInput(type, origin),
    });
  }
}

function specificity(segments: Segment[]): number {
  return segments.reduce((n, s) => n + (s.literal !== undefined ? 3 : s.catchAll ? 0 : s.optional ? 1 : 2), 0) * 100 + segments.length;
}
