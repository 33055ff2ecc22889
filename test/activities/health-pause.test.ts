/**
 * healthLoad and healthSave against the real store (Azurite) and the Durable HTTP API stand-in: the
 * watch is told an operation runs on the interconnect while a change's instance runs (not while a
 * provisioning's last step starts the watch), and a check under which an operation began is not saved.
 */
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { activityDeps } from "../../src/activities/deps";
import type { InterconnectOperation } from "../../src/store";
import { exampleSpec } from "../support/example-spec";
import { useDurableActivityEnv } from "./env";

const taskHub = useDurableActivityEnv({ interconnects: "hpinterconnects", audit: "hpaudit" });

const BGP_PLAN = {
  primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
  secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
};
const RESOURCES = {
  gatewayId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw",
  virtualCircuitId: "ocid1.virtualcircuit.oc1..vc",
  drgId: "ocid1.drg.oc1..drg",
  drgAttachmentId: "ocid1.drgattachment.oc1..att",
  routeTableId: "ocid1.routetable.oc1..rt",
  routedPrefixes: ["10.10.0.0/16"],
};

async function activeWith(name: string, op: InterconnectOperation) {
  const repo = activityDeps().store.interconnects;
  let rec = await repo.create({ name, spec: { ...exampleSpec(), name } as never, bgpPlan: BGP_PLAN, resources: RESOURCES });
  rec = await repo.transitionState(name, "provisioning", rec.etag);
  rec = await repo.transitionState(name, "active", rec.etag);
  return repo.update(name, rec.etag, () => ({ currentOperation: op }));
}

const running = (instanceId: string, runtimeStatus = "Running") => {
  const now = new Date().toISOString();
  taskHub().instances.set(instanceId, {
    name: "x",
    instanceId,
    input: null,
    runtimeStatus,
    customStatus: null,
    createdTime: now,
    lastUpdatedTime: now,
  });
};
const load = (name: string) =>
  activityHandlers.healthLoad(
    { opContext: { interconnect: name, instanceId: `health-${name}`, operation: "watch" }, name },
    taskHub().context({ functionName: "healthLoad", trigger: { type: "activityTrigger", name: "input" } }),
  );
const startedAt = new Date().toISOString();

describe("the health watch and the operations on its interconnect", () => {
  it("is told a change runs while its instance runs, and not once it ended, nor while a provisioning starts the watch", async () => {
    await activeWith("hp-change", { kind: "change", instanceId: "change-hp-change-2", startedAt });
    running("change-hp-change-2");
    expect(await load("hp-change")).toMatchObject({
      watching: true,
      operationId: "change-hp-change-2",
      busy: { kind: "change", instanceId: "change-hp-change-2" },
    });
    running("change-hp-change-2", "Completed");
    expect(await load("hp-change")).not.toHaveProperty("busy");

    await activeWith("hp-provision", { kind: "provision", instanceId: "provision-hp-provision-1", startedAt });
    running("provision-hp-provision-1");
    expect(await load("hp-provision")).not.toHaveProperty("busy");
  });

  it("does not save a check under which an operation began, nor write its transition", async () => {
    await activeWith("hp-late", { kind: "provision", instanceId: "provision-hp-late-1", startedAt });
    const loaded = await load("hp-late");
    if (!loaded.watching) throw new Error("not watching");
    const repo = activityDeps().store.interconnects;
    const rec = await repo.getOrThrow("hp-late");
    await repo.update("hp-late", rec.etag, () => ({ currentOperation: { kind: "change", instanceId: "change-hp-late-2", startedAt } }));
    const at = new Date().toISOString();
    const health = { status: "down" as const, checkedAt: at, since: at, findings: [] };
    const saved = await activityHandlers.healthSave(
      {
        opContext: { interconnect: "hp-late", instanceId: "health-hp-late", operation: "watch" },
        name: "hp-late",
        health,
        desired: loaded.desired,
        operationId: loaded.operationId ?? null,
        transition: { to: "down", raised: [], cleared: [] },
      },
      taskHub().context({ functionName: "healthSave", trigger: { type: "activityTrigger", name: "input" } }),
    );
    expect(saved).toEqual({ saved: true, outdated: true });
    expect((await repo.getOrThrow("hp-late")).health).toBeUndefined();
    expect((await activityDeps().store.audit.list("hp-late")).items.filter((r) => r.step === "health")).toEqual([]);
  });
});
