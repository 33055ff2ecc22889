import { CliError, EXIT } from "./exit";
import type { Target } from "./target";

/** What the service answers: JSON bodies, problem+json on errors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer {
  status: number;
  body: Json;
}

/** The REST API over fetch: a problem answer becomes a CliError with the exit code scripts branch on. */
export class ApiClient {
  constructor(private readonly target: Target) {}

  get api(): string {
    return this.target.api;
  }

  async call(
    method: string,
    route: string,
    body?: unknown,
    accept: number[] = [200, 202],
    contentType = "application/json",
  ): Promise<Answer> {
    return this.callUrl(method, `${this.target.api}/${route}`, body, accept, contentType, route);
  }

  /** A URL the service handed out (a Durable status query URL), with the same credentials. */
  async callUrl(
    method: string,
    url: string,
    body?: unknown,
    accept: number[] = [200, 202],
    contentType = "application/json",
    route = new URL(url).pathname,
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json", ...(await this.target.auth()) };
    if (body !== undefined) headers["content-type"] = contentType;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `Cannot reach ${this.target.api}: ${cause?.code ?? cause?.message ?? String(err)}. Is the service running (npm start), and is --url right?`,
        EXIT.unreachable,
      );
    }
    const text = await res.text();
    let parsed: Json = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new CliError(
        `${method} ${route} answered ${res.status} with a body that is not JSON; is --url this service?`,
        EXIT.unreachable,
      );
    }
    if (accept.includes(res.status)) return { status: res.status, body: parsed };
    throw problemError(method, route, res.status, parsed);
  }
}

function problemError(method: string, route: string, status: number, problem: Json): CliError {
  const detail = typeof problem?.detail === "string" ? problem.detail : `${method} /api/${route} answered ${status}`;
  const fields = Array.isArray(problem?.errors)
    ? (problem.errors as { path: string; message: string }[]).map((e) => `  ${e.path || "(body)"}: ${e.message}`)
    : [];
  const text = fields.length > 0 ? `${problem?.title ?? "Invalid request"}:\n${fields.join("\n")}` : detail;
  if (status === 401 || status === 403)
    return new CliError(
      `Not authorized (${status}): pass a function key with --key or INTERCONNECT_KEY, or --entra for App Service authentication.`,
      EXIT.unreachable,
      problem,
    );
  if (status === 409 || status === 412)
    return new CliError(`Conflict: ${detail}${fields.length > 0 ? `\n${fields.join("\n")}` : ""}`, EXIT.conflict, problem);
  if (status >= 400 && status < 500) return new CliError(text, EXIT.usage, problem);
  return new CliError(`The service failed (${status}): ${detail}`, EXIT.unreachable, problem);
}
