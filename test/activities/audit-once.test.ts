/**
 * Activities run at least once: after a crash the host delivers the same call (same input, same
 * callKey) again. The audit keeps one row per event: a workflow row written again is dropped, and a
 * cloud step that really ran again is shown as a re-run of that call, not as a new one.
 */
import { describe, expect, it } from "vitest";
import type { OciScope } from "../../src/contracts";
import { exampleSpec } from "../support/example-spec";
import { desired } from "../support/health-fixtures";
import { invoke, opContext, useActivityEnv } from "./env";

const getEnv = useActivityEnv();

describe("audit rows of a re-delivered call", () => {
  it("writes a workflow event once, however often auditAppend runs with the same call", async () => {
    const env = getEnv();
    const op = { ...opContext("audit-once"), callKey: "2026-12-01T10:00:00.000Z#provision#7" };
    const entry = {
      step: "gateway",
      event: "started" as const,
      message: "starting the ExpressRoute gateway",
      at: "2026-12-01T10:00:00.000Z",
    };
    await invoke(env, "auditAppend", { opContext: op, entry });
    await invoke(env, "auditAppend", { opContext: op, entry });
    const rows = (await env.deps.store.audit.list("audit-once")).items;
    expect(rows.filter((r) => r.step === "gateway" && r.phase === "started")).toHaveLength(1);
  });

  it("marks a cloud step that ran again for the same call as a re-run, while the orchestrator's own retries (new calls) stay plain", async () => {
    const env = getEnv();
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const first = { ...opContext("audit-rerun"), callKey: "2026-12-01T10:00:00.000Z#provision#3" };
    await invoke(env, "ociEnsureDrg", { opContext: first, oci });
    await invoke(env, "ociEnsureDrg", { opContext: first, oci });
    await invoke(env, "ociEnsureDrg", { opContext: { ...first, callKey: "2026-12-01T10:05:00.000Z#provision#9" }, oci });
    const rows = (await env.deps.store.audit.list("audit-rerun")).items.filter((r) => r.step === "ociEnsureDrg");
    expect(rows.map((r) => r.details?.rerun === true)).toEqual([false, true, false]);
    expect(rows[1]?.message).toMatch(/^re-run after an interrupted run/);
  });

  it("writes a health transition once when healthSave is delivered again for the same call (kill -9 after the write)", async () => {
    const env = getEnv();
    const name = "audit-health";
    const store = env.deps.store.interconnects;
    let record = await store.create({ name, spec: exampleSpec(name) });
    for (const to of ["provisioning", "active"] as const) record = await store.transitionState(name, to, record.etag);
    const op = {
      ...opContext(name),
      operation: "watch" as const,
      instanceId: `health-${name}`,
      callKey: "2026-12-01T10:00:00.000Z#watch#4",
    };
    const at = "2026-12-01T10:00:00.000Z";
    const input = {
      opContext: op,
      name,
      health: { status: "healthy" as const, checkedAt: at, since: at, findings: [] },
      desired: desired(),
      transition: { to: "healthy" as const, raised: [], cleared: [] },
    };
    await invoke(env, "healthSave", input);
    await invoke(env, "healthSave", input);
    const rows = (await env.deps.store.audit.list(name)).items.filter((r) => r.step === "health");
    expect(rows).toHaveLength(1);
  });
});
