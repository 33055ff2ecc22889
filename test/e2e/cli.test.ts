import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main";
import { ROOT } from "./support/build";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * The `interconnect` CLI, as built (dist/src/cli/main.js, the package.json bin), against the local stack:
 * plan, up to active, status, list, audit, down to deleted under a pseudo-terminal, and the exit codes.
 */
let stack: E2eStack;
const scratch = mkdtempSync(path.join(tmpdir(), "cli-e2e-"));
const CLI = path.join(ROOT, "dist/src/cli/main.js");

beforeAll(async () => {
  // The provider's own 3 simulated minutes pass in 0.18 s at x1000, shorter than a loaded machine may
  // take between two of the CLI's polls; 40 minutes (2.4 s) keep the provider wait in view.
  stack = await E2eStack.start({ speed: 1000, durations: { oci: { providerProvisioning: 40 * 60_000 } } });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

function specFile(name: string, body: unknown): string {
  const file = path.join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs the CLI as a user would; stdout is a pipe, so the view is the plain one-line-per-change one. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "--url", stack.url, "--interval", "0.2", ...args], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The same under a pseudo-terminal (util-linux script), so the live view is listr2's TTY renderer. */
function cliOnTty(args: string[]): Promise<{ code: number; screen: string }> {
  const command = [process.execPath, CLI, "--url", stack.url, "--interval", "0.2", ...args]
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(" ");
  return new Promise((resolve, reject) => {
    // A fresh pseudo-terminal has no size; a real one has.
    const child = spawn("script", ["-qefc", `stty cols 160 rows 40; ${command}`, "/dev/null"], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? "", TERM: "xterm-256color" },
    });
    let screen = "";
    child.stdout.on("data", (c: Buffer) => (screen += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, screen }));
  });
}

