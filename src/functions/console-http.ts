import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { z } from "zod";
import { CONSOLE_MEDIA_TYPES, ConsoleAssets, defaultConsoleDir } from "../console/assets";
import type { ApiRoute } from "./http/api";
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
      return problemResponse(
        new DomainError(HttpErrorCodes.CONSOLE_NOT_BUILT, "The console is not built: run npm run build (it writes dist/console).", {
          status: 503,
        }),
        url.pathname,
      );
    }
    const wanted = requested === "" ? "index.html" : requested;
    const asset = catalog.find(wanted);
    if (asset === "invalid") {
      return problemResponse(
        new ValidationError([
          { path: "path path", message: "must name a console file: letters, digits, '.', '_', '-' and '/' between names" },
        ]),
        url.pathname,
      );
    }
    if (asset === "missing")
      return problemResponse(new DomainError(ErrorCodes.NOT_FOUND, `The console has no file "${wanted}".`), url.pathname);
    const headers = { ...SECURITY_HEADERS, "content-type": asset.contentType, etag: asset.etag };
    if (req.headers.get("if-none-match") === asset.etag) return { status: 304, headers };
    return { status: 200, headers, body: asset.body };
  };
}

/** GET /api/console/{*path}: the web console, registered and documented with the REST routes (api-routes.ts). */
export function consoleRoute(dir: string = defaultConsoleDir()): ApiRoute {
  // Read once; a folder found unbuilt is looked at again on the next request (a build may have run since).
  let cached: ConsoleAssets | undefined;
  const handler = consoleHandler(() => (cached?.built ? cached : (cached = new ConsoleAssets(dir))));
  return {
    handler,
    operation: {
      name: "console",
      method: "GET",
      route: "console/{*path}",
      tag: "console",
      summary: "The web console",
      description:
        "Serves the web console's built pages and assets (dist/console): index.html for the bare path, else the named file. Anonymous: the pages hold nothing secret, and the API calls they make carry the function key or the EasyAuth session. Every response carries a same-origin content security policy; an If-None-Match equal to the asset's ETag answers 304.",
      authLevel: "anonymous",
      request: {
        params: z.object({
          "*path": z
            .string()
            .meta({ description: "The console file, e.g. index.html or assets/app.js; empty for the console's start page." }),
        }),
        headers: z.object({ "if-none-match": z.string().optional().meta({ description: "The ETag of the copy the browser has." }) }),
      },
      responses: {
        200: {
          description: "The file (HTML, script, style, image or JSON).",
          schema: z.string(),
          contentTypes: CONSOLE_MEDIA_TYPES,
          headers: { ETag: "The file's version.", "Content-Security-Policy": "Same origin only, no inline script, no framing." },
        },
        304: { description: "The browser's copy (If-None-Match) is current.", headers: { ETag: "The file's version." } },
        308: {
          description: "The bare route redirects to console/ so that relative asset URLs resolve.",
          headers: { Location: "The same path with a trailing slash." },
        },
      },
      problems: {
        400: "The path is not a console file name.",
        404: "The console has no such file.",
        503: "The console is not built (npm run build writes dist/console).",
      },
    },
  };
}
