import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");
const OUTPUTS = ["dist/src/functions/index.js", "dist/src/local/host/main.js"];
const SOURCES = ["src", "tsconfig.json"];
const LOCK = path.join(ROOT, "dist", ".e2e-build-lock");

function newest(p: string): number {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((entry) => newest(path.join(p, entry))));
}

function stale(): boolean {
  const built = Math.min(...OUTPUTS.map((o) => (existsSync(path.join(ROOT, o)) ? statSync(path.join(ROOT, o)).mtimeMs : 0)));
  return built === 0 || Math.max(...SOURCES.map(newest)) > built;
}

/**
 * The e2e tests run the compiled app (dist/) in a child host, as `npm start` does. Build when dist is
 * missing or older than the sources; e2e files running in parallel take turns through a lock folder.
 * tsc emits even when some file elsewhere has a type error; the outputs' freshness is what counts.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK}; remove it if no test is running`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (!stale()) return;
    try {
      execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "pipe" });
    } catch (err) {
      const out = String((err as { stdout?: Buffer }).stdout ?? "");
      if (stale()) throw new Error(`npm run build failed and dist is stale:\n${out}`);
      process.stderr.write(`tsc reported errors (outputs emitted anyway):\n${out.split("\n").slice(0, 20).join("\n")}\n`);
    }
  } finally {
    rmdirSync(LOCK);
  }
}
