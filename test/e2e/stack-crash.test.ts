import { afterAll, beforeAll, expect, it } from "vitest";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * kill -9 of the whole local stack, Azurite included, several times during one teardown. Azurite saves
 * its tables and its queues each on its own every 5 s, so every kill loses writes it had acknowledged
 * (history, instance rows, the record, audit rows, queue messages), and the two stores come back from
 * different moments: a timer message consumed but its TimerFired lost, history older than the queue.
 * Whatever is lost, the teardown (or the watchdog, over a teardown left waiting on nothing) must end
 * with the record deleted and nothing billing on the clouds.
 */
let stack: E2eStack;
const SPEED = 120;
/** How often Azurite saves its tables and its queues (LokiJS autosaveInterval in azurite 3.x). */
const AZURITE_SAVE_MS = 5_000;

beforeAll(async () => {
  stack = await E2eStack.start({
    speed: SPEED,
    persistentStorage: true,
    // Every 2.5 real seconds; a stalled teardown counts as such 10 virtual minutes past its longest pause.
    settings: { WATCHDOG_SCHEDULE: "0 */5 * * * *", WATCHDOG_MARGIN_MINUTES: "10" },
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every custom status the record showed, per operation instance and per start of the stack, in the
 * order it was read. Across a kill the status can go back: Azurite restores its tables (history,
 * instance row and record alike) from its last save, and the orchestration counts on from there.
 */
class StatusWatch {
  readonly seen = new Map<string, { stepNumber: number; step: string }[]>();
  private start = 1;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(name: string) {
    this.done = (async () => {
      while (!this.stopped) {
        const res = await fetch(`${stack.url}/api/interconnects/${name}`).catch(() => undefined);
        if (res?.status === 200) {
          const op = ((await res.json()) as Json).currentOperation;
          const status = op?.customStatus;
          if (op && typeof status?.stepNumber === "number") {
            const key = `${op.instanceId} (stack start ${this.start})`;
            const list = this.seen.get(key) ?? [];
            list.push({ stepNumber: status.stepNumber, step: status.step });
            this.seen.set(key, list);
          }
        }
        await sleep(150);
      }
    })();
  }

  restarted(): void {
    this.start++;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  /** Each instance's step numbers (within one start of the stack) that were lower than one read before. */
  backwards(): string[] {
    return [...this.seen].flatMap(([id, list]) =>
      list.flatMap((s, i) => {
        const before = Math.max(...list.slice(0, i).map((p) => p.stepNumber));
        return i > 0 && s.stepNumber < before ? [`${id}: ${s.step} ${s.stepNumber} after ${before}`] : [];
      }),
    );
  }
}

it("tears down to deleted with nothing billing although the whole stack is killed three times on the way", async () => {
  expect((await stack.api("POST", "interconnects", spec())).status).toBe(202);
  const active = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(active.state).toBe("active");
  const built = active.resources;

  expect((await stack.api("DELETE", "interconnects/erp-prod")).json).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started" });
  const deleteAnswered = Date.now();
  const watch = new StatusWatch("erp-prod");
  // 1. Half-way: the connection gone, the circuit chain and the gateway's deletion under way; and the
  // DELETE itself saved by Azurite (a request answered within its last 5 s can be lost whole, see README).
  await stack.waitForClouds("the connection removed", (inv) => inv.connections.length === 0, 60_000);
  await sleep(Math.max(1_500, deleteAnswered + AZURITE_SAVE_MS + 1_000 - Date.now()));
  await stack.killStorageAndHost();
  watch.restarted();
  await stack.restartStorageAndHost();
  // 2. Soon after the restart, before Azurite saved what the resumed teardown did since.
  await sleep(2_000);
  await stack.killStorageAndHost();
  watch.restarted();
  await stack.restartStorageAndHost();
  // 3. Once more, a few seconds on.
  await sleep(4_000);
  await stack.killStorageAndHost();
  watch.restarted();
  await stack.restartStorageAndHost();

  const done = await stack.waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed", 180_000);
  await watch.stop();
  expect(done.failure).toBeNull();
  expect(done.state).toBe("deleted");
  expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);
  // The deleted record keeps every id it had while active, as history.
  expect(done.lastKnownResources).toMatchObject({
    circuitId: built.circuitId,
    gatewayId: built.gatewayId,
    virtualCircuitId: built.virtualCircuitId,
    drgId: built.drgId,
    connectionId: built.connectionId,
  });
  expect(watch.backwards()).toEqual([]);
}, 420_000);

it("keeps the circuit's id on a deleted record when a DELETE stopped the provisioning right after the circuit was created", async () => {
  // The virtual circuit's create takes 3 real seconds: the DELETE lands while the circuit exists and the run is still in step 5.
  await stack.faults("PUT", { operations: { "oci:POST virtualCircuits": { latencyMs: 3_000 } } });
  expect((await stack.api("POST", "interconnects", spec("erp-stop", { allocateBgp: true }))).status).toBe(202);
  const inv = await stack.waitForClouds("the circuit created", (i) => i.circuits.length === 1, 120_000);
  const circuitId = inv.circuits[0]!.id;
  const stopped = await stack.api("DELETE", "interconnects/erp-stop");
  expect(stopped.json).toMatchObject({ outcome: "started", stoppedProvisioning: "provision-erp-stop-1" });
  await stack.faults("PUT", {});

  const done = await stack.waitForRecord("erp-stop", (r) => r.state === "deleted" || r.state === "failed", 180_000);
  expect(done.state).toBe("deleted");
  expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);
  expect(done.lastKnownResources.circuitId?.toLowerCase()).toBe(circuitId.toLowerCase());
  expect(done.lastKnownResources).toMatchObject({ gatewayId: expect.any(String), drgId: expect.any(String) });
}, 300_000);

it("a DELETE answered just before the kill is kept or lost whole; sent again, as the README says, it tears down to deleted", async () => {
  expect((await stack.api("POST", "interconnects", spec("erp-again", { allocateBgp: true }))).status).toBe(202);
  const active = await stack.waitForRecord("erp-again", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(active.state).toBe("active");
  expect((await stack.api("DELETE", "interconnects/erp-again")).status).toBe(202);
  await sleep(300);
  await stack.killStorageAndHost();
  await stack.restartStorageAndHost();

  // Azurite may or may not have saved the DELETE's writes: a record back in an earlier state lost it.
  const after = (await stack.api("GET", "interconnects/erp-again")).json;
  if (after.state !== "tearing-down" && after.state !== "deleted") {
    // The provisioning may have been replayed from before it finished, and then waits (up to its verification
    // deadline) for what the lost teardown already removed: the DELETE is sent again at once, as the README
    // says; it stops that provisioning and tears down from the clouds' real state.
    const again = await stack.api("DELETE", "interconnects/erp-again");
    expect(again.status, JSON.stringify(after)).toBe(202);
  }
  const done = await stack.waitForRecord("erp-again", (r) => r.state === "deleted" || r.state === "failed", 180_000);
  expect(done.failure).toBeNull();
  expect(done.state).toBe("deleted");
  expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);
}, 420_000);
