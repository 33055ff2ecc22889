import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";
import { loseMessagesOf } from "./support/task-hub";

/**
 * A teardown whose durable timer is lost (the message deleted from the task hub while the host is
 * down, as Azurite can lose it on kill -9) is Running forever with nothing to wake it. The watchdog
 * flags it stalled within its margin and starts a fresh teardown, which finishes the job.
 */
let stack: E2eStack;
const MARGIN_MINUTES = 10;
/** The e2e timing's longest pause: the gateway's first look (20 min) beats the 120 s poll interval. */
const LONGEST_PAUSE_MINUTES = 20;
const TICK_MINUTES = 10;
const SPEED = 300;

beforeAll(async () => {
  stack = await E2eStack.start({
    speed: SPEED,
    settings: { WATCHDOG_SCHEDULE: `0 */${TICK_MINUTES} * * * *`, WATCHDOG_MARGIN_MINUTES: String(MARGIN_MINUTES) },
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

it("flags a teardown that lost its timer as stalled within its margin and recovers it to deleted", async () => {
  expect((await stack.api("POST", "interconnects", spec())).status).toBe(202);
  const active = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(active.state).toBe("active");
  expect((await stack.api("DELETE", "interconnects/erp-prod")).json).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started" });

  // Waiting (on durable timers) for Azure to show the circuit deprovisioned.
  await stack.waitForClouds(
    "the teardown half-way",
    (inv) => inv.connections.length === 0 && inv.virtualCircuits.length === 0 && inv.circuits.length === 1,
  );
  const downSince = Date.now();
  await stack.killHost();
  // The killed host's leases lapse (HOST_LEASE_SECONDS=2): its messages are visible again, and lost here.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const lost = await loseMessagesOf(stack, "teardown-erp-prod-2");
  expect(lost.length).toBeGreaterThan(0);
  await stack.startHost();
  // Nothing can notice anything while the host is down: that time counts on top of the margin.
  const downMinutes = ((Date.now() - downSince) * SPEED) / 60_000;

  const done = await stack.waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed", 120_000);
  expect(done.state).toBe("deleted");
  expect(done.currentOperation).toMatchObject({ kind: "teardown", instanceId: "teardown-erp-prod-3" });
  expect(counts(inventory(await stack.admin("GET", "state")))).toEqual(NOTHING);

  const audit = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000")).json.items as Json[];
  const flagged = audit.filter((r) => r.step === "watchdog");
  expect(flagged).toHaveLength(1);
  expect(flagged[0]).toMatchObject({
    actor: "watchdog",
    instanceId: "teardown-erp-prod-2",
    details: { stalled: true, restartedAs: "teardown-erp-prod-3" },
  });
  const overdueMinutes = (Date.parse(flagged[0].details.detectedAt) - Date.parse(flagged[0].details.since)) / 60_000;
  expect(overdueMinutes).toBeGreaterThan(LONGEST_PAUSE_MINUTES + MARGIN_MINUTES);
  // Within its margin: found on the first rounds after it counted as stalled, once the host was back.
  expect(overdueMinutes).toBeLessThan(LONGEST_PAUSE_MINUTES + MARGIN_MINUTES + downMinutes + 2 * TICK_MINUTES);
  // The restarted host said which in-flight operations it picked up (the stalled one among them).
  expect(readFileSync(path.join(stack.logDir, "host-2.log"), "utf8")).toMatch(
    /Resuming \d+ in-flight orchestration\(s\): [^\n]*teardown-erp-prod-2 \(teardownInterconnect\)/,
  );
  const dead = (await (await fetch(`${stack.url}/runtime/webhooks/durabletask/instances/teardown-erp-prod-2`)).json()) as Json;
  expect(dead.runtimeStatus).toBe("Terminated");
}, 240_000);