describe("interconnect CLI on the local stack", () => {
  let planId: string;

  it("plan: what would be created, what bills, how long; exit 0 when ready", async () => {
    const res = await cli(["plan", specFile("erp-prod", spec())]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/circuit\s*│\s*create\s*│\s*erc-erp-prod/);
    expect(res.stdout).toMatch(/step circuit/);
    expect(res.stdout).toMatch(/Expected duration: 21m30s to 55m00s \(critical path: gateway-ready → connection → verification\)/);
    planId = /Ready: interconnect up <spec> --plan (plan-erp-prod-[0-9a-f]+)/.exec(res.stdout)?.[1] ?? "";
    expect(planId).not.toBe("");
  }, 60_000);

  it("up --plan: follows the provisioning line by line to active, exit 0", async () => {
    const res = await cli(["up", specFile("erp-prod", spec()), "--plan", planId]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Started: provision-erp-prod-1 /);
    // Only a step that lasts a while of real time at x1000 is sure to be seen (the provider's 40 simulated
    // minutes here): one over in a fraction of a second can fall between two of the CLI's polls.
    const stepNumbers = lines.flatMap((l) => /provisioning \[(\d+)\/16 /.exec(l)?.[1] ?? []).map(Number);
    expect(stepNumbers.length).toBeGreaterThanOrEqual(3);
    expect(stepNumbers.every((n, i) => i === 0 || n >= stepNumbers[i - 1]!)).toBe(true);
    expect(lines.some((l) => /erp-prod provisioning \[10\/16 provider\]: waiting for virtual circuit PROVISIONED/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/erp-prod is active$/);
    // One line per change: no two consecutive progress lines are the same.
    const bodies = lines.slice(1).map((l) => l.replace(/^\S+ /, ""));
    expect(bodies.every((b, i) => i === 0 || b !== bodies[i - 1])).toBe(true);
  }, 120_000);

  it("status, list and audit, as tables and as --json; a different spec under the name is a conflict, exit 3", async () => {
    const status = await cli(["status", "erp-prod"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/state\s*│\s*active/);
    const json = JSON.parse((await cli(["--json", "status", "erp-prod"])).stdout) as Json;
    expect(json).toMatchObject({ name: "erp-prod", state: "active" });
    expect((await cli(["list"])).stdout).toMatch(/erp-prod\s*│\s*active\s*│\s*1/);
    expect((await cli(["list", "--vcn", spec().oci.vcnId])).stdout).toMatch(/erp-prod\s*│\s*active/);
    expect((await cli(["list", "--vcn", "ocid1.vcn.oc1.iad.aaaaaaaaothervcn"])).stdout).toMatch(/No interconnects\./);
    const audit = JSON.parse((await cli(["audit", "erp-prod", "--json"])).stdout) as Json[];
    expect(audit[0]).toMatchObject({ step: "request", operation: "provision" });
    expect(audit.some((row) => row.step === "activate" && row.phase === "succeeded")).toBe(true);
    const conflict = await cli(["up", specFile("erp-prod-2g", { ...spec(), bandwidthGbps: 2 })]);
    expect(conflict.code).toBe(3);
    expect(conflict.stderr).toMatch(
      /^Conflict: Interconnect "erp-prod" cannot be provisioned now: it already exists in state "active" with a different spec/,
    );
  }, 60_000);

  it("down --watch on a terminal: listr2's live view with step n of N and a bar, to deleted, exit 0", async () => {
    const res = await cliOnTty(["down", "erp-prod", "--reason", "end of test", "--watch"]);
    expect(res.code).toBe(0);
    expect(res.screen).toContain("\u001b[");
    expect(res.screen).toMatch(/tearing down erp-prod · step \d+\/\d+ [a-z-]+ [█░]{20}/);
    expect(res.screen).toMatch(/erp-prod is deleted/);
    expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);
  }, 120_000);

  it("a failing provisioning exits 1 with the step, the code and the reason", async () => {
    const body = spec("vnet-missing");
    body.azure.virtualNetwork.name = "vnet-nowhere";
    const res = await cli(["up", specFile("vnet-missing", body)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^vnet-missing failed at step preflight: NOT_FOUND: Virtual network "vnet-nowhere" was not found/);
  }, 60_000);

  it("exits 2 on an invalid spec listing every field, on bad usage, and on a plan with problems; 4 when unreachable", async () => {
    const invalid = { ...spec("bad-input"), bandwidthGbps: 3, oci: { ...spec().oci, vcnId: "vcn" } };
    const res = await cli(["up", specFile("bad-input", invalid)]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bandwidthGbps: must be one of 1, 2, 5, 10/);
    expect(res.stderr).toMatch(/oci\.vcnId: must be a VCN OCID/);
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["down", "erp-prod"])).stderr).toMatch(/required option '--reason <text>'/);
    expect((await cli(["up", path.join(scratch, "no-such-file.json")])).code).toBe(2);
    const missing = spec("vnet-missing-2");
    missing.azure.virtualNetwork.name = "vnet-nowhere";
    const plan = await cli(["plan", specFile("vnet-missing-2", missing)]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/azure\.virtualNetwork\.name/);
    const closed = await closedPort();
    const down = await cli(["--url", `http://127.0.0.1:${closed}`, "status", "erp-prod"]);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(new RegExp(`^Cannot reach http://127\\.0\\.0\\.1:${closed}/api: ECONNREFUSED`));
  }, 60_000);

  it("Ctrl-C while watching detaches without cancelling and says how to resume", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (c: Buffer) => (err += c.toString()));
    const controller = new AbortController();
    stdout.on("data", (c: Buffer) => {
      if (/detach-me provisioning \[/.test(c.toString())) controller.abort();
    });
    const io = {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env: {},
      cwd: scratch,
      signal: controller.signal,
    };
    const code = await runCli(["--url", stack.url, "--interval", "0.2", "up", specFile("detach-me", spec("detach-me"))], io);
    expect(code).toBe(130);
    expect(err).toMatch(/Detached; nothing was cancelled\. Resume watching with: interconnect status detach-me --watch/);
    const record = await stack.waitForRecord("detach-me", (r) => r.state === "active" || r.state === "failed");
    expect(record.state).toBe("active");
  }, 120_000);
});
