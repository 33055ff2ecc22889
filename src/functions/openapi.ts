import { z } from "zod";
import type { ApiOperation, ApiProblem, ApiRoute } from "./http/api";
import { guarded } from "./http/handler";
import { PROBLEM_CONTENT_TYPE } from "./http/problem";
import { problemSchema } from "./http/schemas";
import type { TriggerDeps } from "./deps";

type Json = Record<string, unknown>;

/** Bumped when the REST contract changes in a way a client notices. */
export const API_VERSION = "1.0.0";

const durableStatusSchema = z
  .looseObject({
    name: z.string(),
    instanceId: z.string(),
    runtimeStatus: z.string().meta({ description: "Pending | Running | Completed | Failed | Terminated | Suspended" }),
    input: z.unknown().optional(),
    customStatus: z.unknown().optional(),
    output: z.unknown().optional(),
    createdTime: z.string(),
    lastUpdatedTime: z.string(),
  })
  .meta({ id: "DurableInstanceStatus" });

/** JSON Schema 2020-12 from zod (OpenAPI 3.1's dialect), named schemas hoisted into components. */
class SchemaSet {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
    const { $schema: _dialect, $defs, ...rest } = json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) this.components[id] = rewriteRefs(def) as Json;
    return rewriteRefs(rest) as Json;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" ? v.replace("#/$defs/", "#/components/schemas/") : rewriteRefs(v),
    ]),
  );
}

function parameters(schemas: SchemaSet, where: "path" | "query" | "header", object: z.ZodObject | undefined): Json[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = schemas.convert(field as z.ZodType, "input");
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function mediaTypes(schemas: SchemaSet, schema: z.ZodType, types: readonly string[]): Json {
  const converted = schemas.convert(schema, "output");
  return Object.fromEntries(types.map((t) => [t, { schema: converted }]));
}

function operationObject(schemas: SchemaSet, op: ApiOperation): Json {
  const responses: Json = {};
  for (const [status, response] of Object.entries(op.responses)) {
    if (!response) continue;
    responses[status] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }]),
            ),
          }
        : {}),
      ...(response.schema ? { content: mediaTypes(schemas, response.schema, response.contentTypes ?? ["application/json"]) } : {}),
      ...(response.links ? { links: response.links } : {}),
    };
  }
  const problem = { $ref: "#/components/schemas/Problem" };
  const problems: Record<string, string | ApiProblem> = {
    ...(op.authLevel === "anonymous" ? {} : { 401: "No valid function key (x-functions-key header or code query parameter)." }),
    ...op.problems,
    500: op.problems[500] ?? "An unexpected error; it was logged.",
  };
  for (const [status, p] of Object.entries(problems)) {
    const { description, headers } = typeof p === "string" ? { description: p, headers: undefined } : p;
    responses[status] = {
      description,
      ...(headers
        ? { headers: Object.fromEntries(Object.entries(headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) }
        : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problem } },
    };
  }
  const request = op.request ?? {};
  return {
    operationId: op.name,
    summary: op.summary,
    description: op.description,
    tags: [op.tag],
    ...(op.authLevel === "anonymous" ? { security: [] } : {}),
    parameters: [
      ...parameters(schemas, "path", request.params),
      ...parameters(schemas, "query", request.query),
      ...parameters(schemas, "header", request.headers),
    ],
    ...(request.body
      ? {
          requestBody: {
            required: true,
            description: request.body.description,
            content: { "application/json": { schema: schemas.convert(request.body.schema, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of every registered route, generated from their operations (the same zod
 * schemas the handlers validate with) plus the Durable status endpoint their 202 responses link to.
 */
export function openApiDocument(operations: readonly ApiOperation[], origin?: string): Json {
  const schemas = new SchemaSet();
  // Every problem response refers to it; converting it once puts it into the components.
  schemas.convert(problemSchema, "output");
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const path = `/api/${op.route}`;
    paths[path] = { ...paths[path], [op.method.toLowerCase()]: operationObject(schemas, op) };
  }
  paths["/runtime/webhooks/durabletask/instances/{instanceId}"] = {
    get: {
      operationId: "durableInstanceStatus",
      summary: "Durable status of an operation or plan",
      description:
        "The Durable Functions HTTP API (not this app's code): what statusQueryGetUri and the Location header of every 202 point to. customStatus shows the workflow's step, stepNumber of totalSteps, waitingFor, since, lastObserved, deadline and message; output is the result. Use the URL as given: it carries the task hub and the system key.",
      tags: ["durable"],
      parameters: [{ name: "instanceId", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        200: {
          description: "The instance ended (Completed, Failed, Terminated).",
          content: { "application/json": { schema: schemas.convert(durableStatusSchema, "output") } },
        },
        202: {
          description: "The instance is Pending or Running.",
          content: { "application/json": { schema: { $ref: "#/components/schemas/DurableInstanceStatus" } } },
        },
        404: { description: "No such instance." },
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Azure ⇄ OCI interconnect orchestrator",
      version: API_VERSION,
      description:
        "Provisions, watches and tears down the private interconnect between Azure ExpressRoute and OCI FastConnect. Errors are application/problem+json (RFC 9457) with a stable code and, for invalid input, every field's path.",
    },
    ...(origin ? { servers: [{ url: origin }] } : {}),
    security: [{ functionKey: [] }],
    tags: [
      { name: "interconnects", description: "Provision, read and tear down interconnects." },
      { name: "plans", description: "Dry runs: what a provisioning would do." },
      { name: "teardown-queue", description: "The teardown queue's rejected messages." },
      { name: "itsm", description: "Signed ticket events from ServiceNow and Jira, and the notes the outbox could not deliver to them." },
      { name: "api", description: "This document." },
      { name: "console", description: "The web console's pages and assets." },
      { name: "durable", description: "The Durable Functions status API the 202 responses link to." },
    ],
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        functionKey: { type: "apiKey", in: "header", name: "x-functions-key", description: "A function key of the Function App." },
      },
    },
  };
}

/** GET /api/openapi.json: anonymous, it shows the API's shape and nothing of its data. */
export function openApiRoute(getDeps: () => TriggerDeps, operations: () => readonly ApiOperation[]): ApiRoute {
  return {
    operation: {
      name: "openApiDocument",
      method: "GET",
      route: "openapi.json",
      tag: "api",
      summary: "This API's OpenAPI 3.1 document",
      description:
        "Generated at run time from the zod schemas the handlers validate with; import it into API Management, Postman or a client generator.",
      authLevel: "anonymous",
      responses: {
        200: {
          description: "The OpenAPI 3.1 document.",
          schema: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }),
        },
      },
      problems: {},
    },
    handler: guarded(getDeps, async (req) => ({ status: 200, jsonBody: openApiDocument(operations(), new URL(req.url).origin) })),
  };
}
