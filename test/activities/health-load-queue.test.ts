/**
 * healthLoad against the real store (Azurite): asked before a route-rule repair, it names the runs that
 * hold or wait for the turn on the interconnect's VCN (and only that VCN), so the watch can defer.
 */
import { InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { activityDeps } from "../../src/activities/deps";
import { planBgp } from "../../src/domain/bgp-plan";
import { turnNetworks } from "../../src/domain/network-queue";
import { exampleSpec } from "../support/example-spec";
import { useDurableActivityEnv } from "./env";

useDurableActivityEnv({ interconnects: "hlinterconnects", audit: "hlaudit" });

const load = (vcnQueue?: boolean) =>
  activityHandlers.healthLoad(
    { opContext: { interconnect: "erp-prod", instanceId: "health-erp-prod", operation: "watch" }, name: "erp-prod", vcnQueue },
    new InvocationContext({ functionName: "healthLoad" }),
  );

describe("healthLoad with vcnQueue", () => {
  it("lists the runs holding or waiting for the VCN's turn, and none of another VCN", async () => {
    const { interconnects, turns } = activityDeps().store;
    const spec = exampleSpec();
    let rec = await interconnects.create({
      name: "erp-prod",
      spec,
      bgpPlan: planBgp({ pool: "192.168.100.0/24", used: [], avoid: [] }),
      resources: {
        gatewayId: `/subscriptions/${spec.azure.subscriptionId}/resourceGroups/${spec.azure.resourceGroup}/providers/Microsoft.Network/virtualNetworkGateways/gw`,
        virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.vc",
        drgId: "ocid1.drg.oc1.iad.drg",
        drgAttachmentId: "ocid1.drgattachment.oc1.iad.att",
        routeTableId: "ocid1.routetable.oc1.iad.rt",
      },
    });
    rec = await interconnects.transitionState("erp-prod", "provisioning", rec.etag);
    await interconnects.transitionState("erp-prod", "active", rec.etag);
    const other = exampleSpec("erp-dr");
    await turns.join({ owner: "erp-dr", operation: "provision", instanceId: "provision-erp-dr-1", networks: turnNetworks(other) });
    const elsewhere = { ...other, oci: { ...other.oci, vcnId: "ocid1.vcn.oc1.iad.aaaaaaaaother" } };
    await turns.join({ owner: "erp-qa", operation: "teardown", instanceId: "teardown-erp-qa-2", networks: turnNetworks(elsewhere) });

    const asked = await load(true);
    expect(asked).toMatchObject({
      watching: true,
      vcnQueue: [{ owner: "erp-dr", operation: "provision", instanceId: "provision-erp-dr-1", holds: false }],
    });
    // Not asked (every check but the one before a repair): no extra read.
    expect(await load()).not.toHaveProperty("vcnQueue");
  });
});
