/**
 * watchdogRecover against the real store (Azurite) and the Durable HTTP API stand-in: the restart it
 * starts replaces an instance of the same id that ended without ever owning the record, which is what
 * Azurite leaves behind when a kill -9 loses the record's claim but keeps the instance.
 */
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { activityDeps } from "../../src/activities/deps";
import { fakeInstance } from "../functions/support/fake-durable-api";
import { exampleSpec } from "../support/example-spec";
import { useDurableActivityEnv } from "./env";

const durableApi = useDurableActivityEnv({ interconnects: "wdinterconnects", audit: "wdaudit" });

const instance = (instanceId: string, runtimeStatus: string) => fakeInstance("teardownInterconnect", instanceId, runtimeStatus);

describe("watchdogRecover", () => {
  it("starts the fresh teardown over a leftover instance of its id that has ended", async () => {
    const durable = durableApi();
    const repo = activityDeps().store.interconnects;
    let rec = await repo.create({ name: "erp-prod", spec: exampleSpec() as never });
    rec = await repo.transitionState("erp-prod", "provisioning", rec.etag);
    rec = await repo.transitionState("erp-prod", "active", rec.etag);
    await repo.transitionState("erp-prod", "tearing-down", rec.etag, {
      attempt: 2,
      currentOperation: { kind: "teardown", instanceId: "teardown-erp-prod-2", startedAt: new Date().toISOString() },
    });
    durable.instances.set("teardown-erp-prod-2", instance("teardown-erp-prod-2", "Running"));
    // Started once before, its claim on the record lost: it failed on a record it did not own.
    durable.instances.set("teardown-erp-prod-3", instance("teardown-erp-prod-3", "Failed"));

    const out = await activityHandlers.watchdogRecover(
      {
        opContext: { interconnect: "erp-prod", instanceId: "watchdog-1", operation: "teardown", actor: "watchdog" },
        stalledInstanceId: "teardown-erp-prod-2",
        stall: { reason: "no progress", since: "2026-12-01T00:00:00Z", detectedAt: "2026-12-01T01:00:00Z" },
        restart: {
          kind: "teardown",
          instanceId: "teardown-erp-prod-3",
          attempt: 3,
          orchestrator: "teardownInterconnect",
          input: { name: "erp-prod", reason: "restarted by the watchdog", actor: "watchdog" },
        },
      },
      durable.context({ functionName: "watchdogRecover", trigger: { type: "activityTrigger", name: "input" } }),
    );
    expect(out).toEqual({ outcome: "restarted" });
    expect(durable.starts.map((s) => s.instanceId)).toEqual(["teardown-erp-prod-3"]);
    expect(durable.instances.get("teardown-erp-prod-3")?.runtimeStatus).toBe("Running");
    expect(durable.instances.get("teardown-erp-prod-2")?.runtimeStatus).toBe("Terminated");
    expect(await repo.getOrThrow("erp-prod")).toMatchObject({ attempt: 3, currentOperation: { instanceId: "teardown-erp-prod-3" } });
  });
});
