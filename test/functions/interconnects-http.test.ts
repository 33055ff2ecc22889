import { beforeEach, describe, expect, it } from "vitest";
import { interconnectHandlers } from "../../src/functions/interconnects-http";
import { activate, exampleSpecBody, header, json, request, takeTurn, useHandlers } from "./support/harness";

// Fresh tables per test: names can be reused and listings stay predictable.
const t = useHandlers();
beforeEach(() => {
  t.durable.starts.length = 0;
  t.durable.terminations.length = 0;
  t.durable.instances.clear();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  t.h.create(request("POST", "", { body, headers }), t.durable.context());

describe("POST /api/interconnects", () => {
  it("starts the provisioning and answers 202 in the Durable async pattern", async () => {
    const res = await post(exampleSpecBody(), { "x-ms-client-principal-name": "ana@contoso.com", "x-ticket-ref": "CHG0031234" });
    expect(res.status).toBe(202);
    const body = json(res);
    expect(body.id).toBe("provision-erp-prod-1");
    expect(body.name).toBe("erp-prod");
    expect(body.outcome).toBe("started");
    expect(header(res, "location")).toBe(body.statusQueryGetUri);
    expect(String(body.statusQueryGetUri)).toMatch(
      /^http:\/\/127\.0\.0\.1:7071\/runtime\/webhooks\/durabletask\/instances\/provision-erp-prod-1\?/,
    );
    expect(body.links).toEqual({
      self: "http://127.0.0.1:7071/api/interconnects/erp-prod",
      audit: "http://127.0.0.1:7071/api/interconnects/erp-prod/audit",
      health: "http://127.0.0.1:7071/api/interconnects/erp-prod/health",
    });

    expect(t.durable.starts).toHaveLength(1);
    const started = t.durable.starts[0];
    expect(started?.name).toBe("provisionInterconnect");
    expect(started?.input).toMatchObject({
      name: "erp-prod",
      actor: "ana@contoso.com",
      ticketRef: "CHG0031234",
      attempt: 1,
      bgpPlan: { primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" } },
      spec: { name: "erp-prod", keepResourcesOnFailure: false },
      timing: { gatewayDeadlineMinutes: 90 },
    });

    const record = await t.deps.store.interconnects.get("erp-prod");
    expect(record?.state).toBe("requested");
    expect(record?.currentOperation).toMatchObject({ kind: "provision", instanceId: "provision-erp-prod-1" });
    const audit = await t.deps.store.audit.list("erp-prod");
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      actor: "ana@contoso.com",
      ticketRef: "CHG0031234",
      operation: "provision",
      instanceId: "provision-erp-prod-1",
    });
  });

  it("is idempotent: the same spec (any key order) returns the running operation and starts nothing", async () => {
    await post(exampleSpecBody());
    const { name, bgp, oci, azure, bandwidthGbps } = exampleSpecBody();
    const again = await post({ bgp, oci, azure, bandwidthGbps, name });
    expect(again.status).toBe(202);
    expect(json(again)).toMatchObject({ id: "provision-erp-prod-1", outcome: "existing" });
    expect(t.durable.starts).toHaveLength(1);
  });

  it("answers 409 for the same name with a different spec, and while a teardown runs", async () => {
    await post(exampleSpecBody());
    const other = { ...exampleSpecBody(), bandwidthGbps: 2 };
    const res = await post(other);
    expect(res.status).toBe(409);
    expect(header(res, "content-type")).toBe("application/problem+json");
    expect(json(res)).toMatchObject({ code: "CONFLICT", status: 409 });
    expect(String(json(res).detail)).toMatch(/different spec/);

    await takeTurn(t.deps, "erp-prod");
    await t.h.remove(request("DELETE", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
    const during = await post(exampleSpecBody());
    expect(during.status).toBe(409);
    expect(String(json(during).detail)).toMatch(/torn down/);
    expect(t.durable.starts.map((s) => s.instanceId)).toEqual(["provision-erp-prod-1", "teardown-erp-prod-2"]);
  });

  it("starts exactly one orchestration when identical requests race", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => post(exampleSpecBody())));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(new Set(results.map((r) => json(r).id))).toEqual(new Set(["provision-erp-prod-1"]));
    expect(results.filter((r) => json(r).outcome === "started")).toHaveLength(1);
    expect(t.durable.starts).toHaveLength(1);
  });

  it("allocates BGP blocks from the pool, never twice, and rejects a requested block another interconnect uses", async () => {
    const noBgp = (name: string) => {
      const { bgp: _bgp, ...rest } = exampleSpecBody(name);
      return rest;
    };
    expect((await post(noBgp("crm-a"))).status).toBe(202);
    expect((await post(noBgp("crm-b"))).status).toBe(202);
    const a = await t.deps.store.interconnects.get("crm-a");
    const b = await t.deps.store.interconnects.get("crm-b");
    expect([a?.bgpPlan?.primary.cidr, a?.bgpPlan?.secondary.cidr]).toEqual(["192.168.100.0/30", "192.168.100.4/30"]);
    expect([b?.bgpPlan?.primary.cidr, b?.bgpPlan?.secondary.cidr]).toEqual(["192.168.100.8/30", "192.168.100.12/30"]);

    const clash = await post({
      ...exampleSpecBody("crm-c"),
      bgp: { primaryPeeringCidr: "192.168.100.8/30", secondaryPeeringCidr: "192.168.100.32/30" },
    });
    expect(clash.status).toBe(400);
    expect(json(clash).errors).toEqual([
      { path: "bgp.primaryPeeringCidr", message: "overlaps 192.168.100.8/30 of interconnect crm-b (requested)" },
    ]);
    expect(await t.deps.store.interconnects.get("crm-c")).toBeUndefined();
  });

  it("provisions a deleted name again as a new attempt with a new instance id", async () => {
    await post(exampleSpecBody());
    const repo = t.deps.store.interconnects;
    let rec = await activate(t.deps);
    await t.h.remove(request("DELETE", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
    rec = await repo.getOrThrow("erp-prod");
    await repo.transitionState("erp-prod", "deleted", rec.etag);

    const res = await post(exampleSpecBody());
    expect(res.status).toBe(202);
    expect(json(res).id).toBe("provision-erp-prod-3");
    expect((await repo.getOrThrow("erp-prod")).attempt).toBe(3);
  });

  it("answers 200 with the operation that built it when the interconnect is already active", async () => {
    await post(exampleSpecBody());
    await activate(t.deps);
    const res = await post(exampleSpecBody());
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ id: "provision-erp-prod-1", outcome: "existing" });
    expect(t.durable.starts).toHaveLength(1);
  });
});

