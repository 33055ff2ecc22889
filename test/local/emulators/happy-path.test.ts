import type { RestError } from "@azure/core-rest-pipeline";
import type { NetworkManagementClient } from "@azure/arm-network";
import type * as core from "oci-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulators } from "../../../src/local/emulators";
import { type CrossCloud, POLL, RG, isNotFound, provision as provisionOn, startCrossCloud, waitFor } from "./cross-cloud";

/**
 * The whole interconnect across both emulators, driven only through the two real SDKs, as the app
 * drives them: the provider link between the clouds is the emulators' own business.
 */
let cloud: CrossCloud;
let emu: RunningEmulators;
let arm: NetworkManagementClient;
let oci: core.VirtualNetworkClient;

beforeEach(async () => {
  cloud = await startCrossCloud();
  ({ emu, arm, oci } = cloud);
});

afterEach(async () => {
  await cloud.close();
});

const provision = () => provisionOn(cloud);

describe("the interconnect across both emulators", () => {
  it("provisions, verifies ARP and routes, and tears down in the documented order leaving nothing behind", async () => {
    const ids = await provision();

    const arp = await arm.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", "primary", POLL);
    expect(arp.value?.find((e) => e.interface === "On-Prem")?.ipAddress).toBe("192.168.100.1");
    const routes = await arm.expressRouteCircuits.beginListRoutesTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", "secondary", POLL);
    expect(routes.value).toEqual([{ network: "10.20.0.0/16", nextHop: "192.168.100.5", locPrf: "", weight: 0, path: "31898" }]);

    // 1. connection
    await arm.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, "conn-erp-prod", POLL);
    // 2. virtual circuit, until gone
    await oci.deleteVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId });
    await waitFor(async () => {
      try {
        const vc = (await oci.getVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId })).virtualCircuit;
        return vc.lifecycleState === "TERMINATED" ? true : undefined;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    }, "virtual circuit TERMINATED");
    // 3. Azure catches up after its lag: NotProvisioned and no peering; only then the circuit can go.
    await waitFor(async () => {
      const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
      return c.serviceProviderProvisioningState === "NotProvisioned" && (c.peerings ?? []).length === 0 ? true : undefined;
    }, "circuit NotProvisioned");
    await arm.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL);
    // 4. what was created for it: route rule, attachment, DRG, gateway.
    const table = await oci.getRouteTable({ rtId: emu.oci.routeTableId });
    await oci.updateRouteTable({
      rtId: emu.oci.routeTableId,
      ifMatch: table.etag,
      updateRouteTableDetails: { routeRules: table.routeTable.routeRules.filter((r) => r.networkEntityId !== ids.drgId) },
    });
    await oci.deleteDrgAttachment({ drgAttachmentId: ids.attachmentId });
    await waitFor(async () => {
      try {
        const a = (await oci.getDrgAttachment({ drgAttachmentId: ids.attachmentId })).drgAttachment;
        return a.lifecycleState === "DETACHED" ? true : undefined;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    }, "attachment DETACHED");
    await oci.deleteDrg({ drgId: ids.drgId });
    await arm.virtualNetworkGateways.beginDeleteAndWait(RG, "ergw-erp-prod", POLL);

    const leftovers: string[] = [];
    for await (const c of arm.expressRouteCircuits.list(RG)) leftovers.push(c.id ?? "");
    for await (const c of arm.virtualNetworkGatewayConnections.list(RG)) leftovers.push(c.id ?? "");
    for await (const g of arm.virtualNetworkGateways.list(RG)) leftovers.push(g.id ?? "");
    expect(leftovers).toEqual([]);
    expect((await oci.getRouteTable({ rtId: emu.oci.routeTableId })).routeTable.routeRules).toEqual([]);
    await waitFor(async () => {
      const drgs = (await oci.listDrgs({ compartmentId: emu.oci.compartmentId })).items;
      return drgs.every((d) => d.lifecycleState === "TERMINATED") ? true : undefined;
    }, "DRG TERMINATED");
  });

  it("in the wrong order (virtual circuit first) leaves the circuit Failed and undeletable", async () => {
    const ids = await provision();
    await oci.deleteVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId });
    const circuit = await waitFor(async () => {
      const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
      return c.provisioningState === "Failed" ? c : undefined;
    }, "circuit Failed");
    expect(circuit.serviceProviderProvisioningState).toBe("Provisioned");
    const err = (await arm.expressRouteCircuits.beginDeleteAndWait(RG, "er-erp-prod", POLL).catch((e: unknown) => e)) as RestError;
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe("ConflictError");
  });
});
