/**
 * A gateway this service built is deleted only when no connection uses it, and connections need not
 * live in the gateway's resource group: the check asks the gateway itself (ListConnections).
 */
import { describe, expect, it } from "vitest";
import type { AzureScope } from "../../src/contracts";
import { ORACLE_CIRCUIT } from "../support/oracle-circuit";
import { ensureGateway, invoke, opContext, until, useActivityEnv } from "./env";

const getEnv = useActivityEnv();
const NAME = "erp-prod";
const OTHER_RG = "rg-erp-links";

describe("azureDeleteGateway", () => {
  it("keeps the gateway while a connection in another resource group uses it, even one named like ours", async () => {
    const env = getEnv();
    const op = opContext(NAME);
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const gw = await ensureGateway(env, op, azure);
    await until(
      env,
      () => invoke(env, "azureGetGateway", { opContext: op, azure }),
      (o) => o.found && o.provisioningState === "Succeeded",
      60,
    );

    // Another team links its own circuit to our gateway from its own resource group, under our connection's name.
    env.arm.seedVirtualNetwork(OTHER_RG, { name: "vnet-links", location: "eastus", addressPrefixes: ["10.30.0.0/16"] });
    const arm = env.deps.azure.client(azure.subscriptionId);
    const circuit = await arm.expressRouteCircuits.beginCreateOrUpdateAndWait(OTHER_RG, "erc-other-team", ORACLE_CIRCUIT, {
      updateIntervalInMs: 20,
    });
    const foreign = `cn-${NAME}-er`;
    await arm.virtualNetworkGatewayConnections
      .beginCreateOrUpdateAndWait(
        OTHER_RG,
        foreign,
        { location: "eastus", connectionType: "ExpressRoute", virtualNetworkGateway1: { id: gw.gatewayId }, peer: { id: circuit.id } },
        { updateIntervalInMs: 20 },
      )
      // Its circuit is not provisioned by the provider, so the link fails; the connection still holds the gateway.
      .catch(() => undefined);
    expect((await arm.virtualNetworkGatewayConnections.get(OTHER_RG, foreign)).virtualNetworkGateway1.id).toBe(gw.gatewayId);

    const td = opContext(NAME, "teardown");
    const kept = await invoke(env, "azureDeleteGateway", { opContext: td, azure });
    expect(kept.status).toBe("in-use");
    expect(kept.message).toContain(`/resourceGroups/${OTHER_RG}/providers/Microsoft.Network/connections/${foreign}`);
    expect((await invoke(env, "azureGetGateway", { opContext: td, azure })).found).toBe(true);

    await arm.virtualNetworkGatewayConnections.beginDeleteAndWait(OTHER_RG, foreign, { updateIntervalInMs: 20 });
    expect((await invoke(env, "azureDeleteGateway", { opContext: td, azure })).status).toBe("deleting");
    await until(
      env,
      () => invoke(env, "azureDeleteGateway", { opContext: td, azure }),
      (o) => o.status === "deleted",
      60,
    );
    expect((await invoke(env, "azureGetGateway", { opContext: td, azure })).found).toBe(false);
    await until(
      env,
      () => invoke(env, "azureDeleteGatewaySubnet", { opContext: td, azure, virtualNetworkName: "vnet-erp" }),
      (o) => o.status === "deleted",
    );
  });
});