// Mutating specs into every wrong shape is what these tests do; a precise type would forbid exactly that.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe("POST /api/interconnects rejects bad input, storing and starting nothing", () => {
  const cases: [string, (spec: Record<string, Loose>) => void, string][] = [
    ["name", (s) => (s.name = "ERP_prod"), "name"],
    ["bandwidth", (s) => (s.bandwidthGbps = 3), "bandwidthGbps"],
    ["subscription", (s) => (s.azure.subscriptionId = "not-a-guid"), "azure.subscriptionId"],
    ["resource group", (s) => (s.azure.resourceGroup = "rg."), "azure.resourceGroup"],
    ["peering location pairing", (s) => (s.azure.peeringLocation = "Amsterdam"), "azure.peeringLocation"],
    [
      "gateway subnet too small",
      (s) => (s.azure.virtualNetwork.gatewaySubnetPrefix = "10.10.255.0/28"),
      "azure.virtualNetwork.gatewaySubnetPrefix",
    ],
    ["vcn ocid", (s) => (s.oci.vcnId = "ocid1.subnet.oc1.iad.aaaa"), "oci.vcnId"],
    ["compartment ocid", (s) => (s.oci.compartmentId = "compartment"), "oci.compartmentId"],
    ["bgp not /30", (s) => (s.bgp.primaryPeeringCidr = "192.168.100.0/29"), "bgp.primaryPeeringCidr"],
    ["bgp overlap", (s) => (s.bgp.secondaryPeeringCidr = "192.168.100.0/30"), "bgp.secondaryPeeringCidr"],
    ["unknown field", (s) => (s.azure.colour = "blue"), "azure.colour"],
    ["missing oci", (s) => delete s.oci, "oci"],
  ];

  for (const [what, mutate, path] of cases) {
    it(`names the field: ${what}`, async () => {
      const spec = exampleSpecBody() as Record<string, Loose>;
      mutate(spec);
      const res = await post(spec);
      expect(res.status).toBe(400);
      expect(header(res, "content-type")).toBe("application/problem+json");
      const problem = json(res);
      expect(problem.code).toBe("VALIDATION_FAILED");
      expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain(path);
      expect(t.durable.starts).toHaveLength(0);
      expect((await t.deps.store.interconnects.list()).items).toHaveLength(0);
    });
  }

  it("lists every invalid field at once", async () => {
    const spec = exampleSpecBody() as Record<string, Loose>;
    spec.bandwidthGbps = 7;
    spec.azure.location = "East US";
    spec.oci.region = "mars-north-1";
    const paths = (json(await post(spec)).errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["bandwidthGbps", "azure.location", "oci.region"]));
  });

  it("rejects a body that is not JSON (with the position), a non-JSON content type, a huge body and a bad ticket", async () => {
    const broken = await t.h.create(
      request("POST", "", { raw: '{"name": "erp-prod",,}', headers: { "content-type": "application/json" } }),
      t.durable.context(),
    );
    expect(broken.status).toBe(400);
    expect(String((json(broken).errors as { message: string }[])[0]?.message)).toMatch(/line 1, column 21 \(position 20\)/);

    const text = await t.h.create(
      request("POST", "", { raw: JSON.stringify(exampleSpecBody()), headers: { "content-type": "text/plain" } }),
      t.durable.context(),
    );
    expect(text.status).toBe(415);
    // Titles are sentences, like the 400s'; the code stays in `code`.
    expect(json(text)).toMatchObject({ title: "The request body must be JSON", code: "UNSUPPORTED_MEDIA_TYPE" });

    const huge = await t.h.create(
      request("POST", "", {
        raw: JSON.stringify({ ...exampleSpecBody(), pad: "x".repeat(40_000) }),
        headers: { "content-type": "application/json" },
      }),
      t.durable.context(),
    );
    expect(huge.status).toBe(413);
    expect(json(huge)).toMatchObject({ title: "The request body is too large", code: "PAYLOAD_TOO_LARGE" });

    const ticket = await post(exampleSpecBody(), { "x-ticket-ref": "CHG 1; DROP" });
    expect(ticket.status).toBe(400);
    expect(json(ticket).errors).toEqual([{ path: "header x-ticket-ref", message: expect.any(String) }]);

    expect(t.durable.starts).toHaveLength(0);
    expect((await t.deps.store.interconnects.list()).items).toHaveLength(0);
  });
});

