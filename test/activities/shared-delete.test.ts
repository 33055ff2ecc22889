/**
 * The delete of a shared resource releases this interconnect's usage row and decides on it in the same
 * activity, before the cloud is asked: kept for another interconnect without a single cloud request, and
 * safe to run twice (a crash after the release, before the result was recorded): the release is not
 * lost, and what another interconnect started using meanwhile is kept. Real emulators, real Azurite.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CloudCallLog } from "../../src/clouds/call-log";
import type { AzureScope, OciScope } from "../../src/contracts";
import { routeRuleId } from "../../src/domain/sharing";
import { exampleSpec } from "../support/example-spec";
import { ensureGateway, invoke, opContext, until, useActivityEnv, type ActivityTestEnv } from "./env";

const getEnv = useActivityEnv();
const NAME = "erp-prod";
const OTHER = "erp-dr";

afterEach(() => {
  getEnv().faults.set({});
  getEnv().clock.resume();
});

/** Both interconnects have live records: a release drops a user whose record no longer uses anything. */
async function liveRecords(env: ActivityTestEnv, ...names: string[]): Promise<void> {
  for (const name of names) {
    if (!(await env.deps.store.interconnects.get(name))) await env.deps.store.interconnects.create({ name, spec: exampleSpec(name) });
  }
}

async function availableDrg(env: ActivityTestEnv, interconnect: string, oci: OciScope): Promise<string> {
  const op = opContext(interconnect);
  const drg = await invoke(env, "ociEnsureDrg", { opContext: op, oci });
  if (!drg.found) throw new Error("no DRG after ensure");
  await until(
    env,
    () => invoke(env, "ociGetDrg", { opContext: op, oci, drgId: drg.drgId }),
    (d) => d.found && d.lifecycleState === "AVAILABLE",
  );
  return drg.drgId;
}

