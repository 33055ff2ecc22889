import type { NetworkManagementClient } from "@azure/arm-network";
import type * as core from "oci-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulators } from "../../../src/local/emulators";
import { type CrossCloud, POLL, RG, admin, provision, startCrossCloud, waitFor } from "./cross-cloud";

/**
 * A bandwidth and SKU change of a provisioned interconnect, through the two real SDKs (day2-operations.md
 * §3): the circuit first (increase only; UnlimitedData never back to MeteredData; a full port fails the
 * update), the provider's view of the key follows it, then the virtual circuit's shape, which must match
 * the circuit and never decreases; tags by PATCH on Azure and by update on OCI.
 */
let cloud: CrossCloud;
let emu: RunningEmulators;
let arm: NetworkManagementClient;
let oci: core.VirtualNetworkClient;
let ids: Awaited<ReturnType<typeof provision>>;

beforeAll(async () => {
  cloud = await startCrossCloud();
  ({ emu, arm, oci } = cloud);
  ids = await provision(cloud);
}, 60_000);
afterAll(async () => {
  await cloud?.close();
});

const circuit = () => arm.expressRouteCircuits.get(RG, "er-erp-prod");
const vc = async () => (await oci.getVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId })).virtualCircuit;
const keyShape = async () =>
  (
    await oci.getFastConnectProviderServiceKey({
      providerServiceId: emu.oci.providerServiceId,
      providerServiceKeyName: ids.serviceKey,
    })
  ).fastConnectProviderServiceKey.bandwidthShapeName;

async function putCircuit(changes: { bandwidthInMbps?: number; tier?: string; family?: string }) {
  const c = await circuit();
  const tier = changes.tier ?? c.sku?.tier ?? "Standard";
  const family = changes.family ?? c.sku?.family ?? "MeteredData";
  return arm.expressRouteCircuits.beginCreateOrUpdateAndWait(
    RG,
    "er-erp-prod",
    {
      ...c,
      sku: { name: `${tier}_${family}`, tier: tier as "Standard", family: family as "MeteredData" },
      serviceProviderProperties: {
        ...c.serviceProviderProperties,
        bandwidthInMbps: changes.bandwidthInMbps ?? c.serviceProviderProperties?.bandwidthInMbps,
      },
    },
    POLL,
  );
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; serviceCode?: string; message: string };
  }
  throw new Error("expected a refusal");
};

describe("a change in place on both emulated clouds", () => {
  it("refuses a virtual circuit shape the circuit does not have yet, then follows a circuit increase", async () => {
    const early = await errorOf(
      oci.updateVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId, updateVirtualCircuitDetails: { bandwidthShapeName: "2 Gbps" } }),
    );
    expect(early.statusCode).toBe(400);
    expect(early.message).toMatch(/does not match the ExpressRoute circuit's bandwidth of 1000 Mbps/);

    const updated = await putCircuit({ bandwidthInMbps: 2000 });
    expect(updated).toMatchObject({ provisioningState: "Succeeded", serviceProviderProperties: { bandwidthInMbps: 2000 } });
    // The provider-made peering is still there after the GET + PUT.
    expect((await circuit()).peerings?.map((p) => p.name)).toEqual(["AzurePrivatePeering"]);
    expect(await keyShape()).toBe("2 Gbps");

    const { virtualCircuit } = await oci.updateVirtualCircuit({
      virtualCircuitId: ids.virtualCircuitId,
      updateVirtualCircuitDetails: { bandwidthShapeName: "2 Gbps" },
    });
    expect(virtualCircuit).toMatchObject({ bandwidthShapeName: "2 Gbps", lifecycleState: "PROVISIONING", bgpSessionState: "DOWN" });
    await waitFor(async () => {
      const now = await vc();
      return now.lifecycleState === "PROVISIONED" && now.bgpSessionState === "UP" ? now : undefined;
    }, "the virtual circuit PROVISIONED at 2 Gbps with BGP UP");
    const arp = await arm.expressRouteCircuits.beginListArpTableAndWait(RG, "er-erp-prod", "AzurePrivatePeering", "primary", POLL);
    expect(arp.value?.some((e) => e.ipAddress === "192.168.100.1")).toBe(true);
  }, 30_000);

  it("refuses a decrease on both sides", async () => {
    const azure = await errorOf(putCircuit({ bandwidthInMbps: 1000 }));
    expect(azure).toMatchObject({ statusCode: 400, code: "CircuitBandwidthDecreaseNotAllowed" });
    const ociSide = await errorOf(
      oci.updateVirtualCircuit({ virtualCircuitId: ids.virtualCircuitId, updateVirtualCircuitDetails: { bandwidthShapeName: "1 Gbps" } }),
    );
    expect(ociSide.statusCode).toBe(400);
    expect(ociSide.message).toMatch(/cannot be decreased/);
    expect((await circuit()).serviceProviderProperties?.bandwidthInMbps).toBe(2000);
  });

  it("takes Standard → Premium and MeteredData → UnlimitedData, never UnlimitedData → MeteredData", async () => {
    expect((await putCircuit({ tier: "Premium", family: "UnlimitedData" })).sku).toEqual({
      name: "Premium_UnlimitedData",
      tier: "Premium",
      family: "UnlimitedData",
    });
    const back = await errorOf(putCircuit({ family: "MeteredData" }));
    expect(back).toMatchObject({ statusCode: 400, code: "CircuitSkuFamilyChangeNotAllowed" });
    const local = await errorOf(putCircuit({ tier: "Local" }));
    expect(local).toMatchObject({ statusCode: 400, code: "CircuitSkuTierChangeNotAllowed" });
    expect((await putCircuit({ tier: "Standard" })).sku?.name).toBe("Standard_UnlimitedData");
  });

  it("puts tags with PATCH on the circuit and with an update on the virtual circuit", async () => {
    const tagged = await arm.expressRouteCircuits.updateTags(RG, "er-erp-prod", { tags: { "cost-center": "cc-42" } });
    expect(tagged.tags).toEqual({ "cost-center": "cc-42" });
    expect((await circuit()).provisioningState).toBe("Succeeded");
    const { virtualCircuit } = await oci.updateVirtualCircuit({
      virtualCircuitId: ids.virtualCircuitId,
      updateVirtualCircuitDetails: { freeformTags: { "cost-center": "cc-42" } },
    });
    expect(virtualCircuit).toMatchObject({ freeformTags: { "cost-center": "cc-42" }, lifecycleState: "PROVISIONED" });
  });

  it("fails an increase on a full port, leaving the circuit Failed at its old bandwidth, until a refresh", async () => {
    expect((await admin(emu, "PATCH", "/admin/faults", { circuitCapacityExhausted: true })).body).toMatchObject({
      circuitCapacityExhausted: true,
    });
    const full = await errorOf(putCircuit({ bandwidthInMbps: 5000 }));
    expect(full.message).toMatch(/lacks the capacity for 5000 Mbps/);
    expect(await circuit()).toMatchObject({ provisioningState: "Failed", serviceProviderProperties: { bandwidthInMbps: 2000 } });
    // Oracle's side is not the ARM emulator's to fault.
    expect((await admin(emu, "PATCH", "/admin/faults", { bgpStaysDown: true })).status).toBe(400);
    await admin(emu, "PATCH", "/admin/faults", { circuitCapacityExhausted: false });
    // The documented refresh: GET + PUT of the unchanged circuit.
    expect((await putCircuit({})).provisioningState).toBe("Succeeded");
  });
});
