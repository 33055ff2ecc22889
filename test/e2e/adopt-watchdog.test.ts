import { afterAll, beforeAll, expect, it } from "vitest";
import { clientsFor, provision, type CrossCloud, type ProvisionedIds } from "../local/emulators/cross-cloud";
import { inventory } from "./support/inventory";
import { E2eStack, type Json } from "./support/stack";
import { loseMessagesOf } from "./support/task-hub";

/**
 * An adopted interconnect (built by hand under names of its own) whose operations lose their durable
 * timers (the messages deleted while the host is down, as Azurite can lose them on kill -9): the
 * watchdog runs the stalled change again, which finishes it without changing anything twice, and the
 * stalled teardown again, which removes only what its owner granted, by the resources' own names.
 */
let stack: E2eStack;
let hand: CrossCloud;
let ids: ProvisionedIds;

beforeAll(async () => {
  stack = await E2eStack.start({
    speed: 300,
    settings: {
      WATCHDOG_SCHEDULE: "0 */10 * * * *",
      WATCHDOG_MARGIN_MINUTES: "10",
      HEALTH_CONTROL_PLANE_MINUTES: "30",
      HEALTH_ROUTES_MINUTES: "60",
    },
  });
  hand = clientsFor(stack.emulators);
  ids = await provision(hand, { gateway: "ergw-legacy", circuit: "er-legacy", connection: "conn-legacy" });
  const res = await stack.api("POST", "interconnects/adoptions", {
    name: "erp-legacy",
    azure: { circuitId: ids.circuitId, connectionName: "conn-legacy" },
    oci: { region: "us-ashburn-1", compartmentId: stack.emulators.oci.compartmentId, vcnId: stack.emulators.oci.vcnId },
    grant: ["connection", "virtual-circuit", "circuit"],
  });
  expect(res.status).toBe(202);
  expect((await stack.waitForInstanceEnd(res.json.statusQueryGetUri, 90_000)).runtimeStatus).toBe("Completed");
}, 300_000);
afterAll(async () => {
  hand?.oci.close();
  await stack?.close();
});

const clouds = async () => inventory(await stack.admin("GET", "state"));

/** Kill the host, lose the instance's messages, start the host again. */
async function loseTimersOf(instanceId: string): Promise<void> {
  await stack.killHost();
  // The killed host's leases lapse (HOST_LEASE_SECONDS=2): its messages are visible again, and lost here.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await loseMessagesOf(stack, instanceId)).not.toEqual([]);
}

const watchdogRows = async (instanceId: string) =>
  ((await stack.api("GET", "interconnects/erp-legacy/audit?top=1000")).json.items as Json[]).filter(
    (r) => r.step === "watchdog" && r.instanceId === instanceId,
  );

it("runs a stalled change of the adopted interconnect again, which finishes it by the virtual circuit's own id", async () => {
  await stack.faults("PATCH", { providerNeverProvisions: true });
  const res = await stack.api(
    "PATCH",
    "interconnects/erp-legacy",
    { bandwidthGbps: 2, confirmIrreversible: true },
    { "content-type": "application/merge-patch+json" },
  );
  expect(res.status).toBe(202);
  expect(res.json.id).toBe("change-erp-legacy-2");
  await stack.waitForRecord(
    "erp-legacy",
    (r) => r.currentOperation?.customStatus?.step === "virtual-circuit" && r.currentOperation.customStatus.waitingFor !== undefined,
    90_000,
  );
  await loseTimersOf("change-erp-legacy-2");
  await stack.faults("PATCH", { providerNeverProvisions: false });
  await stack.startHost();

  const record = await stack.waitForRecord(
    "erp-legacy",
    (r) => r.currentOperation?.instanceId === "change-erp-legacy-3" && ["Completed", "Failed"].includes(r.currentOperation.runtimeStatus),
    120_000,
  );
  expect(record.currentOperation.runtimeStatus).toBe("Completed");
  expect(record).toMatchObject({ state: "active", failure: null, spec: { bandwidthGbps: 2 } });
  const inv = await clouds();
  expect((inv.circuits[0]?.raw as Json).properties.serviceProviderProperties.bandwidthInMbps).toBe(2000);
  expect(inv.virtualCircuits[0]?.raw).toMatchObject({
    id: ids.virtualCircuitId,
    bandwidthShapeName: "2 Gbps",
    lifecycleState: "PROVISIONED",
  });
  expect(await watchdogRows("change-erp-legacy-2")).toMatchObject([{ details: { stalled: true, restartedAs: "change-erp-legacy-3" } }]);
}, 240_000);

it("restarts a stalled teardown of the adopted interconnect, which removes only what was granted, by the resources' own names", async () => {
  const res = await stack.api("DELETE", "interconnects/erp-legacy?reason=retire%20the%20legacy%20link");
  expect(res.status).toBe(202);
  expect(res.json.id).toBe("teardown-erp-legacy-4");
  // Waiting (on durable timers) for Azure to show the circuit deprovisioned before it is deleted.
  await stack.waitForClouds(
    "the teardown half-way",
    (inv) => inv.connections.length === 0 && inv.virtualCircuits.length === 0 && inv.circuits.length === 1,
    90_000,
  );
  await loseTimersOf("teardown-erp-legacy-4");
  await stack.startHost();

  const record = await stack.waitForRecord("erp-legacy", (r) => r.state === "deleted" || r.state === "failed", 120_000);
  expect(record.state).toBe("deleted");
  expect(record.currentOperation).toMatchObject({ kind: "teardown", instanceId: "teardown-erp-legacy-5" });
  expect(await watchdogRows("teardown-erp-legacy-4")).toMatchObject([{ details: { stalled: true, restartedAs: "teardown-erp-legacy-5" } }]);
  const inv = await clouds();
  // The hand-named circuit is gone (the restart went by "er-legacy", not a name of its own making) ...
  expect(inv.circuits).toHaveLength(0);
  expect(inv.connections).toHaveLength(0);
  expect(inv.virtualCircuits).toHaveLength(0);
  // ... and what was not granted stays: the gateway, the DRG and its attachment.
  expect(inv.gateways).toHaveLength(1);
  expect(inv.drgs).toHaveLength(1);
  expect(inv.drgAttachments).toHaveLength(1);
}, 240_000);
