import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main";
import { ROOT } from "./support/build";
import { addRouteRuleByHand } from "./support/direct";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * `interconnect change` and `interconnect adopt`, as built (dist/src/cli/main.js), against the local stack
 * over HTTP: the merge patch and its refusals (an irreversible change unconfirmed is a 409 said plainly, exit
 * 3), a change watched to its end, and a hand-built interconnect (seeded through the emulators' admin)
 * refused for its missing route rule (exit 1, with the fix) and then adopted (exit 0). A change and an
 * adoption let go of with Ctrl-C or --detach are resumed by `status --watch` to their end, with the same live
 * view, summary and exit code; the adoption before it has written a record, through GET …/adoption.
 */
let stack: E2eStack;
const scratch = mkdtempSync(path.join(tmpdir(), "cli-day2-"));
const CLI = path.join(ROOT, "dist/src/cli/main.js");
let seeded: Json;
let seededB: Json;

beforeAll(async () => {
  stack = await E2eStack.start({
    speed: 1000,
    settings: { HEALTH_CONTROL_PLANE_MINUTES: "30", HEALTH_ROUTES_MINUTES: "60" },
    // Long enough in real time (2.4 s, 1.8 s a table) that a change or an adoption still runs when
    // status --watch starts after the detach.
    durations: { oci: { bandwidthChange: 40 * 60_000 }, arm: { tableQuery: 30 * 60_000 } },
  });
  expect((await stack.api("POST", "interconnects", spec())).status).toBe(202);
  expect((await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed")).state).toBe("active");
  // The hand-built one in a VNet and VCN of its own (a VNet holds one ExpressRoute gateway, a VCN one DRG).
  await stack.admin("POST", "seed/virtualNetworks", { name: "vnet-legacy", addressPrefixes: ["10.30.0.0/16"] });
  const vcn = await stack.admin("POST", "seed/vcns", { displayName: "vcn-legacy", cidrBlocks: ["10.40.0.0/16"] });
  seeded = await stack.admin("POST", "seed/handBuiltInterconnects", {
    name: "legacy",
    virtualNetwork: "vnet-legacy",
    gatewaySubnetPrefix: "10.30.255.0/27",
    vcnId: vcn.id,
    bgp: { primaryPeeringCidr: "192.168.101.0/30", secondaryPeeringCidr: "192.168.101.4/30" },
    omitRouteRule: true,
  });
  await stack.admin("POST", "seed/virtualNetworks", { name: "vnet-legacy-b", addressPrefixes: ["10.50.0.0/16"] });
  const vcnB = await stack.admin("POST", "seed/vcns", { displayName: "vcn-legacy-b", cidrBlocks: ["10.60.0.0/16"] });
  seededB = await stack.admin("POST", "seed/handBuiltInterconnects", {
    name: "legacy-b",
    virtualNetwork: "vnet-legacy-b",
    gatewaySubnetPrefix: "10.50.255.0/27",
    vcnId: vcnB.id,
    bgp: { primaryPeeringCidr: "192.168.102.0/30", secondaryPeeringCidr: "192.168.102.4/30" },
    omitRouteRule: true,
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "--url", stack.url, "--interval", "0.2", ...args], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const record = async (name: string) => (await stack.api("GET", `interconnects/${name}`)).json;

/** The CLI in this process, Ctrl-C'd (its signal aborted) as soon as its output matches `until`, as a user at the terminal would. */
async function interrupted(args: string[], until: RegExp): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  const controller = new AbortController();
  stdout.on("data", (c: Buffer) => {
    out += c.toString();
    if (until.test(out)) controller.abort();
  });
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const io = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: {},
    cwd: scratch,
    signal: controller.signal,
  };
  const code = await runCli(["--url", stack.url, "--interval", "0.2", ...args], io);
  return { code, stdout: out, stderr: err };
}

describe("interconnect change", () => {
  it("refuses bad usage (exit 2) and an irreversible change without --confirm-irreversible (exit 3, said plainly), starting nothing", async () => {
    const before = await record("erp-prod");
    const nothing = await cli(["change", "erp-prod"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^Nothing to change: give at least one of --bandwidth/);
    const odd = await cli(["change", "erp-prod", "--bandwidth", "1500"]);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/--bandwidth is in Mbps: one of 1000, 2000, 5000, 10000/);
    expect((await cli(["change", "erp-prod", "--tag", "novalue"])).stderr).toMatch(/--tag takes key=value/);

    const unconfirmed = await cli(["change", "erp-prod", "--bandwidth", "2000"]);
    expect(unconfirmed.code).toBe(3);
    expect(unconfirmed.stderr).toMatch(
      /^Not changed: this change of erp-prod cannot be undone:\n {2}bandwidthGbps: 1 → 2 Gbps can never be undone/,
    );
    expect(unconfirmed.stderr).toMatch(/run the same command again with --confirm-irreversible\.$/m);
    expect(unconfirmed.stderr).not.toMatch(/send "confirmIrreversible"/);
    const rebuild = await cli(["change", "erp-prod", "--sku-tier", "Basic"]);
    expect(rebuild.code).toBe(2);
    expect(rebuild.stderr).toMatch(/azure\.circuitSku/);

    const after = await record("erp-prod");
    expect(after.attempt).toBe(before.attempt);
    expect(after.spec).toEqual(before.spec);
  }, 60_000);

  it("sends the merge patch and follows the change to its end, exit 0; the same again changes nothing", async () => {
    const res = await cli(["change", "erp-prod", "--bandwidth", "2000", "--confirm-irreversible", "--tag", "team=network"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Change started: change-erp-prod-\d+$/);
    expect(lines).toContain("  bandwidthGbps: 1 → 2 (cannot be undone)");
    expect(lines.some((l) => / erp-prod changing \[\d+\/9 [a-z-]+\]/.test(l))).toBe(true);
    expect(res.stdout).toMatch(/ erp-prod completed \[9\/9 commit\]/);
    expect(res.stdout).toMatch(/erp-prod is changed/);
    expect(res.stdout).toMatch(/bandwidth\s*│\s*2 Gbps/);
    const after = await record("erp-prod");
    expect(after.spec.bandwidthGbps).toBe(2);
    expect(after.spec.tags).toMatchObject({ team: "network" });

    const again = await cli(["change", "erp-prod", "--bandwidth", "2000", "--confirm-irreversible"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to change: erp-prod has that already\./);
  }, 120_000);

  it("Ctrl-C detaches from a change, saying how to resume; status --watch follows it to its end, exit 0 with the change's summary", async () => {
    const left = await interrupted(["change", "erp-prod", "--bandwidth", "5000", "--confirm-irreversible"], / erp-prod changing \[/);
    expect(left.code).toBe(130);
    expect(left.stderr).toMatch(/^Detached; nothing was cancelled\. Resume watching with: interconnect status erp-prod --watch$/m);
    const during = (await record("erp-prod")).currentOperation;
    expect(during.kind).toBe("change");
    expect(["Pending", "Running"]).toContain(during.runtimeStatus);

    const resumed = await cli(["status", "erp-prod", "--watch"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    // It watched the change run (the virtual circuit's 40 simulated minutes to the new shape last 2.4 s here), not only its end.
    expect(resumed.stdout).toMatch(/ erp-prod changing \[\d+\/9 [a-z-]+\]/);
    expect(resumed.stdout).toMatch(/ erp-prod completed \[9\/9 commit\]/);
    expect(resumed.stdout).toMatch(/erp-prod is changed/);
    expect(resumed.stdout).toMatch(/bandwidth\s*│\s*5 Gbps/);
    expect((await record("erp-prod")).spec.bandwidthGbps).toBe(5);
  }, 120_000);
});

describe("interconnect adopt", () => {
  it("exits 2 naming every missing field", async () => {
    const res = await cli(["adopt", "--name", "legacy"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/azure\.connectionName/);
    expect(res.stderr).toMatch(/oci\.region/);
  });

  it("reports the seeded interconnect's missing route rule with its fix, exit 1; adopts it once fixed by hand, exit 0", async () => {
    const request = path.join(scratch, "adoption-legacy.json");
    writeFileSync(request, JSON.stringify(seeded.adoption));
    const refused = await cli(["adopt", "--from", request]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^Adoption started: adopt-legacy-1$/m);
    expect(refused.stderr).toMatch(/routeRules: the VCN's route table \S+ has no rule 10\.30\.0\.0\/16 → DRG/);
    expect(refused.stderr).toMatch(/\(fix: add the route rule 10\.30\.0\.0\/16 → the DRG/);
    expect(refused.stderr).toMatch(/nothing was changed/);
    expect((await stack.api("GET", "interconnects/legacy")).status).toBe(404);

    await addRouteRuleByHand(stack, seeded.oci.routeTableId, "10.30.0.0/16", seeded.oci.drgId);
    const adopted = await cli([
      "adopt",
      "--name",
      "legacy",
      "--circuit-id",
      seeded.azure.circuitId,
      "--connection-name",
      "conn-legacy",
      "--region",
      "us-ashburn-1",
      "--compartment-id",
      seeded.oci.compartmentId,
      "--vcn-id",
      seeded.oci.vcnId,
      "--grant",
      "connection,virtual-circuit",
      "--grant",
      "circuit",
      "--tag",
      "owner=ana",
    ]);
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/legacy adopting \[\d+\/\d+ [a-z-]+\]/);
    expect(adopted.stdout).toMatch(/state\s*│\s*active/);
    const r = await record("legacy");
    expect(r).toMatchObject({
      state: "active",
      resources: { granted: ["connection", "virtual-circuit", "circuit"] },
      spec: { tags: { owner: "ana" } },
    });

    const twice = await cli(["adopt", "--from", request]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toMatch(/^Conflict: Interconnect "legacy" exists \(active\)/);
  }, 120_000);

  it("status --watch resumes an adoption before it has a record: the refusal, exit 1 with the fix; once fixed, the adoption, exit 0", async () => {
    const request = path.join(scratch, "adoption-legacy-b.json");
    writeFileSync(request, JSON.stringify(seededB.adoption));
    const left = await interrupted(["adopt", "--from", request], / legacy-b adopting \[/);
    expect(left.code).toBe(130);
    expect(left.stderr).toMatch(/^Detached; nothing was cancelled\. Resume watching with: interconnect status legacy-b --watch$/m);

    // A refused adoption never writes a record: status --watch follows it by name alone.
    const refused = await cli(["status", "legacy-b", "--watch"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/ legacy-b adopting \[\d+\/7 [a-z-]+\]/);
    expect(refused.stdout).toMatch(/ legacy-b adoption Failed$/m);
    expect(refused.stderr).toMatch(/routeRules: the VCN's route table \S+ has no rule 10\.50\.0\.0\/16 → DRG/);
    expect(refused.stderr).toMatch(/\(fix: add the route rule 10\.50\.0\.0\/16 → the DRG/);
    expect((await stack.api("GET", "interconnects/legacy-b")).status).toBe(404);
    // What status --watch followed, as the API documents it (stack.api checks every answer against the OpenAPI document).
    const found = await stack.api("GET", "interconnects/legacy-b/adoption");
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ name: "legacy-b", instanceId: "adopt-legacy-b-1", runtimeStatus: "Failed" });
    expect(JSON.stringify(found.json.output)).toMatch(/nothing was changed/);
    const shown = await cli(["status", "legacy-b"]);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/operation\s*│\s*adopt adopt-legacy-b-1 \(Failed\)/);

    await addRouteRuleByHand(stack, seededB.oci.routeTableId, "10.50.0.0/16", seededB.oci.drgId);
    const started = await cli(["adopt", "--from", request, "--detach"]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^Adoption started: adopt-legacy-b-2$/m);
    const adopted = await cli(["status", "legacy-b", "--watch"]);
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/ legacy-b adopting \[\d+\/7 [a-z-]+\]/);
    expect(adopted.stdout).toMatch(/ legacy-b completed \[7\/7 activate\]/);
    expect(adopted.stdout).toMatch(/legacy-b is adopted: active and watched/);
    expect(adopted.stdout).toMatch(/state\s*│\s*active/);
    expect(await record("legacy-b")).toMatchObject({
      state: "active",
      currentOperation: { kind: "adopt", instanceId: "adopt-legacy-b-2" },
    });
  }, 120_000);
});
