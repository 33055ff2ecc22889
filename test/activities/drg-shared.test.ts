/**
 * A DRG that another virtual circuit terminates on (another interconnect reusing it through
 * oci.drgId, or one made outside the service) is that one's path too: the live cloud is asked
 * before each removal, and our route rules to it, its VCN attachment and the DRG are kept, each
 * saying who still uses them, until that virtual circuit is gone.
 */
import { describe, expect, it } from "vitest";
import { CloudCallLog } from "../../src/clouds/call-log";
import type { OciScope } from "../../src/contracts";
import { ensureAvailableDrg, invoke, opContext, until, useActivityEnv } from "./env";

const getEnv = useActivityEnv();
const NAME = "erp-prod";

describe("removing the DRG side while another virtual circuit uses the DRG", () => {
  it("keeps the route rules, the attachment and the DRG, naming the other virtual circuit, and removes them once it is gone", async () => {
    const env = getEnv();
    const op = opContext(NAME);
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const { vcnId, routeTableId } = env.oci.seed;
    const drg = await ensureAvailableDrg(env, op, oci);
    await invoke(env, "ociEnsureDrgAttachment", { opContext: op, oci, drgId: drg.drgId, vcnId });
    await until(
      env,
      () => invoke(env, "ociGetDrgAttachment", { opContext: op, oci, vcnId }),
      (a) => a.found && a.lifecycleState === "ATTACHED",
    );
    await invoke(env, "ociEnsureRouteRules", {
      opContext: op,
      region: oci.region,
      routeTableId,
      drgId: drg.drgId,
      destinations: ["10.10.0.0/16"],
    });

    // The network team's own virtual circuit on our DRG, made outside the service.
    const sdk = env.deps.oci.network(oci.region, new CloudCallLog());
    const provider = await invoke(env, "ociReadProviderService", { opContext: op, ...oci });
    const foreign = await sdk.createPrivateVirtualCircuit(
      {
        compartmentId: oci.compartmentId,
        displayName: "vc-network-team",
        bandwidthShapeName: "1 Gbps",
        gatewayId: drg.drgId,
        providerServiceId: provider.providerServiceId,
        providerServiceKeyName: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        crossConnectMappings: [
          { customerBgpPeeringIp: "192.168.200.2/30", oracleBgpPeeringIp: "192.168.200.1/30" },
          { customerBgpPeeringIp: "192.168.200.6/30", oracleBgpPeeringIp: "192.168.200.5/30" },
        ],
      },
      "foreign-virtual-circuit",
    );

    const td = opContext(NAME, "teardown");
    const rules = await invoke(env, "ociRemoveRouteRules", {
      opContext: td,
      region: oci.region,
      routeTableId,
      compartmentId: oci.compartmentId,
    });
    expect(rules.status).toBe("in-use");
    expect(rules.message).toContain(foreign.id!);
    const ruleDescriptions = async () => ((await sdk.getRouteTable(routeTableId))?.routeTable.routeRules ?? []).map((r) => r.description);
    expect(await ruleDescriptions()).toContain(`interconnect:${NAME}`);
    const attachment = await invoke(env, "ociDeleteDrgAttachment", { opContext: td, oci, vcnId });
    expect(attachment).toMatchObject({ status: "in-use", message: expect.stringContaining(`vc-network-team (${foreign.id!})`) });
    expect(await invoke(env, "ociGetDrgAttachment", { opContext: td, oci, vcnId })).toMatchObject({
      found: true,
      lifecycleState: "ATTACHED",
    });
    const kept = await invoke(env, "ociDeleteDrg", { opContext: td, oci });
    expect(kept).toMatchObject({ status: "in-use", message: expect.stringContaining(foreign.id!) });
    expect(await invoke(env, "ociGetDrg", { opContext: td, oci })).toMatchObject({ found: true, lifecycleState: "AVAILABLE" });

    // Once the other virtual circuit is gone, everything of ours goes.
    await sdk.deleteVirtualCircuit(foreign.id!);
    await until(
      env,
      async () => String((await sdk.getVirtualCircuit(foreign.id!))?.lifecycleState ?? "gone"),
      (s) => s === "TERMINATED" || s === "gone",
    );
    expect(
      (await invoke(env, "ociRemoveRouteRules", { opContext: td, region: oci.region, routeTableId, compartmentId: oci.compartmentId }))
        .status,
    ).toBe("deleted");
    expect(await ruleDescriptions()).not.toContain(`interconnect:${NAME}`);
    await until(
      env,
      () => invoke(env, "ociDeleteDrgAttachment", { opContext: td, oci, vcnId }),
      (o) => o.status === "deleted",
    );
    await until(
      env,
      () => invoke(env, "ociDeleteDrg", { opContext: td, oci }),
      (o) => o.status === "deleted",
    );
  });
});
