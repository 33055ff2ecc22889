import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** What the console's build emits; anything else in the folder (a stray file) is never served. */
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** The media types a console response can have (the OpenAPI document lists them). */
export const CONSOLE_MEDIA_TYPES: readonly string[] = [...new Set(Object.values(CONTENT_TYPES).map((t) => t.split(";")[0]!.trim()))];

/** One asset path: lowercase-ish segments of safe characters, no dot segments, no backslashes, short. */
const ASSET_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/){0,4}[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const MAX_FILES = 200;

export interface ConsoleAsset {
  path: string;
  contentType: string;
  body: Buffer;
  etag: string;
}

/**
 * The console's built files (dist/console, written by `npm run build`), read once into memory. A request
 * path is only ever a key into this map, never joined onto the file system, so no path can escape the folder.
 */
export class ConsoleAssets {
  private readonly files = new Map<string, ConsoleAsset>();

  constructor(readonly dir: string) {
    if (existsSync(dir)) this.walk("");
  }

  get built(): boolean {
    return this.files.has("index.html");
  }

  /**
   * One of the built files, "missing" for a well-formed path the build did not write, "invalid" for
   * anything that is not a plain relative file path (dot segments, empty segments, other characters).
   */
  find(requested: string): ConsoleAsset | "missing" | "invalid" {
    if (!isAssetPath(requested)) return "invalid";
    return this.files.get(requested) ?? "missing";
  }

  private walk(relative: string): void {
    for (const entry of readdirSync(path.join(this.dir, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) this.walk(rel);
      else if (entry.isFile()) this.add(rel);
    }
  }

  private add(rel: string): void {
    const contentType = CONTENT_TYPES[path.extname(rel).toLowerCase()];
    if (!contentType || !isAssetPath(rel)) return;
    if (this.files.size >= MAX_FILES)
      throw new Error(`${this.dir} holds more than ${MAX_FILES} console files; is it the console's build output?`);
    const full = path.join(this.dir, rel);
    if (statSync(full).size > 5 * 1024 * 1024) return;
    const body = readFileSync(full);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    this.files.set(rel, { path: rel, contentType, body, etag });
  }
}

function isAssetPath(p: string): boolean {
  return p.length <= 200 && ASSET_PATH.test(p) && !p.split("/").some((segment) => segment === "." || segment === "..");
}

/** dist/console beside dist/src: where `npm run build` puts the console (this file compiles to dist/src/console). */
export function defaultConsoleDir(): string {
  return path.resolve(__dirname, "../../console");
}
