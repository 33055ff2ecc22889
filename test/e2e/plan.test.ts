import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * Plans over HTTP on the real host against both emulators: a plan reads and never writes, a provisioning
 * may start from a ready plan, and refuses when the clouds changed since.
 */
let stack: E2eStack;
/** Every request either emulator answered, as "<cloud>:<METHOD> <resourceType>". */
const requests: string[] = [];

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000 });
  const faults = stack.emulators.faults;
  const decide = faults.decide.bind(faults);
  // Both emulators ask the fault injector about every request they serve: the one place that sees them all.
  faults.decide = (cloud, operation) => {
    requests.push(`${cloud}:${operation}`);
    return decide(cloud, operation);
  };
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

async function planOf(body: unknown): Promise<Json> {
  const res = await stack.api("POST", "interconnects/plans", body, { "x-ms-client-principal-name": "ana@contoso.com" });
  expect(res.status).toBe(202);
  expect(res.json.planId).toMatch(/^plan-[a-z0-9-]+-[0-9a-f]{16}$/);
  expect(res.headers.get("location")).toBe(res.json.statusQueryGetUri);
  const until = Date.now() + 30_000;
  for (;;) {
    const got = await stack.api("GET", `interconnects/plans/${res.json.planId}`);
    if (got.status === 200) return got.json;
    expect(got.status).toBe(202);
    if (Date.now() > until) throw new Error(`plan not done: ${JSON.stringify(got.json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const cloudState = async () => {
  const state = await stack.admin("GET", "state");
  return JSON.stringify({ arm: state.arm, oci: state.oci });
};

/** As someone else would: a GatewaySubnet made through ARM itself. */
async function createGatewaySubnet(vnet: string, prefix: string): Promise<void> {
  const arm = stack.emulators.arm;
  const url = new URL(
    `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/GatewaySubnet?api-version=2025-05-01`,
    arm.url,
  );
  const body = JSON.stringify({ properties: { addressPrefix: prefix } });
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: "PUT",
        ca: readFileSync(arm.caCertPath),
        headers: { authorization: `Bearer ${arm.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  expect(status).toBeLessThan(300);
}

describe("POST /api/interconnects/plans", () => {
  it("plans the README example from the live clouds and writes nothing to either emulator, nor to the store", async () => {
    const before = await cloudState();
    requests.length = 0;
    const plan = await planOf(spec());
    expect(plan).toMatchObject({
      name: "erp-prod",
      ready: true,
      problems: [],
      bgp: { source: "requested", primary: { cidr: "192.168.100.0/30" }, oracleAsn: 31898 },
    });
    const actions = Object.fromEntries((plan.resources as Json[]).map((r) => [r.kind, r.action]));
    expect(actions).toEqual({
      virtualNetwork: "reuse",
      gatewaySubnet: "create",
      gateway: "create",
      gatewayPublicIp: "create",
      circuit: "create",
      connection: "create",
      vcn: "reuse",
      routeTable: "reuse",
      drg: "create",
      drgAttachment: "create",
      virtualCircuit: "create",
      routeRules: "create",
    });
    expect(plan.duration.criticalPath).toEqual(["gateway-ready", "connection", "verification"]);

    // Reads reached both clouds; not one write.
    expect(requests.some((r) => r.startsWith("arm:GET"))).toBe(true);
    expect(requests.some((r) => r.startsWith("oci:GET"))).toBe(true);
    expect(requests.filter((r) => !/^(arm|oci):GET /.test(r))).toEqual([]);
    expect(await cloudState()).toBe(before);
    expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);
    // Nor did it reserve or record anything: no interconnect, no audit trail.
    expect((await stack.api("GET", "interconnects")).json.items).toEqual([]);
    expect((await stack.api("GET", "interconnects/erp-prod/audit")).status).toBe(404);
  }, 60_000);

  it("lists every problem with its field path and fix, and answers an invalid spec with 400 naming each field", async () => {
    const missing = spec("vnet-missing");
    missing.azure.virtualNetwork.name = "vnet-nowhere";
    const plan = await planOf(missing);
    expect(plan.ready).toBe(false);
    expect(plan.problems).toEqual([
      expect.objectContaining({ path: "azure.virtualNetwork.name", fix: expect.stringMatching(/existing virtual network/) }),
    ]);

    const invalid = { ...spec("bad-plan"), bandwidthGbps: 3 };
    const bad = await stack.api("POST", "interconnects/plans", invalid);
    expect(bad.status).toBe(400);
    expect(bad.json.errors.map((e: Json) => e.path)).toEqual(["bandwidthGbps"]);
    expect((await stack.api("GET", "interconnects/plans/not-a-plan")).status).toBe(400);
    expect((await stack.api("GET", "interconnects/plans/plan-erp-prod-0123456789abcdef")).status).toBe(404);
  }, 60_000);
});

describe("POST /api/interconnects?planId=", () => {
  it("refuses a plan that is not ready or of another spec, before anything starts", async () => {
    const missing = spec("vnet-missing");
    missing.azure.virtualNetwork.name = "vnet-nowhere";
    const notReady = await planOf(missing);
    const refused = await stack.api("POST", `interconnects?planId=${notReady.planId}`, missing);
    expect(refused.status).toBe(409);
    expect(refused.json.detail).toMatch(/^plan is stale: the plan found 1 problem\(s\) to fix first: azure\.virtualNetwork\.name: /);
    const ready = await planOf(spec());
    const other = await stack.api("POST", `interconnects?planId=${ready.planId}`, { ...spec(), bandwidthGbps: 2 });
    expect(other.status).toBe(409);
    expect(other.json.detail).toMatch(/^plan is stale: the spec is not the one that was planned/);
    expect((await stack.api("GET", "interconnects")).json.items).toEqual([]);
  }, 60_000);

  it("refuses at pre-flight, creating nothing, when someone created the GatewaySubnet since the plan", async () => {
    await stack.admin("POST", "seed/virtualNetworks", { name: "vnet-stale", addressPrefixes: ["10.30.0.0/16"] });
    const body = spec("stale-one");
    body.azure.virtualNetwork = { name: "vnet-stale", gatewaySubnetPrefix: "10.30.255.0/27" };
    const plan = await planOf(body);
    expect(plan.resources.find((r: Json) => r.kind === "gatewaySubnet")).toMatchObject({ action: "create" });
    await createGatewaySubnet("vnet-stale", "10.30.255.0/27");
    const res = await stack.api("POST", `interconnects?planId=${plan.planId}`, body);
    expect(res.status).toBe(202);
    const record = await stack.waitForRecord("stale-one", (r) => r.state === "failed" || r.state === "active");
    expect(record.failure).toMatchObject({ step: "preflight", code: "PLAN_STALE" });
    expect(record.failure.message).toMatch(
      /^plan is stale: gatewaySubnet GatewaySubnet exists now \(\/subscriptions\/.*\/subnets\/GatewaySubnet\), the plan would create it/,
    );
    expect(counts(inventory(await stack.admin("GET", "state")))).toMatchObject({ gateways: 0, circuits: 0, drgs: 0, virtualCircuits: 0 });
  }, 60_000);

  it("provisions from a fresh plan to active", async () => {
    const plan = await planOf(spec());
    const res = await stack.api("POST", `interconnects?planId=${plan.planId}`, spec());
    expect(res.status).toBe(202);
    const record = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed");
    expect(record.state).toBe("active");
    // A plan of the running interconnect reuses what it built and shares nothing with itself.
    const again = await planOf(spec());
    const byKind = Object.fromEntries((again.resources as Json[]).map((r) => [r.kind, r]));
    expect(byKind.circuit).toMatchObject({ action: "reuse", id: record.resources.circuitId, billing: { bills: true, fromStep: null } });
    expect(byKind.gateway).toMatchObject({ action: "reuse", sharedWith: [] });
    // Another interconnect on the same VNet would share erp-prod's gateway.
    const other = await planOf({
      ...spec("erp-dr"),
      bgp: { primaryPeeringCidr: "192.168.101.0/30", secondaryPeeringCidr: "192.168.101.4/30" },
    });
    expect(Object.fromEntries((other.resources as Json[]).map((r) => [r.kind, r])).gateway).toMatchObject({
      action: "share",
      sharedWith: ["erp-prod"],
      id: record.resources.gatewayId,
    });
  }, 120_000);
});
