import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import catalog from "../../src/domain/peering-locations.json";
import { counts, NOTHING, ONE_INTERCONNECT } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * The clouds misbehaving, through the emulators' fault injector: throttling storms and 5xx bursts must
 * not stop a provisioning; a provider that never provisions, a BGP session that stays down and a
 * service key the provider rejects must end in a failed record whose compensation left nothing billing
 * (above all, no circuit without its virtual circuit); DELETE of a failed or a running provisioning
 * must clean up. Scenarios run one after another on one stack, each waiting until the clouds are empty;
 * after each, whatever a failed scenario left is torn down (or the emulators reset), so it fails alone.
 */
let stack: E2eStack;
const created = new Set<string>();

/**
 * The storm scenario's waits all get the longest deadline settings allow (1440 virtual minutes, 86 s of
 * real time at x1000): the SDKs back off in real time, each second of it 17 virtual minutes, so under
 * machine load a storm could otherwise exhaust a wait that the scenario means to succeed. The scenarios
 * after it restore the usual e2e deadlines, as their failures depend on them.
 */
const STORM_DEADLINES = Object.fromEntries(
  ["GATEWAY", "PROVIDER", "CONNECTION", "DEPROVISION", "DRG", "VERIFICATION", "GATEWAY_SUBNET"].map((wait) => [
    `${wait}_DEADLINE_MINUTES`,
    "1440",
  ]),
);
const USUAL_DEADLINES = Object.fromEntries(
  ["GATEWAY", "PROVIDER", "CONNECTION", "DEPROVISION", "DRG", "VERIFICATION", "GATEWAY_SUBNET"].map((wait) => [
    `${wait}_DEADLINE_MINUTES`,
    "240",
  ]),
);

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000, settings: STORM_DEADLINES });
}, 240_000);
afterEach(async () => {
  await stack.cleanUp(created);
  created.clear();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

const finished = (r: Json) => r.state === "active" || r.state === "failed" || r.state === "deleted";

async function provision(name: string, body: Json = spec(name, { allocateBgp: true })): Promise<Json> {
  created.add(name);
  const res = await stack.api("POST", "interconnects", body);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  return stack.waitForRecord(name, finished, 90_000);
}

async function teardown(name: string): Promise<Json> {
  const res = await stack.api("DELETE", `interconnects/${name}`);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  return stack.waitForRecord(
    name,
    (r) => r.state === "deleted" || (r.state === "failed" && r.currentOperation?.kind === "teardown"),
    90_000,
  );
}

const emptyClouds = () =>
  stack.waitForClouds("nothing left on either cloud", (inv) => JSON.stringify(counts(inv)) === JSON.stringify(NOTHING), 60_000);

describe("transient cloud failures", () => {
  it("provisions and tears down through a throttling storm and 5xx bursts, creating nothing twice", async () => {
    await stack.faults("PUT", { operations: { "*": { throttleRate: 0.15, errorRate: 0.1, retryAfterSeconds: 0 } } });
    try {
      const record = await provision("storm-net");
      expect(record.failure).toBeNull();
      expect(record.state).toBe("active");
      expect(counts(await stack.waitForClouds("the interconnect", () => true))).toEqual(ONE_INTERCONNECT);
      // Throttling and 5xx the run outlasted are expected waits ("retrying"), never "failed" rows.
      const audit = (await stack.api("GET", "interconnects/storm-net/audit?top=1000")).json.items as {
        phase: string;
        step: string;
        message: string;
      }[];
      expect(audit.filter((row) => row.phase === "failed").map((row) => `${row.step}: ${row.message}`)).toEqual([]);
      expect((await teardown("storm-net")).state).toBe("deleted");
    } finally {
      await stack.faults("PUT", {});
    }
    await emptyClouds();
  }, 150_000);
});

describe("permanent failures end in a failed record with nothing billing", () => {
  beforeAll(async () => {
    // A catalog that (wrongly) claims London serves us-ashburn-1: the provider will reject that circuit's key.
    const rows = catalog.map((row) =>
      row.ociRegion === "us-ashburn-1" ? { ...row, peeringLocations: [...row.peeringLocations, "London"] } : row,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), "e2e-catalog-")), "peering-locations.json");
    writeFileSync(file, JSON.stringify(rows));
    // Short provider wait, so a provider that never answers fails within seconds of real time.
    await stack.restartHost({ ...USUAL_DEADLINES, PROVIDER_DEADLINE_MINUTES: "15", PEERING_LOCATIONS_FILE: file });
  }, 60_000);

  it("compensates when the provider never provisions (deadline): the circuit is deleted after its virtual circuit", async () => {
    await stack.faults("PUT", { providerNeverProvisions: true });
    try {
      const record = await provision("never-net");
      expect(record.state).toBe("failed");
      expect(record.failure).toMatchObject({ code: "DEADLINE_EXCEEDED" });
    } finally {
      await stack.faults("PUT", {});
    }
    await emptyClouds();
    // The order that keeps billing safe: the virtual circuit goes, Azure catches up, then the circuit.
    const steps = ((await stack.api("GET", "interconnects/never-net/audit?top=1000&order=asc")).json.items as { step: string }[]).map(
      (row) => row.step,
    );
    const deprovisioning = steps.indexOf("circuit-deprovisioning");
    expect(deprovisioning, steps.join(" ")).toBeGreaterThan(-1);
    expect(steps.lastIndexOf("virtual-circuit")).toBeLessThan(deprovisioning);
    expect(steps.lastIndexOf("circuit")).toBeGreaterThan(deprovisioning);
    // A failed provisioning can be DELETEd; the teardown finds nothing left and the name is free again.
    expect((await teardown("never-net")).state).toBe("deleted");
  }, 150_000);

  it("fails when BGP stays down, and compensates", async () => {
    await stack.faults("PUT", { bgpStaysDown: true });
    try {
      const record = await provision("bgpdown-net");
      expect(record.state).toBe("failed");
      expect(JSON.stringify(record.failure)).toMatch(/BGP|bgp|ARP|route/);
    } finally {
      await stack.faults("PUT", {});
    }
    await emptyClouds();
  }, 150_000);

  it("fails when the provider rejects the service key, and compensates", async () => {
    const body = spec("rejected-net", { allocateBgp: true });
    body.azure.peeringLocation = "London";
    const record = await provision("rejected-net", body);
    expect(record.state).toBe("failed");
    expect(JSON.stringify(record.failure)).toMatch(/FAILED/);
    await emptyClouds();
  }, 150_000);
});

describe("DELETE while a provisioning runs", () => {
  it("stops the provisioning and tears down what it had built", async () => {
    created.add("stopped-net");
    const res = await stack.api("POST", "interconnects", spec("stopped-net", { allocateBgp: true }));
    expect(res.status).toBe(202);
    await stack.waitForClouds("the circuit", (inv) => inv.circuits.length === 1);
    const del = await stack.api("DELETE", "interconnects/stopped-net?reason=changed%20our%20mind");
    expect(del.status).toBe(202);
    expect(del.json).toMatchObject({ outcome: "started", stoppedProvisioning: res.json.id });
    const record = await stack.waitForRecord("stopped-net", (r) => r.state === "deleted" || r.state === "failed", 90_000);
    expect(record.state).toBe("deleted");
    const provisioning = (await (await fetch(res.json.statusQueryGetUri)).json()) as { runtimeStatus: string };
    expect(provisioning.runtimeStatus).toBe("Terminated");
    await emptyClouds();
  }, 150_000);
});
