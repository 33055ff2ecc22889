import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/domain/plan";
import { DEFAULT_WAIT_PROFILES } from "../../src/workflows/waits";
import { planInterconnect } from "../../src/workflows/plan";
import type { PlanInput } from "../../src/workflows/plan-input";
import { runOrchestration } from "./harness";
import { EXAMPLE_PLAN, EXAMPLE_SPEC } from "./fixtures";
import { FakeClouds } from "./fake-clouds";

const PLAN_ID = "plan-erp-prod-0a1b2c3d";
const READS = new Set([
  "azureReadVirtualNetwork",
  "ociReadVcn",
  "azureReadProviderOffer",
  "ociReadProviderService",
  "ociReadDrg",
  "ociGetDrg",
  "azureGetCircuit",
  "ociGetVirtualCircuit",
  "azureGetConnection",
  "resourceUsageRead",
]);

function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    planId: PLAN_ID,
    name: "erp-prod",
    actor: "alice@example.com",
    spec: EXAMPLE_SPEC,
    bgp: { plan: EXAMPLE_PLAN, source: "requested" },
    problems: [],
    ...overrides,
  };
}

async function plan(clouds: FakeClouds, input = planInput()) {
  const before = clouds.leftovers(new Date("2025-06-01T08:00:00Z"));
  const run = await runOrchestration({ orchestrator: planInterconnect, input, instanceId: PLAN_ID, activities: clouds.boundary });
  expect(run.error).toBeUndefined();
  // Reads only: nothing is created, changed or audited.
  expect(run.calls.map((c) => c.name).filter((n) => !READS.has(n))).toEqual([]);
  expect(clouds.audit).toEqual([]);
  expect(clouds.leftovers(run.endedAt)).toEqual(before);
  return { plan: run.output as Plan, run };
}

const byKind = (plan: Plan) => Object.fromEntries(plan.resources.map((r) => [r.kind, r]));

