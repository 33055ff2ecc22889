import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createActivityDeps } from "../../src/activities/deps";
import { CloudCallLog } from "../../src/clouds/call-log";
import { inventory } from "./support/inventory";
import { spec, type Spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * Runs on one VNet and VCN queue, over HTTP on the local stack: a second provisioning posted while the
 * first builds is accepted and waits its turn ("queued behind …"), both end active on one gateway, DRG
 * and attachment; a third deleted while queued is cancelled having built nothing; runs on other
 * networks are not held up; and a holder that died (its instance terminated) does not block the queue.
 */
let stack: E2eStack;
const used = new Set<string>();

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000 });
}, 240_000);
afterEach(async () => {
  await stack.cleanUp([...used].reverse(), 120_000);
  used.clear();
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const clouds = async () => inventory(await stack.admin("GET", "state"));

function named(name: string, change: (s: Spec) => void = () => undefined): Spec {
  const s = spec(name, { allocateBgp: true });
  change(s);
  used.add(name);
  return s;
}

async function post(body: Spec): Promise<Json> {
  const res = await stack.api("POST", "interconnects", body);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  return res.json;
}

async function audit(name: string): Promise<Json[]> {
  return (await stack.api("GET", `interconnects/${name}/audit?top=1000&order=asc`)).json.items;
}

/** When a workflow step of the interconnect's trail began or ended (the wall clock of its audit row). */
function stepAt(rows: Json[], step: string, phase: "started" | "succeeded"): number {
  const row = rows.find((r) => r.step === step && r.phase === phase);
  if (!row) throw new Error(`no ${phase} row for step ${step}`);
  return Date.parse(row.at);
}

/**
 * A DRG both interconnects name in oci.drgId, made outside the service: whatever a holder killed
 * half-way left of its own DRG, the next one builds on a DRG that exists.
 */
async function sharedDrg(): Promise<string> {
  const { arm, oci } = stack.emulators.handles;
  const deps = createActivityDeps({
    azure: { credential: "emulator", armEndpoint: arm.url, emulatorToken: arm.token, tlsCa: arm.caCertPem },
    oci: {
      endpoint: oci.url,
      tenancyId: oci.tenancyId,
      userId: oci.userId,
      fingerprint: oci.fingerprint,
      privateKey: readFileSync(oci.privateKeyPath, "utf8"),
    },
    storage: { connectionString: stack.azurite.connectionString },
    tables: { interconnects: "interconnects", audit: "interconnectaudit" },
  });
  const drg = await deps.oci
    .network(oci.region, new CloudCallLog())
    .createDrg({ compartmentId: oci.seed.compartmentId, displayName: "drg-shared-estate" }, `e2e-drg-${Date.now()}`);
  await stack.waitForClouds("the shared DRG to be AVAILABLE", (inv) => inv.drgs.some((d) => d.id === drg.id && d.state === "AVAILABLE"));
  return drg.id;
}

const queuedBehind = (name: string, operation = "provision") =>
  new RegExp(`^queued behind ${name} \\(${operation}\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`);

describe("runs on one VNet and VCN queue instead of refusing", () => {
  it("provisions A and B posted at once one after the other: B queued, both active, one gateway, DRG and attachment", async () => {
    // Neither names a DRG: A creates one and attaches it to the VCN, B finds it attached and reuses it.
    const a = await post(named("queue-a"));
    const b = await post(named("queue-b"));
    expect(a.outcome).toBe("started");
    expect(b.outcome).toBe("started");

    // B waits its turn: its record says requested, its status whom it waits behind, since when, until when.
    const queued = await stack.waitForRecord("queue-b", (r) =>
      queuedBehind("queue-a").test(r.currentOperation?.customStatus?.message ?? ""),
    );
    expect(queued.state).toBe("requested");
    expect(queued.currentOperation.customStatus).toMatchObject({ step: "queue", deadline: expect.any(String) });
    expect(Date.parse(queued.currentOperation.customStatus.deadline) - Date.parse(queued.currentOperation.customStatus.since)).toBe(
      1440 * 60_000,
    );
    expect(queued.currentOperation.stalled).toBeUndefined();

    // A third on the same networks, deleted while queued: cancelled, nothing built, its place given up.
    const c = await post(named("queue-c"));
    await stack.waitForRecord("queue-c", (r) => queuedBehind("queue-a").test(r.currentOperation?.customStatus?.message ?? ""));
    const cancel = await stack.api("DELETE", "interconnects/queue-c?reason=not%20needed%20after%20all");
    expect(cancel.status).toBe(200);
    expect(cancel.json).toMatchObject({ id: c.id, outcome: "cancelled", name: "queue-c" });
    const cancelled = (await stack.api("GET", "interconnects/queue-c")).json;
    expect(cancelled).toMatchObject({ state: "deleted", failure: { step: "queue", code: "CANCELLED" }, resources: {} });
    // Stopped: terminated by the DELETE, or ended by itself first on seeing its record deleted (output "superseded").
    const ended = await stack.waitForInstanceEnd(c.statusQueryGetUri);
    if (ended.runtimeStatus === "Completed") expect(ended.output).toEqual({ state: "superseded" });
    else expect(ended.runtimeStatus).toBe("Terminated");
    expect((await audit("queue-c")).some((r) => r.details?.cancelled === true)).toBe(true);

    const activeA = await stack.waitForRecord("queue-a", (r) => r.state === "active" || r.state === "failed", 120_000);
    const activeB = await stack.waitForRecord("queue-b", (r) => r.state === "active" || r.state === "failed", 120_000);
    expect([activeA.state, activeB.state, activeB.failure]).toEqual(["active", "active", null]);

    // Serialised: B began building only after A was active and gave its turn back.
    const [rowsA, rowsB] = [await audit("queue-a"), await audit("queue-b")];
    expect(stepAt(rowsB, "record", "started")).toBeGreaterThanOrEqual(stepAt(rowsA, "activate", "succeeded"));
    expect(rowsB.some((r) => r.step === "queue" && queuedBehind("queue-a").test(r.message))).toBe(true);

    const inv = await clouds();
    const drgId = activeA.resources.drgId as string;
    expect(activeB.resources.drgId).toBe(drgId);
    expect(inv.gateways).toHaveLength(1);
    expect(inv.gatewaySubnets).toHaveLength(1);
    expect(inv.drgs.map((d) => d.id)).toEqual([drgId]);
    expect(inv.drgAttachments).toHaveLength(1);
    expect(inv.circuits.map((x) => x.name).sort()).toEqual(["erc-queue-a", "erc-queue-b"]);
    expect(inv.virtualCircuits).toHaveLength(2);
    expect(inv.connections).toHaveLength(2);
    // The union of both interconnects' route rules: the VNet's prefix → the one DRG.
    expect(inv.routeRules.map((r) => [r.destination, r.networkEntityId])).toEqual([["10.10.0.0/16", drgId]]);
    expect(JSON.stringify(inv)).not.toContain("queue-c");

    // The list filters by the networks, and a malformed filter is a 400 naming it.
    const vnetId = activeA.resources.virtualNetworkId as string;
    const listed = await stack.api("GET", `interconnects?virtualNetworkId=${encodeURIComponent(vnetId.toUpperCase())}&state=active`);
    expect(listed.json.items.map((i: Json) => i.name).sort()).toEqual(["queue-a", "queue-b"]);
    const byVcn = await stack.api("GET", `interconnects?vcnId=${encodeURIComponent(spec().oci.vcnId)}`);
    expect(byVcn.json.items.map((i: Json) => i.name).sort()).toEqual(["queue-a", "queue-b", "queue-c"]);
    const bad = await stack.api("GET", "interconnects?vcnId=vcn-1&virtualNetworkId=vnet-erp");
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: Json) => e.path).sort()).toEqual(["query vcnId", "query virtualNetworkId"]);
  }, 240_000);

  it("does not serialise runs on different VNets and VCNs", async () => {
    await stack.admin("POST", "seed/virtualNetworks", { name: "vnet-hr", addressPrefixes: ["10.30.0.0/16"] });
    const vcn = await stack.admin("POST", "seed/vcns", { displayName: "vcn-hr", cidrBlocks: ["10.40.0.0/16"] });
    await post(named("par-erp"));
    await post(
      named("par-hr", (s) => {
        s.azure.virtualNetwork = { name: "vnet-hr", gatewaySubnetPrefix: "10.30.255.0/27" };
        s.oci = { ...s.oci, vcnId: vcn.id };
      }),
    );
    const erp = await stack.waitForRecord("par-erp", (r) => r.state === "active" || r.state === "failed", 120_000);
    const hr = await stack.waitForRecord("par-hr", (r) => r.state === "active" || r.state === "failed", 120_000);
    expect([erp.state, hr.state]).toEqual(["active", "active"]);
    const [rowsErp, rowsHr] = [await audit("par-erp"), await audit("par-hr")];
    // Neither ever waited in a queue, and their builds overlapped.
    expect([...rowsErp, ...rowsHr].filter((r) => r.step === "queue" && r.details?.event === "waiting")).toEqual([]);
    expect(stepAt(rowsHr, "preflight", "started")).toBeLessThan(stepAt(rowsErp, "activate", "succeeded"));
    expect(stepAt(rowsErp, "preflight", "started")).toBeLessThan(stepAt(rowsHr, "activate", "succeeded"));
    expect((await clouds()).gateways).toHaveLength(2);
  }, 240_000);

  it("does not let a dead holder (its instance terminated) block the queue for ever", async () => {
    const drgId = await sharedDrg();
    const dead = await post(named("dead-holder", (s) => (s.oci = { ...s.oci, drgId } as Spec["oci"])));
    await post(named("after-dead", (s) => (s.oci = { ...s.oci, drgId } as Spec["oci"])));
    await stack.waitForRecord("after-dead", (r) => queuedBehind("dead-holder").test(r.currentOperation?.customStatus?.message ?? ""));
    // Killed from outside (terminatePostUri), as an operator might: it never gives its turn back itself.
    const terminate = String(dead.terminatePostUri).replace("{text}", "operator");
    expect((await fetch(terminate, { method: "POST" })).status).toBe(202);
    expect((await stack.waitForInstanceEnd(dead.statusQueryGetUri)).runtimeStatus).toBe("Terminated");

    const after = await stack.waitForRecord("after-dead", (r) => r.state === "active" || r.state === "failed", 120_000);
    expect(after.state).toBe("active");
    const rows = await audit("after-dead");
    expect(rows.some((r) => r.step === "queue" && queuedBehind("dead-holder").test(r.message))).toBe(true);
  }, 240_000);
});
