import { afterAll, beforeAll, expect, it } from "vitest";
import { counts, inventory, NOTHING, ONE_INTERCONNECT } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack } from "./support/stack";

/**
 * The host is killed (-9) in the middle of a provisioning and of a teardown, and started again on the
 * same Azurite: the orchestrations resume from their history and finish, and no cloud resource exists
 * twice. A slower clock than the other e2e files, so that "the middle" lasts long enough to hit.
 */
let stack: E2eStack;

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 300 });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const clouds = async () => inventory(await stack.admin("GET", "state"));

it("resumes a provisioning after the host is killed while it waits on the clouds, creating nothing twice", async () => {
  const res = await stack.api("POST", "interconnects", spec());
  expect(res.status).toBe(202);
  // The circuit bills from here on and the gateway is still deploying: the most expensive moment to crash.
  await stack.waitForClouds("the circuit and the gateway deployment", (inv) => inv.circuits.length === 1 && inv.gateways.length === 1);
  const running = (await stack.api("GET", "interconnects/erp-prod")).json;
  expect(running).toMatchObject({
    state: "provisioning",
    currentOperation: { instanceId: "provision-erp-prod-1", runtimeStatus: "Running" },
  });
  expect(running.currentOperation.customStatus).toMatchObject({
    step: expect.any(String),
    stepNumber: expect.any(Number),
    totalSteps: expect.any(Number),
  });
  await stack.killHost();
  const during = await clouds();
  expect(during.gateways[0]?.state).not.toBe("Succeeded");

  await stack.startHost();
  const record = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 90_000);
  expect(record.failure).toBeNull();
  expect(record.state).toBe("active");
  expect(counts(await clouds())).toEqual(ONE_INTERCONNECT);
  const status = await stack.waitForInstanceEnd(res.json.statusQueryGetUri);
  expect(status.runtimeStatus).toBe("Completed");
}, 150_000);

it("resumes a teardown after the host is killed half-way, leaving nothing behind", async () => {
  const res = await stack.api("DELETE", "interconnects/erp-prod");
  expect(res.status).toBe(202);
  // Connection and virtual circuit gone, the circuit still waiting for the provider to deprovision it.
  await stack.waitForClouds(
    "the teardown half-way",
    (inv) => inv.connections.length === 0 && inv.virtualCircuits.length === 0 && inv.circuits.length === 1,
  );
  await stack.killHost();
  await stack.startHost();
  const record = await stack.waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed", 90_000);
  expect(record.failure).toBeNull();
  expect(record.state).toBe("deleted");
  expect(counts(await clouds())).toEqual(NOTHING);
}, 150_000);
