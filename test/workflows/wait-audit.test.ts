import { describe, expect, it } from "vitest";
import { provisionInterconnect } from "../../src/workflows/provision";
import { runOrchestration } from "./harness";
import { cloudsWithRecord, provisionInput, PROVISION_ID } from "./fixtures";

describe("durable waits in the audit trail", () => {
  it("writes each wait's start (what, since, deadline) and its end, in orchestration time, so a timeline can shade it", async () => {
    const clouds = cloudsWithRecord();
    const run = await runOrchestration({
      orchestrator: provisionInterconnect,
      input: provisionInput(),
      instanceId: PROVISION_ID,
      activities: clouds.boundary,
    });
    expect(run.error).toBeUndefined();
    const waits = clouds.audit.filter((a) => a.event === "waiting" && a.details?.wait === "gateway");
    expect(waits.map((w) => w.step)).toEqual(["gateway-ready", "gateway-ready"]);
    const [begun, done] = waits;
    expect(begun?.details).toMatchObject({
      waitingFor: expect.stringContaining("gateway"),
      since: expect.any(String),
      deadline: expect.any(String),
    });
    expect(Date.parse(String(begun?.details?.deadline)) - Date.parse(String(begun?.details?.since))).toBe(90 * 60_000);
    expect(done?.details).toMatchObject({ outcome: "done", lastObserved: expect.any(String) });
    // the end row comes when the gateway is seen ready, after its start
    expect(Date.parse(done!.at) - Date.parse(begun!.at)).toBeGreaterThan(0);
    const provider = clouds.audit.filter((a) => a.event === "waiting" && a.details?.wait === "provider");
    expect(provider).toHaveLength(2);
    expect(provider[0]!.message).toMatch(/^waiting for virtual circuit PROVISIONED/);
  });
});
