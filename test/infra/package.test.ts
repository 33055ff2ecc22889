import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../e2e/support/build";
import { spec } from "../e2e/support/specs";
import { E2eStack } from "../e2e/support/stack";

/**
 * The deployment package as azd or `az functionapp deployment source config-zip` uploads it, unpacked
 * into an empty folder and run there by the local host against the emulators: a runtime file or a
 * production dependency missing from the package fails here, not in Azure.
 */
const ZIP = path.join(ROOT, "dist", "package.zip");
const INPUTS = ["dist/src", "dist/examples", "host.json", "package.json", "package-lock.json", ".funcignore", "scripts/package.js"];

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  return s.isDirectory() ? Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e)))) : s.mtimeMs;
}

/** `npm run package` unless .ci/run (or an earlier run) left a package newer than everything it is made of. */
function ensurePackaged(): void {
  const built = existsSync(ZIP) ? statSync(ZIP).mtimeMs : 0;
  if (built > Math.max(...INPUTS.map((p) => newest(path.join(ROOT, p))))) return;
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "package.js")], { cwd: ROOT, stdio: "pipe" });
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  main: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
let appDir: string;
let stack: E2eStack | undefined;

beforeAll(async () => {
  await ensureBuilt();
  ensurePackaged();
  appDir = mkdtempSync(path.join(tmpdir(), "package-"));
  new AdmZip(ZIP).extractAllTo(appDir, true);
  process.stdout.write(`deployment package ${(statSync(ZIP).size / 1024 / 1024).toFixed(1)} MB\n`);
}, 300_000);
afterAll(async () => {
  await stack?.close();
});

describe("the deployment package (npm run package)", () => {
  it("holds the compiled app, production dependencies, host.json and package.json, and nothing else", () => {
    const top = readdirSync(appDir).sort();
    expect(top).toEqual([".funcignore", "dist", "host.json", "node_modules", "package.json"]);
    expect(readdirSync(path.join(appDir, "dist", "src")).sort()).not.toContain("local");
    expect(existsSync(path.join(appDir, "dist", "test"))).toBe(false);
    expect(existsSync(path.join(appDir, pkg.main))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(appDir, "host.json"), "utf8"))).toEqual(
      JSON.parse(readFileSync(path.join(ROOT, "host.json"), "utf8")),
    );

    const shipped = JSON.parse(readFileSync(path.join(appDir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(shipped).toMatchObject({ main: pkg.main, dependencies: pkg.dependencies });
    expect(shipped).not.toHaveProperty("devDependencies");
    expect(shipped).not.toHaveProperty("scripts");

    // What the lock marks dev-only (the dev dependencies and whatever only they need) is not shipped.
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages)
      .filter(([p, e]) => p.startsWith("node_modules/") && e.dev === true)
      .map(([p]) => p);
    expect(devOnly).toEqual(
      expect.arrayContaining(
        Object.keys(pkg.devDependencies)
          .filter((d) => lock.packages[`node_modules/${d}`]?.dev)
          .map((d) => `node_modules/${d}`),
      ),
    );
    expect(devOnly.length).toBeGreaterThan(50);
    expect(devOnly.filter((p) => existsSync(path.join(appDir, p)))).toEqual([]);
    for (const dep of Object.keys(pkg.dependencies))
      expect(existsSync(path.join(appDir, "node_modules", dep, "package.json")), `dependency ${dep} missing`).toBe(true);
    const files = new AdmZip(ZIP).getEntries().map((e) => e.entryName);
    expect(
      files.filter((f) => /(^|\/)\.local\/|oci_api_key|local\.settings\.json|\.ts$/.test(f) && !f.startsWith("node_modules/")),
    ).toEqual([]);
  });

  it("runs unpacked in an empty folder: provisions an interconnect and tears it down", async () => {
    stack = await E2eStack.start({ speed: 1000, settings: { HOST_APP_DIR: appDir } });
    const started = await stack.api("POST", "interconnects", spec("pkg-check"));
    expect(started.status).toBe(202);
    const active = await stack.waitForRecord("pkg-check", (r) => r.state === "active" || r.state === "failed");
    expect(active.failure).toBeNull();
    expect(active.state).toBe("active");
    expect((await stack.api("DELETE", "interconnects/pkg-check?reason=package%20test")).status).toBe(202);
    const deleted = await stack.waitForRecord("pkg-check", (r) => r.state === "deleted" || r.state === "failed");
    expect(deleted.state).toBe("deleted");
  }, 180_000);
});
