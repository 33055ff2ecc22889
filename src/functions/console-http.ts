import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { ConsoleAssets, defaultConsoleDir } from "../console/assets";
import { DomainError, ErrorCodes, ValidationError } from "../domain/errors";
import { HttpErrorCodes, problemResponse } from "./http/problem";

/**
 * The console's pages load without a function key (they hold nothing secret); the API calls they make
 * carry the key or the EasyAuth session. The policy keeps the page to its own origin: no CDN, no inline
 * script, no framing, and no Referer that could carry anything elsewhere.
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

export function consoleHandler(assets: () => ConsoleAssets): (req: HttpRequest) => Promise<HttpResponseInit> {
  return async (req) => {
    const url = new URL(req.url);
    const requested = req.params.path ?? "";
    // Relative asset URLs resolve against ".../console/", so the bare route redirects there.
    if (requested === "" && !url.pathname.endsWith("/")) {
      return { status: 308, headers: { ...SECURITY_HEADERS, location: `${url.pathname}/${url.search}` } };
    }
    const catalog = assets();
    if (!catalog.built) {
      return problemResponse(new DomainError(HttpErrorCodes.CONSOLE_NOT_BUILT, "The console is not built: run npm run build (it writes dist/console).", { status: 503 }), url.pathname);
    }
    const wanted = requested === "" ? "index.html" : requested;
    const asset = catalog.find(wanted);
    if (asset === "invalid") {
      return problemResponse(new ValidationError([{ path: "path path", message: "must name a console file: letters, digits, '.', '_', '-' and '/' between names" }]), url.pathname);
    }
    if (asset === "missing") return problemResponse(new DomainError(ErrorCodes.NOT_FOUND, `The console has no file "${wanted}".`), url.pathname);
    const headers = { ...SECURITY_HEADERS, "content-type": asset.contentType, etag: asset.etag };
    if (req.headers.get("if-none-match") === asset.etag) return { status: 304, headers };
    return { status: 200, headers, body: asset.body };
  };
}

export function registerConsoleHttp(dir: string = defaultConsoleDir()): void {
  // Read once; a folder found unbuilt is looked at again on the next request (a build may have run since).
  let cached: ConsoleAssets | undefined;
  const handler = consoleHandler(() => (cached?.built ? cached : (cached = new ConsoleAssets(dir))));
  app.http("console", { methods: ["GET"], route: "console/{*path}", authLevel: "anonymous", handler });
}
