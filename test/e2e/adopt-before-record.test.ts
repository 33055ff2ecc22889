import { afterAll, beforeAll, expect, it } from "vitest";
import { E2eStack, type Json } from "./support/stack";
import { loseMessagesOf } from "./support/task-hub";

/**
 * An adoption writes its record only once the whole chain is verified, so one that stalls before
 * (its activity's message lost while the host is down, as Azurite can lose it on kill -9) has no record
 * for the watchdog to scan, and a repeated POST would find it "existing" for ever. The watchdog lists
 * the task hub's running adoptions: it restarts a stalled one once under the next id; when that one
 * stalls too, it terminates it and says in the audit trail under the name (readable without a record)
 * what to do, and a repeated POST then starts a fresh adoption that finishes.
 */
let stack: E2eStack;
let circuitId: string;

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
  const seeded = await stack.admin("POST", "seed/handBuiltInterconnects", { name: "legacy" });
  circuitId = seeded.azure.circuitId;
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const adoption = () => ({
  name: "erp-legacy",
  azure: { circuitId, connectionName: "conn-legacy" },
  oci: { region: "us-ashburn-1", compartmentId: stack.emulators.oci.compartmentId, vcnId: stack.emulators.oci.vcnId },
  grant: ["connection", "virtual-circuit", "circuit"],
});

const statusOf = async (instanceId: string): Promise<Json> => {
  const res = await fetch(`${stack.url}/runtime/webhooks/durabletask/instances/${instanceId}`);
  return res.status === 404 ? undefined : res.json();
};

async function waitForStatus(instanceId: string, done: (s: Json) => boolean, timeoutMs: number): Promise<Json> {
  const until = Date.now() + timeoutMs;
  let last: Json;
  while (Date.now() < until) {
    last = await statusOf(instanceId).catch(() => undefined);
    if (last !== undefined && done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${instanceId}; last status: ${JSON.stringify(last)}; host log: ${stack.logDir}`);
}

/** Kill the host while the adoption waits on its slow circuit read, lose that activity's message, start the host again. */
async function stallInLocate(instanceId: string): Promise<void> {
  await waitForStatus(instanceId, (s) => s.runtimeStatus === "Running" && s.customStatus?.step === "locate", 60_000);
  await stack.killHost();
  // The killed host's leases lapse (HOST_LEASE_SECONDS=2): its messages are visible again, and lost here.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(await loseMessagesOf(stack, instanceId)).not.toEqual([]);
  await stack.startHost();
}

/** The watchdog's rows in the trail under the name, which answers with or without a record (404 only while it has no row at all). */
const watchdogRows = async (): Promise<Json[]> => {
  const res = await stack.api("GET", "interconnects/erp-legacy/audit?top=1000&order=asc");
  expect([200, 404]).toContain(res.status);
  return res.status === 404 ? [] : (res.json.items as Json[]).filter((r) => r.step === "watchdog");
};

async function waitForRows(count: number, timeoutMs: number): Promise<Json[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await watchdogRows();
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

it("restarts an adoption that stalled before its record once, ends the restart that stalls again in the audit trail, and takes a new POST", async () => {
  // Each read of the circuit takes 4 real seconds: long enough to kill the host in the middle of the locate step.
  await stack.faults("PUT", { operations: { "arm:GET expressRouteCircuits": { latencyMs: 4_000 } } });
  const first = await stack.api("POST", "interconnects/adoptions", adoption());
  expect(first.json).toMatchObject({ id: "adopt-erp-legacy-1", outcome: "started" });
  await stallInLocate("adopt-erp-legacy-1");

  // The watchdog finds it (no record to scan) and starts it again as the next adoption, from its own input.
  const restart = await waitForStatus("adopt-erp-legacy-2", (s) => s.runtimeStatus === "Running", 120_000);
  expect(restart.input).toMatchObject({ actor: "watchdog", request: { name: "erp-legacy" } });
  expect(await statusOf("adopt-erp-legacy-1")).toMatchObject({ runtimeStatus: "Terminated" });
  await stallInLocate("adopt-erp-legacy-2");

  // The restart stalls as well: not started a third time but ended, and said so where the user can read it without a record.
  await waitForStatus("adopt-erp-legacy-2", (s) => s.runtimeStatus === "Terminated", 120_000);
  // The row is written right after the termination is asked for.
  const rows = await waitForRows(2, 30_000);
  expect((await stack.api("GET", "interconnects/erp-legacy")).status).toBe(404);
  expect(rows).toMatchObject([
    { instanceId: "adopt-erp-legacy-1", phase: "retrying", details: { withoutRecord: true, restartedAs: "adopt-erp-legacy-2" } },
    { instanceId: "adopt-erp-legacy-2", phase: "failed", details: { ended: true, withoutRecord: true, atStep: "locate" } },
  ]);
  expect(rows[1].message).toMatch(/send the same POST \/api\/interconnects\/adoptions again/);
  expect(await statusOf("adopt-erp-legacy-3")).toBeUndefined();

  // The name is free again: the same POST starts a fresh adoption (not "existing"), which finishes.
  await stack.faults("PUT", {});
  const again = await stack.api("POST", "interconnects/adoptions", adoption());
  expect(again.json).toMatchObject({ id: "adopt-erp-legacy-3", outcome: "started" });
  expect((await stack.waitForInstanceEnd(again.json.statusQueryGetUri, 120_000)).runtimeStatus).toBe("Completed");
  const record = (await stack.api("GET", "interconnects/erp-legacy")).json;
  expect(record).toMatchObject({ state: "active", currentOperation: { kind: "adopt", instanceId: "adopt-erp-legacy-3" } });
  expect(await watchdogRows()).toHaveLength(2);
}, 420_000);
