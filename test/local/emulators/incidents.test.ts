import type { NetworkManagementClient } from "@azure/arm-network";
import type * as core from "oci-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulators } from "../../../src/local/emulators";
import { type CrossCloud, POLL, RG, type ProvisionedIds, admin, isNotFound, provision, startCrossCloud, waitFor } from "./cross-cloud";

/**
 * Day-2 incidents (POST /admin/incidents) on a whole interconnect, observed only through the real SDK
 * clients as the health watch reads them. One interconnect serves the file: each case undoes what it
 * broke, or breaks something later cases do not read.
 */
let cloud: CrossCloud;
let emu: RunningEmulators;
let arm: NetworkManagementClient;
let oci: core.VirtualNetworkClient;
let ids: ProvisionedIds;

beforeAll(async () => {
  cloud = await startCrossCloud();
  ({ emu, arm, oci } = cloud);
  ids = await provision(cloud);
});

afterAll(async () => {
  await cloud.close();
});

const incident = (body: Record<string, unknown>) => admin(emu, "POST", "/admin/incidents", body);
const arp = async (path: string) =>
  (await arm.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", path, POLL)).value ?? [];
const summary = async (path: string) =>
  (await arm.expressRouteCircuits.beginListRoutesTableSummaryAndWait(RG, "er-erp-prod", "AzurePrivatePeering", path, POLL)).value ?? [];
const virtualCircuit = async () => (await oci.getVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId })).virtualCircuit;

async function drgRules(): Promise<core.models.DrgRouteRule[]> {
  const { drgAttachment } = await oci.getDrgAttachment({ drgAttachmentId: ids.attachmentId });
  expect(drgAttachment.drgRouteTableId).toMatch(/^ocid1\.drgroutetable\./);
  return (await oci.listDrgRouteRules({ drgRouteTableId: drgAttachment.drgRouteTableId ?? "" })).items;
}