describe("deletes of shared resources release their usage rows first (one activity)", () => {
  it("keeps a DRG another interconnect uses without asking the cloud anything, and takes this one off its row", async () => {
    const env = getEnv();
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    await liveRecords(env, NAME, OTHER);
    const drgId = await availableDrg(env, NAME, oci);
    const ref = { kind: "drg" as const, resourceId: drgId };
    await env.deps.store.usage.add(ref, NAME, NAME);
    await env.deps.store.usage.add(ref, OTHER);

    // Every OCI request fails from here: a "kept" answer proves nothing was asked of the cloud.
    env.faults.set({ operations: { "oci:*": { errorRate: 1 } } });
    const td = opContext(NAME, "teardown");
    const kept = await invoke(env, "ociDeleteDrg", { opContext: td, oci, drgId, release: [{ ...ref, createdBySelf: true }] });
    expect(kept).toMatchObject({
      status: "kept",
      message: expect.stringContaining(`interconnect(s) ${OTHER} still use it`),
      usage: [{ ...ref, sharedWith: [OTHER], createdBy: NAME }],
    });
    env.faults.set({});
    expect(await env.deps.store.usage.get(ref)).toMatchObject({ users: [OTHER], createdBy: NAME });
    expect(await invoke(env, "ociGetDrg", { opContext: td, oci, drgId })).toMatchObject({ found: true, lifecycleState: "AVAILABLE" });
  });

  it("run again after a crash: the release is kept, and a user that came meanwhile keeps the DRG", async () => {
    const env = getEnv();
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const name = "erp-crash";
    await liveRecords(env, name, OTHER);
    const drgId = await availableDrg(env, name, oci);
    const ref = { kind: "drg" as const, resourceId: drgId };
    await env.deps.store.usage.add(ref, name, name);
    const td = opContext(name, "teardown");
    const input = { opContext: td, oci, drgId, release: [{ ...ref, createdBySelf: true }] };

    // The first run released the row and died at the cloud's delete (as a host killed mid-activity would).
    env.faults.set({ operations: { "oci:DELETE drgs": { errorRate: 1 } } });
    await expect(invoke(env, "ociDeleteDrg", input)).rejects.toThrow();
    env.faults.set({});
    expect(await env.deps.store.usage.get(ref)).toMatchObject({ users: [], createdBy: name });

    // Meanwhile another interconnect started using the DRG: the run again decides on the row as it is now.
    await env.deps.store.usage.add(ref, OTHER);
    const again = await invoke(env, "ociDeleteDrg", input);
    expect(again).toMatchObject({ status: "kept", usage: [{ sharedWith: [OTHER], createdBy: name }] });
    expect(await invoke(env, "ociGetDrg", { opContext: td, oci, drgId })).toMatchObject({ found: true, lifecycleState: "AVAILABLE" });

    // Once it is gone too, the delete runs; run twice, the second finds the delete under way and changes no row.
    await env.deps.store.usage.release(ref, OTHER);
    expect((await invoke(env, "ociDeleteDrg", input)).status).toBe("deleting");
    expect(["deleting", "deleted"]).toContain((await invoke(env, "ociDeleteDrg", input)).status);
    expect(await env.deps.store.usage.get(ref)).toMatchObject({ users: [], createdBy: name });
  });

  it("removes each route rule on its own row: the one another interconnect still routes stays, run twice alike", async () => {
    const env = getEnv();
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const name = "erp-rules";
    const { vcnId, routeTableId } = env.oci.seed;
    await liveRecords(env, name, OTHER);
    const drgId = await availableDrg(env, name, oci);
    const op = opContext(name);
    await invoke(env, "ociEnsureDrgAttachment", { opContext: op, oci, drgId, vcnId });
    const [shared, own] = ["10.10.0.0/16", "10.11.0.0/16"];
    await invoke(env, "ociEnsureRouteRules", { opContext: op, region: oci.region, routeTableId, drgId, destinations: [shared!, own!] });
    const rule = (d: string) => ({ kind: "route-rule" as const, resourceId: routeRuleId(routeTableId, d, drgId) });
    await env.deps.store.usage.add(rule(shared!), name, name);
    await env.deps.store.usage.add(rule(shared!), OTHER);
    await env.deps.store.usage.add(rule(own!), name, name);

    const td = opContext(name, "teardown");
    const input = {
      opContext: td,
      region: oci.region,
      routeTableId,
      compartmentId: oci.compartmentId,
      destinations: [shared!, own!],
      drgId,
      release: [shared!, own!].map((d) => ({ ...rule(d), createdBySelf: true })),
    };
    const sdk = env.deps.oci.network(oci.region, new CloudCallLog());
    const routed = async () =>
      ((await sdk.getRouteTable(routeTableId))?.routeTable.routeRules ?? [])
        .filter((r) => r.networkEntityId === drgId)
        .map((r) => r.destination);
    for (let run = 1; run <= 2; run++) {
      const out = await invoke(env, "ociRemoveRouteRules", input);
      expect(out).toMatchObject({ status: "deleted", usage: [{ sharedWith: [OTHER] }, { sharedWith: [] }] });
      expect(await routed()).toEqual([shared]);
    }
    expect(await env.deps.store.usage.get(rule(shared!))).toMatchObject({ users: [OTHER] });
    expect(await env.deps.store.usage.get(rule(own!))).toMatchObject({ users: [], createdBy: name });
  });

  it("answers busy for a gateway whose deployment runs, asking ARM for no delete, and deletes it once it is done", async () => {
    const env = getEnv();
    const name = "erp-gw";
    const op = opContext(name);
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    await liveRecords(env, name);
    const gw = await ensureGateway(env, op, azure);
    // Its deployment takes 30 virtual minutes, a fraction of a second here: the clock stands still while it is looked at.
    env.clock.pause();
    const building = await invoke(env, "azureGetGateway", { opContext: op, azure, gatewayId: gw.gatewayId });
    expect(building.found && ["Updating", "Creating"].includes(building.provisioningState)).toBe(true);
    const ref = { kind: "gateway" as const, resourceId: gw.gatewayId };
    await env.deps.store.usage.add(ref, name, name);
    const td = opContext(name, "teardown");
    const input = { opContext: td, azure, gatewayId: gw.gatewayId, release: [{ ...ref, createdBySelf: true }] };

    // An ARM delete would fail the activity: "busy" means none was sent.
    env.faults.set({ operations: { "arm:DELETE virtualNetworkGateways": { errorRate: 1 } } });
    const busy = await invoke(env, "azureDeleteGateway", input);
    expect(busy).toMatchObject({ status: "busy", usage: [{ sharedWith: [], createdBy: name }] });
    expect(await env.deps.store.usage.get(ref)).toMatchObject({ users: [], createdBy: name });
    env.faults.set({});
    env.clock.resume();

    await until(
      env,
      () => invoke(env, "azureGetGateway", { opContext: td, azure, gatewayId: gw.gatewayId }),
      (o) => o.found && o.provisioningState === "Succeeded",
      60,
    );
    expect((await invoke(env, "azureDeleteGateway", input)).status).toBe("deleting");
  });
});
