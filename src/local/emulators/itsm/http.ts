import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ItsmFaultState } from "./faults";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is (plain-text 401s, as Jira sometimes answers). */
  text?: string;
}

export interface Request {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  /** The raw body text; "" when none. */
  body: string;
}

export type Route = (req: Request) => Promise<Reply> | Reply;

const MAX_BODY = 1024 * 1024;

/**
 * One HTTP server per emulated system: /admin/* is served as is (loopback only, no auth); everything
 * else passes the fault state first, and writes may have their answer dropped after being applied.
 */
export async function serve(port: number, admin: Route, api: Route, faults: ItsmFaultState): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => void handle(req, res, admin, api, faults));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * What every ITSM emulator is: one server on `port` (0 = a free one) serving its admin routes as they
 * are and its API through its fault state (`faults`, set at /admin/faults).
 */
export abstract class ItsmEmulatorServer {
  readonly faults = new ItsmFaultState();
  url = "";
  private server: Server | undefined;

  constructor(private readonly port = 0) {}

  protected abstract readonly admin: Route;
  protected abstract api(req: Request): Reply;

  async start(): Promise<this> {
    const { server, url } = await serve(
      this.port,
      (r) => this.admin(r),
      (r) => this.api(r),
      this.faults,
    );
    this.server = server;
    this.url = url;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, admin: Route, api: Route, faults: ItsmFaultState): Promise<void> {
  let body = "";
  try {
    body = await readBody(req);
  } catch {
    return send(res, { status: 413, body: { error: "body too large" } });
  }
  const request: Request = { method: req.method ?? "GET", url: new URL(req.url ?? "/", "http://127.0.0.1"), headers: req.headers, body };
  try {
    if (request.url.pathname.startsWith("/admin/")) return send(res, await admin(request));
    const verdict = await faults.before();
    if (verdict.kind === "drop") return void req.socket.destroy();
    if (verdict.kind === "status")
      return send(res, {
        status: verdict.status,
        headers: verdict.retryAfterSeconds !== undefined ? { "retry-after": String(verdict.retryAfterSeconds) } : {},
        body: { injected: verdict.status },
      });
    const reply = await api(request);
    if (request.method !== "GET" && reply.status < 300 && faults.dropAfterWrite()) return void req.socket.destroy();
    send(res, reply);
  } catch (err) {
    send(res, { status: 500, body: { error: (err as Error).message } });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new Error("too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = "";
  if (reply.text !== undefined) {
    payload = reply.text;
    headers["content-type"] ??= "text/plain;charset=UTF-8";
  } else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers["content-type"] ??= "application/json;charset=UTF-8";
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for("invalid-json");
  }
}

export const INVALID_JSON = Symbol.for("invalid-json");

/** user:password of a Basic header, or undefined. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1] as string, "base64").toString("utf8");
  const at = text.indexOf(":");
  return at < 0 ? undefined : { user: text.slice(0, at), password: text.slice(at + 1) };
}