describe("emulator incidents, seen through the real SDKs", () => {
  it("refuses an unknown kind, a missing field and an unknown resource, naming them", async () => {
    const unknown = await incident({ kind: "meteorStrike" });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain("pathDown");
    const missing = await incident({ kind: "pathDown", virtualCircuitId: ids.virtualCircuitId });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain("path");
    const absent = await incident({ kind: "circuitFailed", circuitId: `${ids.circuitId}-nope` });
    expect(absent.status).toBe(404);
  });

  it("takes one BGP path down while the other and the virtual circuit stay up; both down is BGP DOWN", async () => {
    expect((await incident({ kind: "pathDown", virtualCircuitId: ids.virtualCircuitId, path: "secondary" })).status).toBe(200);
    expect((await arp("secondary")).map((e) => e.interface)).toEqual(["Microsoft"]);
    expect((await summary("secondary"))[0]?.statePfxRcd).toBe("Idle");
    expect((await arp("primary")).map((e) => e.interface)).toEqual(["On-Prem", "Microsoft"]);
    expect((await summary("primary"))[0]?.statePfxRcd).toBe("1");
    expect((await virtualCircuit()).bgpSessionState).toBe("UP");

    await incident({ kind: "pathDown", virtualCircuitId: ids.virtualCircuitId, path: "primary" });
    expect((await virtualCircuit()).bgpSessionState).toBe("DOWN");
    expect((await summary("primary"))[0]?.statePfxRcd).toBe("Idle");

    await incident({ kind: "pathUp", virtualCircuitId: ids.virtualCircuitId, path: "primary" });
    await incident({ kind: "pathUp", virtualCircuitId: ids.virtualCircuitId, path: "secondary" });
    expect((await virtualCircuit()).bgpSessionState).toBe("UP");
    expect((await summary("secondary"))[0]?.statePfxRcd).toBe("1");
  });

  it("shows the VNet prefixes Azure advertises as VIRTUAL_CIRCUIT rules in the DRG, a grown address space too", async () => {
    expect((await drgRules()).map((r) => [r.destination, r.routeProvenance])).toEqual([["10.10.0.0/16", "VIRTUAL_CIRCUIT"]]);
    const grown = await incident({ kind: "virtualNetworkPrefixAdded", virtualNetworkId: emu.arm.virtualNetworkId, prefix: "10.11.0.0/16" });
    expect(grown.status).toBe(200);
    expect((await arm.virtualNetworks.get(RG, "vnet-erp")).addressSpace?.addressPrefixes).toEqual(["10.10.0.0/16", "10.11.0.0/16"]);
    expect((await drgRules()).map((r) => r.destination)).toEqual(["10.10.0.0/16", "10.11.0.0/16"]);
    // The VCN's route table knows nothing of it: only the rule the interconnect added.
    expect((await oci.getRouteTable({ rtId: emu.oci.routeTableId })).routeTable.routeRules.map((r) => r.destination)).toEqual([
      "10.10.0.0/16",
    ]);
  });

  it("removes a VCN route rule outside the service", async () => {
    await incident({ kind: "routeRuleRemoved", routeTableId: emu.oci.routeTableId, destination: "10.10.0.0/16" });
    expect((await oci.getRouteTable({ rtId: emu.oci.routeTableId })).routeTable.routeRules).toEqual([]);
  });

  it("fails the circuit and the connection; the GET+PUT refresh brings both back", async () => {
    await incident({ kind: "circuitFailed", circuitId: ids.circuitId });
    const failed = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
    expect(failed.provisioningState).toBe("Failed");
    const refreshed = await arm.expressRouteCircuits.beginCreateOrUpdateAndWait(RG, "er-erp-prod", failed, POLL);
    expect(refreshed.provisioningState).toBe("Succeeded");
    expect(refreshed.serviceProviderProvisioningState).toBe("Provisioned");

    await incident({ kind: "connectionFailed", connectionId: ids.connectionId });
    const conn = await arm.virtualNetworkGatewayConnections.get(RG, "conn-erp-prod");
    expect([conn.provisioningState, conn.connectionStatus]).toEqual(["Failed", "NotConnected"]);
    expect(await drgRules()).toEqual([]);
    await arm.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(RG, "conn-erp-prod", conn, POLL);
    await waitFor(
      async () =>
        (await arm.virtualNetworkGatewayConnections.get(RG, "conn-erp-prod")).connectionStatus === "Connected" ? true : undefined,
      "Connected again",
    );
  });

  it("fails the virtual circuit (BGP DOWN, no peer in the ARP table) until it is recovered", async () => {
    await incident({ kind: "virtualCircuitFailed", virtualCircuitId: ids.virtualCircuitId });
    expect(await virtualCircuit()).toMatchObject({ lifecycleState: "FAILED", bgpSessionState: "DOWN" });
    expect((await arp("primary")).map((e) => e.interface)).toEqual(["Microsoft"]);
    await incident({ kind: "virtualCircuitRecovered", virtualCircuitId: ids.virtualCircuitId });
    expect(await virtualCircuit()).toMatchObject({ lifecycleState: "PROVISIONED", bgpSessionState: "UP" });
  });

  it("deletes the connection outside the service: circuit and BGP stay green, the DRG loses the VNet routes", async () => {
    await incident({ kind: "connectionDeleted", connectionId: ids.connectionId });
    const gone = await arm.virtualNetworkGatewayConnections.get(RG, "conn-erp-prod").catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
    expect((await arm.expressRouteCircuits.get(RG, "er-erp-prod")).serviceProviderProvisioningState).toBe("Provisioned");
    expect((await summary("primary"))[0]?.statePfxRcd).toBe("1");
    expect(await drgRules()).toEqual([]);
  });

  it("detaches the DRG attachment and deprovisions on the provider side behind the service's back", async () => {
    await incident({ kind: "drgAttachmentDetached", drgAttachmentId: ids.attachmentId });
    await waitFor(async () => {
      try {
        return (await oci.getDrgAttachment({ drgAttachmentId: ids.attachmentId })).drgAttachment.lifecycleState === "DETACHED"
          ? true
          : undefined;
      } catch (e) {
        if (isNotFound(e)) return true; // DETACHED, then gone after its retention
        throw e;
      }
    }, "DETACHED");

    await incident({ kind: "providerDeprovisioned", virtualCircuitId: ids.virtualCircuitId });
    expect((await virtualCircuit()).lifecycleState).toMatch(/TERMINATING|TERMINATED/);
    // No connection links the circuit any more, so Azure deprovisions after its lag and the peering goes.
    await waitFor(async () => {
      const c = await arm.expressRouteCircuits.get(RG, "er-erp-prod");
      return c.serviceProviderProvisioningState === "NotProvisioned" && (c.peerings ?? []).length === 0 ? true : undefined;
    }, "circuit NotProvisioned");
  });
});
