import { describe, expect, it } from "vitest";
import { cloudsWithRecord, provisionedForTeardown, runProvision, runTeardown } from "./fixtures";

describe("durable waits in the audit trail", () => {
  it("writes each wait's start (what, since, deadline) and its end, in orchestration time, so a timeline can shade it", async () => {
    const clouds = cloudsWithRecord();
    const run = await runProvision(clouds);
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

  it("writes the removal's waits the same way (teardown and compensation), each under its own step", async () => {
    const clouds = cloudsWithRecord();
    const start = await provisionedForTeardown(clouds);
    clouds.audit.length = 0;
    const run = await runTeardown(clouds, { start });
    expect(run.error).toBeUndefined();
    const waits = clouds.audit.filter((a) => a.event === "waiting" && typeof a.details?.wait === "string");
    const byStep = (step: string) => waits.filter((w) => w.step === step);
    for (const [step, wait] of [
      ["circuit-deprovisioning", "circuitDeprovisioning"],
      ["gateway", "gatewayDeletion"],
      ["virtual-circuit", "virtualCircuitTermination"],
    ] as const) {
      const [begun, done, ...more] = byStep(step).filter((w) => w.details?.wait === wait);
      expect(more, step).toEqual([]);
      expect(begun?.details, step).toMatchObject({
        waitingFor: expect.any(String),
        since: expect.any(String),
        deadline: expect.any(String),
      });
      expect(begun?.message).toBe(`waiting for ${String(begun?.details?.waitingFor)}`);
      expect(done?.details, step).toMatchObject({
        outcome: "done",
        waitingFor: begun?.details?.waitingFor,
        lastObserved: expect.any(String),
      });
      expect(Date.parse(done!.at)).toBeGreaterThan(Date.parse(begun!.at));
      expect(Date.parse(String(begun!.details!.deadline))).toBeGreaterThan(Date.parse(String(begun!.details!.since)));
    }
    expect(byStep("circuit-deprovisioning")[0]!.message).toBe("waiting for the circuit to show NotProvisioned and no peerings");
  });
});
