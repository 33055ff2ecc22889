import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/cli/api-client";
import { EXIT, type CliError } from "../../src/cli/exit";
import { resolveTarget } from "../../src/cli/target";

/** A stand-in service at the true boundary, the HTTP wire: it answers what each path names. */
let server: Server;
let url: string;
const seen: Record<string, string | undefined>[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ key: req.headers["x-functions-key"] as string | undefined, auth: req.headers.authorization });
    const status = Number(/\/api\/status\/(\d+)/.exec(req.url ?? "")?.[1] ?? 200);
    const problem = {
      type: "urn:x",
      title: "The request is not valid",
      status,
      code: "X",
      detail: `detail ${status}`,
      ...(status === 400
        ? {
            errors: [
              { path: "bandwidthGbps", message: "must be one of 1, 2, 5, 10" },
              { path: "oci.vcnId", message: "must be a VCN OCID" },
            ],
          }
        : {}),
    };
    res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json" });
    res.end(JSON.stringify(status >= 400 ? problem : { ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function failure(status: number): Promise<CliError> {
  const client = new ApiClient(resolveTarget({ url }, {}));
  return client.call("GET", `status/${status}`).then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as CliError,
  );
}

describe("the CLI's API client", () => {
  it("maps answers to exit codes: 400 lists every field (2), 409 is a conflict (3), 401 and 5xx are 4", async () => {
    const invalid = await failure(400);
    expect(invalid.exitCode).toBe(EXIT.usage);
    expect(invalid.message).toBe("The request is not valid:\n  bandwidthGbps: must be one of 1, 2, 5, 10\n  oci.vcnId: must be a VCN OCID");
    expect((await failure(404)).exitCode).toBe(EXIT.usage);
    expect((await failure(409)).message).toBe("Conflict: detail 409");
    expect((await failure(409)).exitCode).toBe(EXIT.conflict);
    expect((await failure(401)).exitCode).toBe(EXIT.unreachable);
    expect((await failure(401)).message).toMatch(/--key or INTERCONNECT_KEY/);
    expect((await failure(503)).exitCode).toBe(EXIT.unreachable);
  });

  it("sends the function key as x-functions-key, from --key or INTERCONNECT_KEY, and never prints it", async () => {
    seen.length = 0;
    await new ApiClient(resolveTarget({ url, key: "flag-key" }, { INTERCONNECT_KEY: "env-key" })).call("GET", "status/200");
    await new ApiClient(resolveTarget({}, { INTERCONNECT_URL: url, INTERCONNECT_KEY: "env-key" })).call("GET", "status/200");
    expect(seen.map((s) => s.key)).toEqual(["flag-key", "env-key"]);
    const denied = await new ApiClient(resolveTarget({ url, key: "s3cr3t-key" }, {})).call("GET", "status/401").catch((e: CliError) => e);
    expect(String((denied as CliError).message)).not.toContain("s3cr3t-key");
    expect(() => resolveTarget({ url, key: "k", entra: "api://interconnect" }, {})).toThrow(/either a function key/);
    expect(() => resolveTarget({ url, entra: "interconnect" }, {})).toThrow(/application ID URI/);
  });

  it("defaults to the local stack npm start describes in .local/stack.json, and says what to do without one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cli-target-"));
    mkdirSync(path.join(dir, ".local"));
    writeFileSync(path.join(dir, ".local", "stack.json"), JSON.stringify({ api: "http://127.0.0.1:7071/api" }));
    expect(resolveTarget({}, {}, dir).api).toBe("http://127.0.0.1:7071/api");
    expect(resolveTarget({ url: "https://my-app.azurewebsites.net/" }, {}, dir).api).toBe("https://my-app.azurewebsites.net/api");
    expect(() => resolveTarget({ url: "not a url" }, {}, dir)).toThrow(/is not a URL/);
    writeFileSync(path.join(dir, ".local", "stack.json"), "{ half");
    expect(() => resolveTarget({}, {}, dir)).toThrow(/stack\.json is not the JSON npm start writes/);
  });
});
