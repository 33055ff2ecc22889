/**
 * The watchdog's timer starts one round at a time: an occurrence while the previous round still runs
 * is skipped (at most MAX_SKIPS in a row, so a stuck round holds up the next only so long).
 */
import type { Timer } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SKIPS, watchdogTimerHandler } from "../../src/functions/watchdog-timer";
import { startFakeDurableApi, type FakeDurableApi } from "./support/fake-durable-api";
import { testDeps } from "./support/harness";

let durable: FakeDurableApi;
beforeAll(async () => {
  durable = await startFakeDurableApi();
});
afterAll(async () => {
  await durable.close();
});

const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } } as Timer;

describe("the watchdog timer", () => {
  it("skips an occurrence while its previous round runs, starts again once it ended, and never waits on a stuck round for ever", async () => {
    const deps = testDeps("UseDevelopmentStorage=true");
    const tick = watchdogTimerHandler(() => deps, 15);
    const occurrence = () =>
      tick(timer, durable.context({ functionName: "watchdogTimer", trigger: { type: "timerTrigger", name: "timer" } }));

    await occurrence();
    expect(durable.starts).toHaveLength(1);
    const first = durable.starts[0]!;
    expect(first.instanceId).toMatch(/^watchdog-/);

    // Still running: the next occurrences start nothing...
    for (let i = 0; i < MAX_SKIPS; i++) await occurrence();
    expect(durable.starts).toHaveLength(1);
    // ...up to MAX_SKIPS in a row; then a round starts beside the one that looks stuck.
    await new Promise((resolve) => setTimeout(resolve, 2));
    await occurrence();
    expect(durable.starts).toHaveLength(2);

    // Once the previous round has ended, the next occurrence starts one at once.
    durable.instances.get(durable.starts[1]!.instanceId)!.runtimeStatus = "Completed";
    await new Promise((resolve) => setTimeout(resolve, 2));
    await occurrence();
    expect(durable.starts).toHaveLength(3);
  });
});
