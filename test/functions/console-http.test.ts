import { HttpRequest } from "@azure/functions";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConsoleAssets } from "../../src/console/assets";
import { consoleHandler } from "../../src/functions/console-http";

function builtConsole(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "console-assets-"));
  writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>c</title>");
  writeFileSync(path.join(dir, "main.js"), "export {};");
  writeFileSync(path.join(dir, "console.css"), "body{}");
  writeFileSync(path.join(dir, "notes.txt"), "not an asset type");
  mkdirSync(path.join(dir, "img"));
  writeFileSync(path.join(dir, "img", "logo.svg"), "<svg/>");
  // A secret beside the folder must stay out of reach whatever the path says.
  writeFileSync(path.join(dir, "..", `${path.basename(dir)}.secret.json`), '{"key":"nope"}');
  return dir;
}

const serve = (dir: string) => {
  const handler = consoleHandler(() => new ConsoleAssets(dir));
  return (pathname: string, param: string | undefined, headers: Record<string, string> = {}) =>
    handler(
      new HttpRequest({
        method: "GET",
        url: `http://127.0.0.1:7071${pathname}`,
        headers,
        params: param === undefined ? {} : { path: param },
      }),
    );
};

describe("GET /api/console/{*path}", () => {
  const dir = builtConsole();
  const get = serve(dir);

  it("redirects the bare route to the folder URL, so relative asset URLs resolve under it", async () => {
    const res = await get("/api/console", undefined);
    expect(res.status).toBe(308);
    expect((res.headers as Record<string, string>).location).toBe("/api/console/");
  });

  it("serves the built files with their content types and a policy that keeps the page to its own origin", async () => {
    const index = await get("/api/console/", undefined);
    expect(index.status).toBe(200);
    const headers = index.headers as Record<string, string>;
    expect(headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    expect(headers["content-security-policy"]).toContain("script-src 'self'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(String(index.body)).toContain("<title>c</title>");
    expect(((await get("/api/console/main.js", "main.js")).headers as Record<string, string>)["content-type"]).toBe(
      "text/javascript; charset=utf-8",
    );
    expect(((await get("/api/console/console.css", "console.css")).headers as Record<string, string>)["content-type"]).toBe(
      "text/css; charset=utf-8",
    );
    expect(((await get("/api/console/img/logo.svg", "img/logo.svg")).headers as Record<string, string>)["content-type"]).toBe(
      "image/svg+xml",
    );
  });

  it("answers 304 when the browser already has the same bytes", async () => {
    const first = await get("/api/console/main.js", "main.js");
    const etag = (first.headers as Record<string, string>).etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await get("/api/console/main.js", "main.js", { "if-none-match": etag })).status).toBe(304);
  });

  it("serves nothing outside the built files: traversal is a 400 naming the path, a file of another type or an unknown one a 404", async () => {
    for (const bad of [
      "../package.json",
      `../${path.basename(dir)}.secret.json`,
      "img/../../x.js",
      "a//b.js",
      "./main.js",
      "..\\main.js",
      "%2e%2e/main.js",
    ]) {
      const res = await get(`/api/console/${bad}`, bad);
      expect(res.status, bad).toBe(400);
      expect((res.jsonBody as { errors: { path: string }[] }).errors[0]?.path).toBe("path path");
    }
    for (const missing of ["notes.txt", "nope.js", "img", "IMG/logo.svg"]) {
      const res = await get(`/api/console/${missing}`, missing);
      expect(res.status, missing).toBe(404);
      expect((res.headers as Record<string, string>)["content-type"]).toBe("application/problem+json");
    }
  });

  it("says the console is not built (503) when the build has not written it", async () => {
    const res = await serve(path.join(dir, "missing"))("/api/console/", undefined);
    expect(res.status).toBe(503);
    expect((res.jsonBody as { code: string }).code).toBe("CONSOLE_NOT_BUILT");
  });
});
