/**
 * The REST contract as the tests check it: the app's OpenAPI document, and an ajv validator of a
 * response against the operation the document has for its method and path.
 */
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;

export interface RegisteredRoute {
  name: string;
  methods: string[];
  route: string;
}

/** Routes the app registered with the host that the document lacks, or documents without a description. */
export function undocumentedRoutes(routes: readonly RegisteredRoute[], document: Json): string[] {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { description?: string; summary?: string }>>;
  const missing: string[] = [];
  for (const route of routes) {
    for (const method of route.methods) {
      const op = paths[`/api/${route.route}`]?.[method.toLowerCase()];
      if (!op?.description?.trim() || !op.summary?.trim()) missing.push(`${route.name}: ${method} /api/${route.route}`);
    }
  }
  return missing;
}

function templateMatches(template: string, path: string): boolean {
  const t = template.split("/").filter(Boolean);
  const p = path.split("/").filter(Boolean);
  return t.length === p.length && t.every((seg, i) => seg.startsWith("{") || seg === p[i]);
}

/** Literal segments win over parameters, as in Functions' routing. */
function findPath(document: Json, path: string): string | undefined {
  const templates = Object.keys((document.paths ?? {}) as Json).filter((t) => templateMatches(t, path));
  return templates.sort((a, b) => (b.match(/\{/g)?.length ? -1 : 0) - (a.match(/\{/g)?.length ? -1 : 0))[0];
}

export class ResponseValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: "openapi", components: document.components }, "openapi");
  }

  /** Undefined when the response is what the document says for this method, path and status; else why not. */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string | undefined {
    const path = new URL(url, "http://x").pathname;
    const template = findPath(this.document, path);
    if (template === undefined) return `${method} ${path} is not in the OpenAPI document`;
    const op = ((this.document.paths as Json)[template] as Json)[method.toLowerCase()] as Json | undefined;
    if (op === undefined) return `${method} ${template} is not in the OpenAPI document`;
    const response = (op.responses as Json)[String(status)] as Json | undefined;
    if (response === undefined) return `${method} ${template} does not document status ${status}`;
    const content = response.content as Record<string, { schema: Json }> | undefined;
    if (content === undefined) return body === null ? undefined : `${method} ${template} ${status} documents no body`;
    const mediaType = (contentType ?? "").split(";")[0]?.trim() ?? "";
    const media = content[mediaType];
    if (media === undefined)
      return `${method} ${template} ${status}: content type ${mediaType || "(none)"} is not documented (${Object.keys(content).join(", ")})`;
    const validate = this.ajv.compile(rebase(media.schema) as object);
    if (validate(body)) return undefined;
    return `${method} ${template} ${status} does not match the document: ${this.ajv.errorsText(validate.errors)}; body ${JSON.stringify(body).slice(0, 500)}`;
  }
}

/** Component refs resolve against the document registered as "openapi". */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" && v.startsWith("#/components/") ? `openapi${v}` : rebase(v),
    ]),
  );
}
