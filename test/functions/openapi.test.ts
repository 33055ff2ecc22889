import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { validate } from "@readme/openapi-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { apiOperations } from "../../src/functions/api-routes";
import { openApiDocument } from "../../src/functions/openapi";
import { loadApp } from "../../src/local/host/registry";
import { ensureBuilt, ROOT } from "../e2e/support/build";
import { ResponseValidator, undocumentedRoutes, type RegisteredRoute } from "../support/openapi";

const document = openApiDocument(apiOperations(), "http://127.0.0.1:7071");

describe("GET /api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document whose components are all defined", async () => {
    for (const [id, schema] of Object.entries((document.components as { schemas: Record<string, unknown> }).schemas)) {
      expect(JSON.stringify(schema), id).not.toBe(JSON.stringify({ $ref: `#/components/schemas/${id}` }));
    }
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(document.openapi).toBe("3.1.0");
  });

  it("documents the spec from the schema the handlers validate with, and problems with their codes", () => {
    const spec = (document.components as { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> }).schemas
      .InterconnectSpec;
    expect(Object.keys(spec?.properties ?? {})).toEqual(expect.arrayContaining(["name", "bandwidthGbps", "azure", "oci", "bgp", "tags"]));
    expect(spec?.required).toEqual(["name", "bandwidthGbps", "azure", "oci"]);
    const post = (document.paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>>)[
      "/api/interconnects"
    ]?.post;
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(["200", "202", "400", "401", "409", "413", "415", "500", "503"]);
    expect(post?.responses["409"]?.content).toHaveProperty(["application/problem+json"]);
    // Contention is a 503 with Retry-After on every route that writes the queue; a 409 would tell the client its request is wrong.
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    for (const op of [paths["/api/interconnects"]?.post, paths["/api/interconnects/{name}"]?.delete])
      expect(Object.keys(op?.responses["503"]?.headers ?? {})).toEqual(["Retry-After"]);
  });

  it("links every 202 to the Durable status endpoint it names", () => {
    const paths = document.paths as Record<
      string,
      Record<string, { responses: Record<string, { links?: Record<string, { operationId: string }> }> }>
    >;
    const durable = Object.values(paths)
      .flatMap((p) => Object.values(p))
      .flatMap((op) => Object.entries(op.responses))
      .filter(([status]) => status === "202");
    expect(durable.length).toBeGreaterThan(0);
    for (const [, response] of durable.filter(([, r]) => r.links))
      expect(Object.values(response.links ?? {}).map((l) => l.operationId)).toContain("durableInstanceStatus");
    expect(paths["/runtime/webhooks/durabletask/instances/{instanceId}"]?.get).toBeDefined();
  });

  it("finds a route that is registered but not documented, or documented without a description", () => {
    const routes: RegisteredRoute[] = [
      { name: "interconnectsGet", methods: ["GET"], route: "interconnects/{name}" },
      { name: "someNewRoute", methods: ["POST"], route: "reports/monthly" },
    ];
    expect(undocumentedRoutes(routes, document)).toEqual(["someNewRoute: POST /api/reports/monthly"]);
    const blank = structuredClone(document) as { paths: Record<string, Record<string, { description: string }>> };
    (blank.paths["/api/interconnects/{name}"] as Record<string, { description: string }>).get!.description = " ";
    expect(undocumentedRoutes(routes.slice(0, 1), blank)).toEqual(["interconnectsGet: GET /api/interconnects/{name}"]);
  });

  it("tells a response that does not match its operation", () => {
    const validator = new ResponseValidator(document);
    expect(
      validator.check("GET", "/api/interconnects/erp-prod/audit", 200, "application/json", {
        items: [],
        continuationToken: null,
        nextLink: null,
      }),
    ).toBeUndefined();
    expect(
      validator.check("GET", "/api/interconnects/erp-prod/audit", 200, "application/json", {
        items: [{}],
        continuationToken: null,
        nextLink: null,
      }),
    ).toMatch(/does not match/);
    expect(validator.check("GET", "/api/interconnects/erp-prod", 418, "application/json", {})).toMatch(/does not document status 418/);
    expect(validator.check("GET", "/api/nowhere", 200, "application/json", {})).toMatch(/not in the OpenAPI document/);
    expect(
      validator.check("GET", "/api/interconnects/erp-prod", 404, "application/problem+json", {
        type: "urn:x",
        title: "t",
        status: 404,
        detail: "d",
        code: "NOT_FOUND",
      }),
    ).toBeUndefined();
  });
});

describe("every route the app registers", () => {
  let registered: RegisteredRoute[];
  beforeAll(async () => {
    // The compiled app as the host loads it: whatever registers an HTTP trigger, through api-routes.ts or not.
    await ensureBuilt();
    const sample = JSON.parse(readFileSync(path.join(ROOT, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
    for (const [k, v] of Object.entries(sample.Values)) process.env[k] ??= v;
    // The sample points at the key npm start generates; any valid key lets the settings load.
    delete process.env.OCI_PRIVATE_KEY_PATH;
    process.env.OCI_PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const registry = loadApp(ROOT);
    registered = registry
      .ofType("httpTrigger")
      .map((f) => ({ name: f.name, methods: (f.trigger.methods as string[]).map((m) => m.toUpperCase()), route: String(f.trigger.route) }));
  }, 240_000);

  it("is in the OpenAPI document with a summary and a description", () => {
    expect(registered.length).toBeGreaterThan(5);
    expect(undocumentedRoutes(registered, document)).toEqual([]);
  });
});
