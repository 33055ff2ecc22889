import type * as core from "oci-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { addRouteRuleByHand, ociClient } from "./support/direct";
import { inventory } from "./support/inventory";
import { E2eStack, type Json } from "./support/stack";

/**
 * An interconnect built by hand (seeded through the emulators' admin, as an engineer with two consoles
 * builds it: POST /admin/seed/handBuiltInterconnects), adopted over HTTP: built with a route rule left
 * out, it is reported with what to fix and left as it is; once fixed by hand it is adopted (from the
 * virtual circuit's side this time), tagged, active and watched; its teardown removes only what its
 * owner granted.
 */
let stack: E2eStack;
let oci: core.VirtualNetworkClient;
let ids: { circuitId: string; virtualCircuitId: string; drgId: string };

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000, settings: { HEALTH_CONTROL_PLANE_MINUTES: "30", HEALTH_ROUTES_MINUTES: "60" } });
  oci = ociClient(stack);
  const seeded = await stack.admin("POST", "seed/handBuiltInterconnects", { name: "legacy", omitRouteRule: true });
  ids = { circuitId: seeded.azure.circuitId, virtualCircuitId: seeded.oci.virtualCircuitId, drgId: seeded.oci.drgId };
}, 240_000);
afterAll(async () => {
  oci?.close();
  await stack?.close();
});

const clouds = async () => inventory(await stack.admin("GET", "state"));
const seed = () => stack.emulators.oci;
const routeRules = async (): Promise<core.models.RouteRule[]> =>
  (await oci.getRouteTable({ rtId: seed().routeTableId })).routeTable.routeRules;

const adoption = (over: Record<string, unknown>) => ({
  name: "erp-legacy",
  azure: { connectionName: "conn-legacy" },
  oci: { region: "us-ashburn-1", compartmentId: seed().compartmentId, vcnId: seed().vcnId },
  grant: ["connection", "virtual-circuit", "circuit"],
  ...over,
});

async function ended(statusQueryGetUri: string): Promise<Json> {
  return stack.waitForInstanceEnd(statusQueryGetUri, 60_000);
}

it("answers a bad adoption request with every field named, and a grant without what it needs first", async () => {
  const res = await stack.api("POST", "interconnects/adoptions", {
    name: "erp-legacy",
    azure: { connectionName: "conn-legacy" },
    oci: { region: "us-ashburn-1", compartmentId: seed().compartmentId, vcnId: seed().vcnId },
    grant: ["circuit"],
  });
  expect(res.status).toBe(400);
  const paths = res.json.errors.map((e: Json) => e.path);
  expect(paths).toContain("azure.circuitId");
  expect(res.json.errors.find((e: Json) => e.path === "grant").message).toMatch(/"circuit" needs "virtual-circuit" and "connection"/);
});

it("reports a hand-built interconnect whose route rule is missing, with what to fix, and changes nothing", async () => {
  // The seed left out the VNet's rule, the mistake most often made by hand.
  expect((await routeRules()).some((r) => r.destination === "10.10.0.0/16")).toBe(false);
  const res = await stack.api(
    "POST",
    "interconnects/adoptions",
    adoption({ azure: { circuitId: ids.circuitId, connectionName: "conn-legacy" } }),
  );
  expect(res.status).toBe(202);
  expect(res.json).toMatchObject({ id: "adopt-erp-legacy-1", outcome: "started", name: "erp-legacy" });
  const status = await ended(res.json.statusQueryGetUri);
  expect(status.runtimeStatus).toBe("Failed");
  expect(JSON.stringify(status.output)).toMatch(/routeRules: .*has no rule 10\.10\.0\.0\/16 → DRG.*fix: add the route rule/);
  expect(JSON.stringify(status.output)).toMatch(/nothing was changed/);
  // Nothing written, nothing fixed, nothing tagged.
  expect((await stack.api("GET", "interconnects/erp-legacy")).status).toBe(404);
  expect((await routeRules()).some((r) => r.destination === "10.10.0.0/16")).toBe(false);
  const inv = await clouds();
  expect((inv.circuits[0]?.raw as Json).tags?.interconnect).toBeUndefined();
  const audit = (await stack.api("GET", "interconnects/erp-legacy/audit?order=asc")).json.items as Json[];
  expect(audit.find((r) => r.step === "verification" && r.phase === "failed")?.details.problems).toEqual(
    expect.arrayContaining([expect.objectContaining({ path: "routeRules", fix: expect.stringMatching(/add the route rule/) })]),
  );
  // Fixed by hand, as the report says.
  await addRouteRuleByHand(stack, seed().routeTableId, "10.10.0.0/16", ids.drgId);
}, 90_000);