describe("planInterconnect", () => {
  it("plans a fresh interconnect: what is created, with its name, what bills from which step, and the duration range", async () => {
    const { plan: p, run } = await plan(new FakeClouds());
    expect(p).toMatchObject({ planId: PLAN_ID, name: "erp-prod", ready: true, problems: [] });
    expect(Date.parse(p.createdAt)).toBeGreaterThan(run.startedAt.getTime());
    const r = byKind(p);
    expect(r.virtualNetwork).toMatchObject({
      action: "reuse",
      id: expect.stringMatching(/virtualNetworks\/vnet-erp$/),
      billing: { bills: false },
    });
    expect(r.gatewaySubnet).toMatchObject({ action: "create", name: "GatewaySubnet", id: null });
    expect(r.gateway).toMatchObject({ action: "create", name: "vgw-erp-prod-er", billing: { bills: true, fromStep: "gateway" } });
    expect(r.gatewayPublicIp).toMatchObject({ action: "create", name: "pip-erp-prod-ergw", billing: { bills: true, fromStep: "gateway" } });
    expect(r.circuit).toMatchObject({ action: "create", name: "erc-erp-prod", billing: { bills: true, fromStep: "circuit" } });
    expect(r.virtualCircuit).toMatchObject({
      action: "create",
      name: "vc-erp-prod-azure",
      billing: { bills: true, fromStep: "virtual-circuit" },
    });
    expect(r.drg).toMatchObject({ action: "create", name: "drg-erp-prod", billing: { bills: false } });
    expect(r.drgAttachment).toMatchObject({ action: "create", name: "drgatt-erp-prod-vcn" });
    expect(r.routeRules).toMatchObject({ action: "create", note: "10.10.0.0/16 → the DRG" });
    expect(r.routeTable).toMatchObject({ action: "reuse", id: "ocid1.routetable.oc1.iad.aaaaaaaaerpvcndefault" });
    expect(p.bgp).toEqual({ source: "requested", ...EXAMPLE_PLAN, oracleAsn: 31898, azureAsn: 12076 });
    // The gateway (20-45 min) is the critical path; connection (1.5-5) and verification (0-5) follow it.
    const g = DEFAULT_WAIT_PROFILES;
    expect(p.duration).toMatchObject({
      earliestSeconds: g.gateway.earliestSeconds + g.connection.earliestSeconds + g.verification.earliestSeconds,
      latestSeconds: g.gateway.latestSeconds + g.connection.latestSeconds + g.verification.latestSeconds,
      criticalPath: ["gateway-ready", "connection", "verification"],
    });
    expect(p.duration.waits.find((w) => w.step === "provider")).toMatchObject({ onCriticalPath: false });
  });

  it("says share where another interconnect of this service uses the resource, reuse where none does", async () => {
    const clouds = new FakeClouds({ existingGatewaySubnet: true });
    clouds.uses = [
      {
        resourceId: "/subscriptions/s/resourceGroups/rg-erp-network/providers/Microsoft.Network/virtualNetworks/VNET-ERP",
        interconnect: "erp-dr",
      },
      {
        resourceId: "/subscriptions/s/resourceGroups/rg-erp-network/providers/Microsoft.Network/virtualNetworks/vnet-erp",
        interconnect: "erp-prod",
      },
    ];
    const { plan: p } = await plan(
      clouds,
      planInput({ spec: { ...EXAMPLE_SPEC, oci: { ...EXAMPLE_SPEC.oci, drgId: "ocid1.drg.oc1.iad.theirs" } } }),
    );
    const r = byKind(p);
    // ARM ids compare case-insensitively; the interconnect's own record is not "another".
    expect(r.virtualNetwork).toMatchObject({ action: "share", sharedWith: ["erp-dr"] });
    expect(r.gatewaySubnet).toMatchObject({ action: "reuse", id: "/subscriptions/s/.../subnets/GatewaySubnet", sharedWith: [] });
    expect(r.drg).toMatchObject({ action: "reuse", id: "ocid1.drg.oc1.iad.theirs", name: "ocid1.drg.oc1.iad.theirs" });
    // No DRG to wait for: the OCI chain is attachment + provider.
    expect(p.duration.waits.map((w) => w.step)).not.toContain("drg");
  });

  it("lists every problem with its field path and fix, failed reads included, and still plans the rest", async () => {
    const clouds = new FakeClouds({
      vcnDrgAttachments: [
        { id: "ocid1.drgattachment.oc1.iad.theirs", drgId: "ocid1.drg.oc1.iad.theirs", displayName: "other", lifecycleState: "ATTACHED" },
      ],
    });
    const missing = { code: "NOT_FOUND", message: 'Virtual network "vnet-erp" was not found', retryable: false };
    // The first failure is in the parallel round, the second when each read is redone on its own.
    clouds.failNext.set("azureReadVirtualNetwork", [missing, missing]);
    const input = planInput({
      spec: { ...EXAMPLE_SPEC, azure: { ...EXAMPLE_SPEC.azure, peeringLocation: "Amsterdam" } },
      problems: [{ path: "bgp.primaryPeeringCidr", message: "taken", fix: "choose another" }],
    });
    const { plan: p } = await plan(clouds, input);
    expect(p.ready).toBe(false);
    expect(p.problems.map((x) => x.path).sort()).toEqual(["azure.peeringLocation", "azure.virtualNetwork.name", "bgp.primaryPeeringCidr"]);
    // The VCN's DRG is reused (and its attachment), not a problem.
    expect(byKind(p).drg).toMatchObject({ action: "reuse", id: "ocid1.drg.oc1.iad.theirs" });
    expect(byKind(p).drgAttachment).toMatchObject({ action: "reuse", id: "ocid1.drgattachment.oc1.iad.theirs" });
    expect(p.problems.find((x) => x.path === "azure.virtualNetwork.name")?.message).toMatch(
      /azureReadVirtualNetwork: NOT_FOUND: Virtual network "vnet-erp" was not found/,
    );
    expect(byKind(p).virtualNetwork).toMatchObject({ action: "reuse", id: null, note: "not found (see problems)" });
    expect(byKind(p).vcn).toMatchObject({ action: "reuse", id: EXAMPLE_SPEC.oci.vcnId });
  });

  it("reuses what an earlier attempt of the same name left, found by its derived name", async () => {
    const clouds = new FakeClouds();
    clouds.boundary("ociEnsureDrg", { oci: {} }, new Date("2025-06-01T07:00:00Z"));
    clouds.boundary("azureEnsureCircuit", {}, new Date("2025-06-01T07:00:00Z"));
    const { plan: p } = await plan(clouds);
    expect(byKind(p).drg).toMatchObject({
      action: "reuse",
      id: "ocid1.drg.oc1.iad.ours",
      note: "left by an earlier attempt of this interconnect",
    });
    expect(byKind(p).circuit).toMatchObject({ action: "reuse", billing: { bills: true, fromStep: null } });
  });

  it("fails at once on a malformed input, naming the field", async () => {
    const run = await runOrchestration({
      orchestrator: planInterconnect,
      input: { ...planInput(), spec: { name: "x" } },
      instanceId: PLAN_ID,
      activities: new FakeClouds().boundary,
    });
    expect(run.error).toMatch(/input\.spec\.bandwidthGbps/);
    expect(run.calls).toEqual([]);
  });

  it("tells a compartment OCI does not show from a region without the provider, and keeps a read that failed only once", async () => {
    const clouds = new FakeClouds();
    const compartment = {
      code: "NOT_FOUND",
      message: "oci.compartmentId ocid1.compartment.oc1..x was not found in region us-ashburn-1",
      retryable: false,
    };
    const denied = { code: "AuthorizationFailed", message: "no read access", retryable: false };
    clouds.failNext.set("ociReadProviderService", [compartment, compartment]);
    clouds.failNext.set("azureGetCircuit", [denied]);
    clouds.failNext.set("azureGetConnection", [denied, denied]);
    const { plan: p } = await plan(clouds);
    // The circuit's read failed once only: redone on its own, it counts.
    expect(p.problems.map((x) => [x.path, x.fix])).toEqual([
      ["oci.compartmentId", "name a compartment of oci.region this service may use"],
      ["", "check the service's access to both clouds, then plan again"],
    ]);
    expect(byKind(p).circuit).toMatchObject({ action: "create" });
  });
});
