import { app, type HttpHandler } from "@azure/functions";
import * as df from "durable-functions";
import type { z } from "zod";
import type { Handler } from "./handler";

/**
 * One REST operation: its Functions registration and its OpenAPI description in one object, with the
 * zod schemas its handler validates with. GET /api/openapi.json is generated from these objects only,
 * so a route is in the document exactly when it is registered through registerRoutes.
 */
export interface ApiOperation {
  /** The Functions name and the OpenAPI operationId. */
  name: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The Functions route template below /api, e.g. "interconnects/{name}". */
  route: string;
  tag: string;
  summary: string;
  description: string;
  authLevel?: "function" | "anonymous";
  /** Needs the Durable client binding (starts or queries orchestrations). */
  durableClient?: boolean;
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    /** Request headers the handler reads. */
    headers?: z.ZodObject;
    body?: { schema: z.ZodType; description: string };
  };
  responses: Partial<Record<200 | 201 | 202 | 204 | 304 | 308, ApiResponse>>;
  /** Statuses answered with application/problem+json, each with what it means here (and the headers it sends). */
  problems: Partial<Record<400 | 401 | 404 | 409 | 412 | 413 | 415 | 500 | 501 | 502 | 503, string | ApiProblem>>;
}

export interface ApiProblem {
  description: string;
  headers: Record<string, string>;
}

/** A BusyError (domain/errors.ts) on a route that writes the network queue, the BGP reservations or the usage rows. */
export const BUSY_PROBLEM: ApiProblem = {
  description:
    "BUSY: concurrent requests kept winning the conditional writes this one needs; nothing is wrong with it: send it again after Retry-After seconds.",
  headers: { "Retry-After": "Seconds to wait before sending the same request again." },
};

export interface ApiResponse {
  description: string;
  /** The body's schema; none for a response without a body (304, 308). */
  schema?: z.ZodType;
  /** The body's media types, application/json unless given (the console serves HTML, scripts and styles). */
  contentTypes?: readonly string[];
  headers?: Record<string, string>;
  /** OpenAPI links, e.g. to the Durable status query of the instance this response names. */
  links?: Record<string, { operationId: string; parameters: Record<string, string>; description: string }>;
}

export interface ApiRoute {
  operation: ApiOperation;
  handler: Handler;
}

export function registerRoutes(routes: readonly ApiRoute[]): void {
  const durableClient = df.input.durableClient();
  for (const { operation: op, handler } of routes) {
    app.http(op.name, {
      methods: [op.method],
      route: op.route,
      authLevel: op.authLevel ?? "function",
      ...(op.durableClient ? { extraInputs: [durableClient] } : {}),
      handler: handler as HttpHandler,
    });
  }
}