describe("GET /api/interconnects", () => {
  it("returns the record with its operation's live status, 404 for unknown and 400 for an impossible name", async () => {
    await post(exampleSpecBody());
    const instance = t.durable.instances.get("provision-erp-prod-1");
    if (instance) instance.customStatus = { step: "gateway", stepNumber: 3, totalSteps: 12 };
    const res = await t.h.get(request("GET", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({
      name: "erp-prod",
      state: "requested",
      spec: { name: "erp-prod" },
      bgpPlan: { secondary: { cidr: "192.168.100.4/30" } },
      currentOperation: {
        kind: "provision",
        instanceId: "provision-erp-prod-1",
        runtimeStatus: "Running",
        customStatus: { step: "gateway" },
      },
      failure: null,
    });
    const missing = await t.h.get(request("GET", "/nope-nope", { params: { name: "nope-nope" } }), t.durable.context());
    expect(missing.status).toBe(404);
    expect(json(missing).code).toBe("NOT_FOUND");
    const bad = await t.h.get(request("GET", "/Bad!", { params: { name: "Bad!" } }), t.durable.context());
    expect(bad.status).toBe(400);
  });

  it("never pairs a run that ended between its two reads with the record as it was before its end", async () => {
    await post(exampleSpecBody());
    // The provisioning writes its failure and ends after the GET has read the record, before it reads the status.
    t.durable.beforeStatus = async (instanceId) => {
      const instance = t.durable.instances.get(instanceId);
      if (!instance || instance.runtimeStatus !== "Running") return;
      await t.deps.store.interconnects.update("erp-prod", (await t.deps.store.interconnects.getOrThrow("erp-prod")).etag, () => ({
        failure: { step: "circuit", code: "CIRCUIT_FAILED", message: "the circuit failed" },
      }));
      instance.runtimeStatus = "Failed";
      instance.lastUpdatedTime = new Date().toISOString();
    };
    try {
      const res = await t.h.get(request("GET", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context());
      expect(json(res)).toMatchObject({
        currentOperation: { instanceId: "provision-erp-prod-1", runtimeStatus: "Failed" },
        failure: { step: "circuit", code: "CIRCUIT_FAILED" },
      });
      expect(header(res, "etag")).toBe((await t.deps.store.interconnects.getOrThrow("erp-prod")).etag);
    } finally {
      t.durable.beforeStatus = undefined;
    }
  });

  it("shows a deleted interconnect's resource ids only as lastKnownResources, with resources empty", async () => {
    await post(exampleSpecBody());
    const repo = t.deps.store.interconnects;
    const built = {
      circuitId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-erp-prod",
      virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.aaaa",
    };
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.update("erp-prod", rec.etag, () => ({ resources: built }));
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    rec = await repo.transitionState("erp-prod", "active", rec.etag);
    const get = async () => json(await t.h.get(request("GET", "/erp-prod", { params: { name: "erp-prod" } }), t.durable.context()));
    const active = await get();
    expect(active.resources).toEqual(built);
    expect(active).not.toHaveProperty("lastKnownResources");

    rec = await repo.transitionState("erp-prod", "tearing-down", rec.etag);
    await repo.transitionState("erp-prod", "deleted", rec.etag);
    const deleted = await get();
    expect(deleted).toMatchObject({ state: "deleted", resources: {}, lastKnownResources: built });
  });

  it("lists with a state filter and pages with a continuation token", async () => {
    for (const name of ["net-a", "net-b", "net-c"]) {
      const { bgp: _bgp, ...rest } = exampleSpecBody(name);
      expect((await post(rest)).status).toBe(202);
    }
    const rec = await t.deps.store.interconnects.getOrThrow("net-b");
    await t.deps.store.interconnects.transitionState("net-b", "provisioning", rec.etag);

    const first = json(await t.h.list(request("GET", "?top=2"), t.durable.context()));
    expect((first.items as unknown[]).length).toBe(2);
    expect(first.nextLink).toMatch(/continuationToken=/);
    const nextUrl = new URL(String(first.nextLink));
    const second = json(await t.h.list(request("GET", nextUrl.search), t.durable.context()));
    expect([...(first.items as { name: string }[]), ...(second.items as { name: string }[])].map((i) => i.name).sort()).toEqual([
      "net-a",
      "net-b",
      "net-c",
    ]);

    const provisioning = json(await t.h.list(request("GET", "?state=provisioning"), t.durable.context()));
    expect((provisioning.items as { name: string }[]).map((i) => i.name)).toEqual(["net-b"]);
    // both ends, so a list (the console's) shows them without reading every record
    expect((provisioning.items as { regions: unknown }[])[0]?.regions).toEqual({ azure: "eastus", oci: "us-ashburn-1" });
    const bad = await t.h.list(request("GET", "?state=gone&top=0"), t.durable.context());
    expect(bad.status).toBe(400);
    expect((json(bad).errors as { path: string }[]).map((e) => e.path).sort()).toEqual(["query state", "query top"]);
  });

  it("pages the audit trail and 404s an unknown interconnect", async () => {
    await post(exampleSpecBody());
    const res = json(await t.h.audit(request("GET", "/erp-prod/audit", { params: { name: "erp-prod" } }), t.durable.context()));
    expect((res.items as { step: string }[]).map((i) => i.step)).toEqual(["request"]);
    await t.deps.store.audit.append({ interconnect: "erp-prod", step: "later", phase: "info", actor: "system", operation: "provision" });
    const steps = async (q: string) =>
      (
        json(await t.h.audit(request("GET", `/erp-prod/audit${q}`, { params: { name: "erp-prod" } }), t.durable.context())).items as {
          step: string;
        }[]
      ).map((i) => i.step);
    // Newest first by default, so the latest operation is on page 1; ?order=asc for the trail as it happened.
    expect(await steps("")).toEqual(["later", "request"]);
    expect(await steps("?order=asc")).toEqual(["request", "later"]);
    const first = json(await t.h.audit(request("GET", "/erp-prod/audit?top=1", { params: { name: "erp-prod" } }), t.durable.context()));
    expect((first.items as { step: string }[]).map((i) => i.step)).toEqual(["later"]);
    expect(await steps(`?top=1&continuationToken=${encodeURIComponent(String(first.continuationToken))}`)).toEqual(["request"]);
    const bad = await t.h.audit(request("GET", "/erp-prod/audit?order=newest", { params: { name: "erp-prod" } }), t.durable.context());
    expect(bad.status).toBe(400);
    expect((json(bad).errors as { path: string }[]).map((e) => e.path)).toEqual(["query order"]);
    const missing = await t.h.audit(request("GET", "/nope-nope/audit", { params: { name: "nope-nope" } }), t.durable.context());
    expect(missing.status).toBe(404);
  });
});

describe("DELETE /api/interconnects/{name}", () => {
  const del = (name: string, headers: Record<string, string> = {}) =>
    t.h.remove(request("DELETE", `/${name}`, { params: { name }, headers }), t.durable.context());

  it("404s an unknown interconnect", async () => {
    const res = await del("nope-nope");
    expect(res.status).toBe(404);
    expect(t.durable.starts).toHaveLength(0);
  });

  it("stops a running provisioning, starts the teardown, and returns that teardown when asked again", async () => {
    await post(exampleSpecBody());
    const repo = t.deps.store.interconnects;
    const rec = await repo.getOrThrow("erp-prod");
    await repo.transitionState("erp-prod", "provisioning", rec.etag);

    const res = await del("erp-prod", { "x-ms-client-principal-name": "ops@contoso.com", "x-ticket-ref": "CHG42" });
    expect(res.status).toBe(202);
    expect(json(res)).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started", stoppedProvisioning: "provision-erp-prod-1" });
    expect(header(res, "location")).toMatch(/instances\/teardown-erp-prod-2\?/);
    expect(t.durable.terminations).toEqual([
      { instanceId: "provision-erp-prod-1", reason: expect.stringMatching(/^Stopped by a teardown request/) },
    ]);
    expect(t.durable.starts.at(-1)).toMatchObject({
      name: "teardownInterconnect",
      input: { name: "erp-prod", actor: "ops@contoso.com", ticketRef: "CHG42" },
    });
    expect(await repo.getOrThrow("erp-prod")).toMatchObject({
      state: "tearing-down",
      currentOperation: { kind: "teardown", instanceId: "teardown-erp-prod-2" },
    });

    const again = await del("erp-prod");
    expect(json(again)).toMatchObject({ id: "teardown-erp-prod-2", outcome: "existing" });
    expect(t.durable.starts).toHaveLength(2);
  });

  it("cancels a provisioning that had its turn but never started (requested → failed → tearing-down)", async () => {
    await post(exampleSpecBody());
    await takeTurn(t.deps, "erp-prod");
    const res = await del("erp-prod");
    expect(res.status).toBe(202);
    const rec = await t.deps.store.interconnects.getOrThrow("erp-prod");
    expect(rec.state).toBe("tearing-down");
    expect(rec.failure).toMatchObject({ code: "CANCELLED" });
  });

  it("cancels a provisioning still queued for its turn at once (requested → deleted, 200, no teardown)", async () => {
    await post(exampleSpecBody());
    const res = await del("erp-prod");
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ id: "provision-erp-prod-1", outcome: "cancelled" });
    const rec = await t.deps.store.interconnects.getOrThrow("erp-prod");
    expect(rec.state).toBe("deleted");
    expect(rec.failure).toMatchObject({ step: "queue", code: "CANCELLED" });
    expect(t.durable.starts.filter((s) => s.name === "teardownInterconnect")).toEqual([]);
    expect(await t.deps.store.turns.list()).toEqual([]);
  });

  it("waits for an adoption still running on the record (409 naming it), then tears down by the adopted names", async () => {
    await post(exampleSpecBody());
    const repo = t.deps.store.interconnects;
    let rec = await repo.getOrThrow("erp-prod");
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    rec = await repo.transitionState("erp-prod", "active", rec.etag);
    const names = { circuit: "er-legacy", connection: "conn-legacy", gateway: "ergw-legacy" };
    await repo.update("erp-prod", rec.etag, () => ({
      attempt: 2,
      resources: { ...rec.resources, names, granted: ["connection", "virtual-circuit", "circuit"] },
      currentOperation: { kind: "adopt", instanceId: "adopt-erp-prod-2", startedAt: new Date().toISOString() },
    }));
    const adoption = { name: "adoptInterconnect", instanceId: "adopt-erp-prod-2", input: null, customStatus: null };
    const now = new Date().toISOString();
    t.durable.instances.set("adopt-erp-prod-2", { ...adoption, runtimeStatus: "Running", createdTime: now, lastUpdatedTime: now });

    const busy = await del("erp-prod");
    expect(busy.status).toBe(409);
    expect(json(busy)).toMatchObject({
      code: "CONFLICT",
      detail: expect.stringMatching(/has an adoption running \(adopt-erp-prod-2\); one operation at a time: DELETE again/),
    });
    expect(t.durable.starts.filter((s) => s.name === "teardownInterconnect")).toEqual([]);

    t.durable.instances.get("adopt-erp-prod-2")!.runtimeStatus = "Completed";
    const res = await del("erp-prod");
    expect(res.status).toBe(202);
    expect(t.durable.starts.at(-1)).toMatchObject({ name: "teardownInterconnect", input: { names } });
  });

  it("starts exactly one teardown when DELETEs race", async () => {
    await post(exampleSpecBody());
    await activate(t.deps);
    const results = await Promise.all(Array.from({ length: 5 }, () => del("erp-prod")));
    expect(new Set(results.map((r) => json(r).id))).toEqual(new Set(["teardown-erp-prod-2"]));
    expect(t.durable.starts.filter((s) => s.name === "teardownInterconnect")).toHaveLength(1);
  });
});

describe("query validation and server-side errors", () => {
  it("answers 400 naming query continuationToken for a token that is not a previous page's, on both list routes", async () => {
    await post(exampleSpecBody());
    const notJson = Buffer.from("notjson").toString("base64");
    const wrongShape = Buffer.from(JSON.stringify({ partition: "x" })).toString("base64");
    for (const token of ["abc", "!!!!", notJson, wrongShape, "bm90anNvbg=="]) {
      const q = `?continuationToken=${encodeURIComponent(token)}`;
      const list = await t.h.list(request("GET", q), t.durable.context());
      const audit = await t.h.audit(request("GET", `/erp-prod/audit${q}`, { params: { name: "erp-prod" } }), t.durable.context());
      for (const res of [list, audit]) {
        expect(res.status, token).toBe(400);
        expect(json(res).errors).toEqual([{ path: "query continuationToken", message: expect.any(String) }]);
      }
    }
  });

  it("hides a settings problem from the caller: a generic 500, the detail in the log", async () => {
    const { ConfigurationError } = await import("../../src/config/settings");
    const logged: string[] = [];
    const broken = interconnectHandlers(() => {
      throw new ConfigurationError([{ path: "OCI_PRIVATE_KEY_PATH", message: "is invalid: cannot read the file /home/site/keys/oci.pem" }]);
    });
    const ctx = t.durable.context();
    const error = ctx.error.bind(ctx);
    ctx.error = (...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
      error(...args);
    };
    const res = await broken.list(request("GET"), ctx);
    expect(res.status).toBe(500);
    expect(json(res)).toMatchObject({ code: "INTERNAL", status: 500 });
    expect(JSON.stringify(json(res))).not.toMatch(/OCI_PRIVATE_KEY_PATH|\/home\/site/);
    expect(logged.join("\n")).toMatch(/OCI_PRIVATE_KEY_PATH is invalid: cannot read the file \/home\/site\/keys\/oci\.pem/);
  });
});
