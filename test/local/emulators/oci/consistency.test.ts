import * as core from "oci-core";
import { afterEach, describe, expect, it } from "vitest";
import { ociError, readyDrg, startHarness, virtualCircuitDetails, waitFor, type Harness } from "./harness";

const KEY = "0b9c5d1e-7f7a-4e38-8d0e-6a3c2c6d1f22";

describe("OCI emulator: idempotency, concurrency and state rules", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it("makes creates idempotent with opc-retry-token: same body → same resource, other body → 409 Conflict", async () => {
    h = await startHarness();
    h.azure.addCircuit(KEY);
    const drgId = await readyDrg(h);
    const details = virtualCircuitDetails(h, drgId, KEY);
    const first = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: details, opcRetryToken: "provision-erp-prod-vc" });
    const again = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: details, opcRetryToken: "provision-erp-prod-vc" });
    expect(again.virtualCircuit.id).toBe(first.virtualCircuit.id);
    const list = await h.client.listVirtualCircuits({ compartmentId: h.emu.seed.compartmentId });
    expect(list.items).toHaveLength(1);

    const other = await ociError(() =>
      h.client.createVirtualCircuit({
        createVirtualCircuitDetails: { ...details, displayName: "other" },
        opcRetryToken: "provision-erp-prod-vc",
      }),
    );
    expect(other.statusCode).toBe(409);
    expect(other.serviceCode).toBe("Conflict");

    const drgAgain = await h.client.createDrg({ createDrgDetails: { compartmentId: h.emu.seed.compartmentId }, opcRetryToken: "drg-1" });
    const drgRepeat = await h.client.createDrg({ createDrgDetails: { compartmentId: h.emu.seed.compartmentId }, opcRetryToken: "drg-1" });
    expect(drgRepeat.drg.id).toBe(drgAgain.drg.id);
  });

  it("merges route rules with etag/if-match and answers 412 NoEtagMatch for a stale etag", async () => {
    h = await startHarness();
    const drgId = await readyDrg(h);
    const rtId = h.emu.seed.routeTableId;
    const read = await h.client.getRouteTable({ rtId });
    expect(read.routeTable.routeRules).toEqual([]);
    const rule: core.models.RouteRule = {
      destination: "10.10.0.0/16",
      destinationType: core.models.RouteRule.DestinationType.CidrBlock,
      networkEntityId: drgId,
    };
    const updated = await h.client.updateRouteTable({
      rtId,
      ifMatch: read.etag,
      updateRouteTableDetails: { routeRules: [...read.routeTable.routeRules, rule] },
    });
    expect(updated.routeTable.routeRules).toEqual([{ ...rule, routeType: "STATIC" }]);
    expect(updated.etag).not.toBe(read.etag);

    const stale = await ociError(() =>
      h.client.updateRouteTable({ rtId, ifMatch: read.etag, updateRouteTableDetails: { routeRules: [] } }),
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.serviceCode).toBe("NoEtagMatch");
    expect((await h.client.getRouteTable({ rtId })).routeTable.routeRules).toHaveLength(1);

    const unknownTarget = await ociError(() =>
      h.client.updateRouteTable({
        rtId,
        updateRouteTableDetails: { routeRules: [{ ...rule, networkEntityId: "ocid1.drg.oc1.iad.aaaaaaaanothere" }] },
      }),
    );
    expect(unknownTarget.statusCode).toBe(400);
    expect(unknownTarget.message).toMatch(/routeRules\[0\]\.networkEntityId/);
  });

  it("refuses to detach or delete a DRG that route rules, attachments or virtual circuits still use (409)", async () => {
    h = await startHarness();
    const drgId = await readyDrg(h);
    const rtId = h.emu.seed.routeTableId;
    const { drgAttachment } = (await h.client.listDrgAttachments({ compartmentId: h.emu.seed.compartmentId, drgId })).items.map((a) => ({
      drgAttachment: a,
    }))[0]!;
    await h.client.updateRouteTable({
      rtId,
      updateRouteTableDetails: { routeRules: [{ destination: "10.10.0.0/16", networkEntityId: drgId }] },
    });

    const detach = await ociError(() => h.client.deleteDrgAttachment({ drgAttachmentId: drgAttachment.id }));
    expect(detach).toMatchObject({ statusCode: 409, serviceCode: "Conflict" });
    const withAttachment = await ociError(() => h.client.deleteDrg({ drgId }));
    expect(withAttachment).toMatchObject({ statusCode: 409, serviceCode: "Conflict" });
    expect(withAttachment.message).toMatch(/attachment/);

    await h.client.updateRouteTable({ rtId, updateRouteTableDetails: { routeRules: [] } });
    await h.client.deleteDrgAttachment({ drgAttachmentId: drgAttachment.id });
    await waitFor(async () => {
      const items = (await h.client.listDrgAttachments({ compartmentId: h.emu.seed.compartmentId, drgId })).items;
      return items.every((a) => a.lifecycleState === "DETACHED") ? true : undefined;
    }, "DETACHED");
    // The clock stands still between the delete and the read: TERMINATING lasts seconds of simulated time, which a loaded machine can spend between two requests.
    h.clock.pause();
    await h.client.deleteDrg({ drgId });
    expect((await h.client.getDrg({ drgId })).drg.lifecycleState).toBe("TERMINATING");
    h.clock.resume();
    await waitFor(
      async () => ((await h.client.getDrg({ drgId })).drg.lifecycleState === "TERMINATED" ? true : undefined),
      "DRG TERMINATED",
    );
  });

  it("answers 409 IncorrectState for an update of a TERMINATING virtual circuit and for attaching a DRG still PROVISIONING", async () => {
    h = await startHarness({ durations: { drgProvisioning: 24 * 60 * 60_000 } });
    const { drg } = await h.client.createDrg({ createDrgDetails: { compartmentId: h.emu.seed.compartmentId } });
    const attach = await ociError(() =>
      h.client.createDrgAttachment({
        createDrgAttachmentDetails: { drgId: drg.id, networkDetails: { type: "VCN", id: h.emu.seed.vcnId } },
      }),
    );
    expect(attach).toMatchObject({ statusCode: 409, serviceCode: "IncorrectState" });

    h.clock.advance(24 * 60 * 60_000);
    const { virtualCircuit } = await h.client.createVirtualCircuit({ createVirtualCircuitDetails: virtualCircuitDetails(h, drg.id, KEY) });
    await h.client.deleteVirtualCircuit({ virtualCircuitId: virtualCircuit.id! });
    const update = await ociError(() =>
      h.client.updateVirtualCircuit({ virtualCircuitId: virtualCircuit.id!, updateVirtualCircuitDetails: { displayName: "renamed" } }),
    );
    expect(update).toMatchObject({ statusCode: 409, serviceCode: "IncorrectState" });
  });

  it("validates bodies with 400 errors that name the field", async () => {
    h = await startHarness();
    const drgId = await readyDrg(h);
    const base = virtualCircuitDetails(h, drgId, KEY);
    const cases: [core.models.CreateVirtualCircuitDetails, RegExp][] = [
      [{ ...base, crossConnectMappings: [base.crossConnectMappings![0]!] }, /crossConnectMappings: exactly 2/],
      [
        {
          ...base,
          crossConnectMappings: [
            { customerBgpPeeringIp: "192.168.100.2/30", oracleBgpPeeringIp: "192.168.100.9/30" },
            base.crossConnectMappings![1]!,
          ],
        },
        /crossConnectMappings\[0\]: .*same block/,
      ],
      [
        {
          ...base,
          crossConnectMappings: [
            base.crossConnectMappings![0]!,
            { customerBgpPeeringIp: "192.168.100.1/29", oracleBgpPeeringIp: "192.168.100.2/29" },
          ],
        },
        /crossConnectMappings\[1\]: its block overlaps/,
      ],
      [
        {
          ...base,
          crossConnectMappings: [
            { customerBgpPeeringIp: "192.168.100.2/24", oracleBgpPeeringIp: "192.168.100.1/24" },
            base.crossConnectMappings![1]!,
          ],
        },
        /customerBgpPeeringIp: the mask must be \/28 to \/31/,
      ],
      [{ ...base, bandwidthShapeName: "3 Gbps" }, /bandwidthShapeName: must be one of 1 Gbps, 2 Gbps, 5 Gbps, 10 Gbps/],
      [{ ...base, providerServiceKeyName: undefined }, /providerServiceKeyName/],
      [{ ...base, gatewayId: "ocid1.drg.oc1.iad.aaaaaaaamissing" }, /gatewayId/],
    ];
    for (const [details, message] of cases) {
      const err = await ociError(() => h.client.createVirtualCircuit({ createVirtualCircuitDetails: details }));
      expect(err.statusCode, String(message)).toBe(400);
      expect(err.message).toMatch(message);
    }
    const unknownCompartment = await ociError(() =>
      h.client.createDrg({ createDrgDetails: { compartmentId: "ocid1.compartment.oc1..aaaaaaaanotours" } }),
    );
    expect(unknownCompartment).toMatchObject({ statusCode: 400, serviceCode: "RelatedResourceNotAuthorizedOrNotFound" });
    expect(unknownCompartment.message).toMatch(/^compartmentId/);
  });
});