it("adopts the healthy hand-built interconnect from its virtual circuit: verified, tagged, active, owning only what was granted, watched", async () => {
  const res = await stack.api(
    "POST",
    "interconnects/adoptions",
    adoption({
      azure: { subscriptionId: stack.emulators.arm.subscriptionId, connectionName: "conn-legacy" },
      oci: { ...adoption({}).oci, virtualCircuitId: ids.virtualCircuitId },
    }),
    { "x-ms-client-principal-name": "ana@contoso.com" },
  );
  expect(res.status).toBe(202);
  expect(res.json.id).toBe("adopt-erp-legacy-2");
  const status = await ended(res.json.statusQueryGetUri);
  expect(status.runtimeStatus).toBe("Completed");

  const record = (await stack.api("GET", "interconnects/erp-legacy")).json;
  expect(record).toMatchObject({
    state: "active",
    spec: {
      bandwidthGbps: 1,
      azure: { peeringLocation: "Washington DC", virtualNetwork: { name: "vnet-erp" }, gateway: { fastPath: true } },
      oci: { drgId: ids.drgId, vcnId: seed().vcnId },
      bgp: { primaryPeeringCidr: "192.168.100.0/30", secondaryPeeringCidr: "192.168.100.4/30" },
    },
    resources: {
      circuitId: ids.circuitId,
      virtualCircuitId: ids.virtualCircuitId,
      drgId: ids.drgId,
      owned: { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false },
      names: { circuit: "er-legacy", connection: "conn-legacy", gateway: "ergw-legacy" },
      granted: ["connection", "virtual-circuit", "circuit"],
    },
    currentOperation: { kind: "adopt", instanceId: "adopt-erp-legacy-2" },
  });
  const inv = await clouds();
  expect((inv.circuits[0]?.raw as Json).tags).toMatchObject({
    interconnect: "erp-legacy",
    "interconnect-managed-by": "azure-oci-interconnect",
  });
  expect((inv.virtualCircuits[0]?.raw as Json).freeformTags).toMatchObject({ interconnect: "erp-legacy" });
  // The health watch reads the adopted resources under their own names.
  const health = await stack.waitForRecord("erp-legacy", (r) => r.health !== null && r.health !== undefined, 60_000);
  expect(health.health.status).toBe("healthy");

  const again = await stack.api(
    "POST",
    "interconnects/adoptions",
    adoption({ azure: { circuitId: ids.circuitId, connectionName: "conn-legacy" } }),
  );
  expect(again.status).toBe(409);
}, 120_000);

it("tears the adopted interconnect down removing only what was granted", async () => {
  const res = await stack.api("DELETE", "interconnects/erp-legacy?reason=retire%20the%20legacy%20link");
  expect(res.status).toBe(202);
  const record = await stack.waitForRecord("erp-legacy", (r) => r.state === "deleted" || r.state === "failed", 90_000);
  expect(record.state).toBe("deleted");
  const inv = await clouds();
  expect(inv.connections).toHaveLength(0);
  expect(inv.virtualCircuits).toHaveLength(0);
  expect(inv.circuits).toHaveLength(0);
  // Not granted: the gateway (and its GatewaySubnet), the DRG, its attachment and the hand-made route rule stay.
  expect(inv.gateways).toHaveLength(1);
  expect(inv.drgs).toHaveLength(1);
  expect(inv.drgAttachments).toHaveLength(1);
  expect((await routeRules()).some((r) => r.destination === "10.10.0.0/16" && r.networkEntityId === ids.drgId)).toBe(true);
}, 120_000);
