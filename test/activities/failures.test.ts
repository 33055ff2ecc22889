/**
 * How failures reach the orchestrator: throttling and 5xx bursts are absorbed by the SDKs' own
 * retries; what outlasts them is a retryable StepFailure; a missing prerequisite or a bad input is
 * permanent at once; deleting what is not there is "deleted"; the record refuses foreign writers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseInterconnectSpec } from "../../src/domain/spec";
import { decodeFailure, type AzureScope, type OciScope } from "../../src/contracts";
import { exampleSpec, exampleSpecBody } from "../support/example-spec";
import { exampleVirtualCircuit, invoke, opContext, useActivityEnv } from "./env";

const getEnv = useActivityEnv();

function lift(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function failureOf(run: Promise<unknown>) {
  try {
    await run;
  } catch (err) {
    return decodeFailure(err);
  }
  throw new Error("expected the activity to fail");
}

describe("activity failures", () => {
  afterEach(() => getEnv().faults.set({}));

  it("a short 429 storm is retried by the SDKs and the reads succeed", async () => {
    const env = getEnv();
    const op = opContext("storm-ok");
    const azure = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    // Warm (token, TLS session) so that the first attempts fall inside the storm on both clouds.
    await invoke(env, "azureReadVirtualNetwork", { opContext: op, azure, virtualNetworkName: "vnet-erp" });
    await invoke(env, "ociReadVcn", { opContext: op, region: env.oci.region, vcnId: env.oci.seed.vcnId });
    env.faults.set({
      operations: {
        "oci:GET vcns": { throttleRate: 1 },
        // ARM's throttling policy waits exactly Retry-After: 1 s outlasts the 150 ms storm
        "arm:GET virtualNetworks": { throttleRate: 1, retryAfterSeconds: 1 },
      },
    });
    const stop = lift(150).then(() => env.faults.set({}));
    const [vcn, vnet] = await Promise.all([
      invoke(env, "ociReadVcn", { opContext: op, region: env.oci.region, vcnId: env.oci.seed.vcnId }),
      invoke(env, "azureReadVirtualNetwork", {
        opContext: op,
        azure: { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup },
        virtualNetworkName: "vnet-erp",
      }),
    ]);
    await stop;
    expect(vcn.cidrBlocks).toEqual(["10.20.0.0/16"]);
    expect(vnet.addressPrefixes).toEqual(["10.10.0.0/16"]);
    // Reads are audited only when the SDK had to retry them: how often, and why (429, with ARM's Retry-After).
    const rows = (await env.deps.store.audit.list("storm-ok")).items;
    const oci = rows.find((r) => r.step === "ociReadVcn");
    const arm = rows.find((r) => r.step === "azureReadVirtualNetwork");
    expect(oci).toMatchObject({
      phase: "succeeded",
      details: { sdkRetries: expect.any(Number), sdkRetryReasons: expect.stringContaining("GET vcns 429") },
    });
    expect(arm).toMatchObject({
      phase: "succeeded",
      details: { sdkRetries: expect.any(Number), sdkRetryReasons: expect.stringContaining("GET virtualNetworks 429 (Retry-After 1 s)") },
    });
    expect(Number(oci?.details?.sdkRetries)).toBeGreaterThanOrEqual(1);
    expect(Number(arm?.details?.sdkRetries)).toBeGreaterThanOrEqual(1);
  });

  it("a read the SDK did not retry leaves no audit row", async () => {
    const env = getEnv();
    await invoke(env, "ociReadVcn", { opContext: opContext("calm-read"), region: env.oci.region, vcnId: env.oci.seed.vcnId });
    expect((await env.deps.store.audit.list("calm-read")).items).toEqual([]);
  });

  it("a 5xx burst on a create is retried with the same opc-retry-token: one DRG", async () => {
    const env = getEnv();
    const op = opContext("burst-drg");
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    env.faults.set({ operations: { "oci:POST drgs": { errorRate: 1 } } });
    const stop = lift(150).then(() => env.faults.set({}));
    const first = await invoke(env, "ociEnsureDrg", { opContext: op, oci });
    await stop;
    const again = await invoke(env, "ociEnsureDrg", { opContext: op, oci });
    expect(first.found && again.found && first.drgId === again.drgId).toBe(true);
    const named = (await env.deps.oci.client(oci.region).listDrgs({ compartmentId: oci.compartmentId })).items.filter(
      (d) => d.displayName === "drg-burst-drg",
    );
    expect(named).toHaveLength(1);
    expect((await invoke(env, "ociDeleteDrg", { opContext: opContext("burst-drg", "teardown"), oci })).status).toBe("deleting");
  });

  it("throttling that outlasts the SDK retries is a retryable failure with the cloud's request id, audited", async () => {
    const env = getEnv();
    env.faults.set({ operations: { "oci:GET vcns": { throttleRate: 1 } } });
    const failure = await failureOf(
      invoke(env, "ociReadVcn", { opContext: opContext("storm-long"), region: env.oci.region, vcnId: env.oci.seed.vcnId }),
    );
    expect(failure).toMatchObject({ code: "TooManyRequests", retryable: true, cloud: "oci", statusCode: 429 });
    expect(failure.requestId).toBeTruthy();
    const rows = await env.deps.store.audit.list("storm-long");
    // The orchestrator calls it again: an expected wait, not a failure anyone should be alerted to.
    expect(rows.items).toEqual([
      expect.objectContaining({
        step: "ociReadVcn",
        phase: "retrying",
        operation: "provision",
        details: expect.objectContaining({ code: "TooManyRequests", retryable: true }),
      }),
    ]);
    // Every attempt but the last was a retry by the SDK, each for the same reason.
    expect(rows.items[0]?.details).toMatchObject({ sdkRetries: 7, sdkRetryReasons: "GET vcns 429 ×7" });
    // The orchestrator's own retry rows land in the same phase.
    await invoke(env, "auditAppend", {
      opContext: opContext("storm-long"),
      entry: { step: "preflight", event: "retrying", message: "ociReadVcn: TooManyRequests", at: "2025-01-01T00:00:00.000Z" },
    });
    expect((await env.deps.store.audit.list("storm-long")).items.at(-1)).toMatchObject({
      step: "preflight",
      phase: "retrying",
      details: { event: "retrying" },
    });
  });

  it("a prerequisite that does not exist is a permanent NOT_FOUND naming it", async () => {
    const env = getEnv();
    const op = opContext("missing-bits");
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const vnet = await failureOf(invoke(env, "azureReadVirtualNetwork", { opContext: op, azure, virtualNetworkName: "vnet-nope" }));
    expect(vnet).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(vnet.message).toContain("vnet-nope");
    const vcnId = "ocid1.vcn.oc1.iad.aaaaaaaadoesnotexist";
    const vcn = await failureOf(invoke(env, "ociReadVcn", { opContext: op, region: env.oci.region, vcnId }));
    expect(vcn).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(vcn.message).toContain(vcnId);
    const drg = await failureOf(
      invoke(env, "ociReadDrg", {
        opContext: op,
        region: env.oci.region,
        drgId: "ocid1.drg.oc1.iad.aaaaaaaanone",
        vcnId: env.oci.seed.vcnId,
      }),
    );
    expect(drg).toMatchObject({ code: "NOT_FOUND", retryable: false });
    const vc = await failureOf(
      invoke(
        env,
        "ociEnsureVirtualCircuit",
        exampleVirtualCircuit(
          op,
          { oci: { region: env.oci.region, compartmentId: env.oci.seed.compartmentId }, azure },
          env.oci.seed.providerServiceId,
          "ocid1.drg.oc1.iad.aaaaaaaanone",
        ),
      ),
    );
    expect(vc).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(vc.message).toContain("erc-missing-bits");
    // A permanent failure stays "failed" in the audit.
    const rows = (await env.deps.store.audit.list("missing-bits")).items;
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(new Set(rows.map((r) => r.phase))).toEqual(new Set(["failed"]));
  });

  it("a bad input fails before any cloud call, naming the field", async () => {
    const env = getEnv();
    const failure = await failureOf(
      invoke(env, "azureGetCircuit", { opContext: opContext("bad-input"), azure: { subscriptionId: "not-a-guid", resourceGroup: "rg" } }),
    );
    expect(failure).toMatchObject({ code: "VALIDATION_FAILED", retryable: false });
    expect(failure.message).toContain("azure.subscriptionId");
  });

  it("deleting what was never built is deleted, on every step", async () => {
    const env = getEnv();
    const op = opContext("never-built", "teardown");
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const outcomes = await Promise.all([
      invoke(env, "azureDeleteConnection", { opContext: op, azure }),
      invoke(env, "ociDeleteVirtualCircuit", { opContext: op, oci }),
      invoke(env, "azureDeleteCircuit", { opContext: op, azure }),
      invoke(env, "ociRemoveRouteRules", { opContext: op, region: oci.region, routeTableId: env.oci.seed.routeTableId }),
      invoke(env, "ociDeleteDrgAttachment", { opContext: op, oci, vcnId: env.oci.seed.vcnId }),
      invoke(env, "ociDeleteDrg", { opContext: op, oci }),
      invoke(env, "azureDeleteGateway", { opContext: op, azure }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(7).fill("deleted"));
    const byId = await invoke(env, "ociDeleteVirtualCircuit", {
      opContext: op,
      oci,
      virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.aaaaaaaagone",
    });
    expect(byId.status).toBe("deleted");
  });

  it("the record: only the owning operation writes, transitions follow the lifecycle, resources round-trip", async () => {
    const env = getEnv();
    const name = "rec-owner";
    const spec = exampleSpec(name);
    await env.deps.store.interconnects.create({ name, spec });
    await env.deps.store.interconnects.modify(name, () => ({
      currentOperation: { kind: "provision", instanceId: "provision-rec-owner-1", startedAt: new Date().toISOString() },
    }));
    const op = opContext(name);
    const foreign = await failureOf(
      invoke(env, "recordUpdate", {
        opContext: op,
        name,
        expectedOperationId: "provision-rec-owner-9",
        patch: {},
        transitionTo: "provisioning",
      }),
    );
    expect(foreign).toMatchObject({ code: "CONFLICT", retryable: false });
    const resources = {
      circuitId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/erc-rec-owner",
      serviceKeyMasked: "1a2b3c4d-****-****-****-************",
      routedPrefixes: ["10.10.0.0/16", "10.11.0.0/16"],
      owned: { gatewaySubnet: true, gateway: true, drg: false, drgAttachment: true },
    };
    expect(
      await invoke(env, "recordUpdate", {
        opContext: op,
        name,
        expectedOperationId: op.instanceId,
        patch: { resources },
        transitionTo: "provisioning",
      }),
    ).toEqual({ state: "provisioning" });
    const bad = await failureOf(
      invoke(env, "recordUpdate", { opContext: op, name, expectedOperationId: op.instanceId, patch: {}, transitionTo: "deleted" }),
    );
    expect(bad).toMatchObject({ code: "INVALID_TRANSITION", retryable: false });
    const read = await invoke(env, "recordRead", { opContext: op, name });
    expect(read).toMatchObject({ found: true, state: "provisioning", resources, operationId: op.instanceId });
    // stored as typed JSON (what GET /api/interconnects/{name} shows), not as comma lists
    expect((await env.deps.store.interconnects.getOrThrow(name)).resources).toEqual(resources);
    const patchOnly = await invoke(env, "recordUpdate", {
      opContext: op,
      name,
      expectedOperationId: op.instanceId,
      patch: { resources: { drgId: "ocid1.drg.oc1.iad.ours" } },
    });
    expect(patchOnly).toEqual({ state: "provisioning" });
    expect((await env.deps.store.interconnects.getOrThrow(name)).resources).toEqual({ ...resources, drgId: "ocid1.drg.oc1.iad.ours" });
    const fullKey = await failureOf(
      invoke(env, "recordUpdate", {
        opContext: op,
        name,
        expectedOperationId: op.instanceId,
        patch: { resources: { serviceKeyMasked: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" } },
      }),
    );
    expect(fullKey).toMatchObject({
      code: "VALIDATION_FAILED",
      retryable: false,
      message: expect.stringContaining("patch.resources.serviceKeyMasked"),
    });
    expect(JSON.stringify(fullKey)).not.toContain("5e6f-4a7b");
    expect(await invoke(env, "recordRead", { opContext: op, name: "rec-absent" })).toEqual({ found: false });

    await invoke(env, "auditAppend", {
      opContext: op,
      entry: { step: "gateway", event: "waiting", message: "gateway Updating", at: "2025-01-01T00:00:00.000Z", details: { polls: 3 } },
    });
    const rows = (await env.deps.store.audit.list(name)).items;
    expect(rows.at(-1)).toMatchObject({
      step: "gateway",
      phase: "info",
      actor: "test@example.com",
      instanceId: op.instanceId,
      details: { polls: 3, event: "waiting" },
    });
  });

  it("the record: moving to deleted releases the interconnect's BGP blocks, and only its own", async () => {
    const env = getEnv();
    const name = "rec-release";
    const spec = parseInterconnectSpec({
      ...exampleSpecBody(name),
      bgp: { primaryPeeringCidr: "192.168.101.0/30", secondaryPeeringCidr: "192.168.101.4/30" },
    });
    const bgpPlan = {
      primary: { cidr: "192.168.101.0/30", oracleBgpPeeringIp: "192.168.101.1/30", customerBgpPeeringIp: "192.168.101.2/30" },
      secondary: { cidr: "192.168.101.4/30", oracleBgpPeeringIp: "192.168.101.5/30", customerBgpPeeringIp: "192.168.101.6/30" },
    };
    const { bgpBlocks, interconnects } = env.deps.store;
    await bgpBlocks.reserve(name, 1, ["192.168.101.0/30", "192.168.101.4/30"]);
    await bgpBlocks.reserve("rec-neighbour", 1, ["192.168.101.8/30"]);
    await interconnects.create({ name, spec, bgpPlan });
    const teardown = "teardown-rec-release-2";
    let rec = await interconnects.getOrThrow(name);
    rec = await interconnects.transitionState(name, "failed", rec.etag);
    await interconnects.transitionState(name, "tearing-down", rec.etag, {
      attempt: 2,
      currentOperation: { kind: "teardown", instanceId: teardown, startedAt: new Date().toISOString() },
    });
    const blocksOf = async (owner: string) =>
      (await bgpBlocks.list())
        .filter((r) => r.owner === owner)
        .map((r) => r.key)
        .sort();
    expect(await blocksOf(name)).toEqual(["192.168.101.0/30", "192.168.101.4/30"]);

    const op = { ...opContext(name, "teardown"), instanceId: teardown };
    expect(
      await invoke(env, "recordUpdate", { opContext: op, name, expectedOperationId: teardown, patch: {}, transitionTo: "deleted" }),
    ).toEqual({ state: "deleted" });
    expect(await blocksOf(name)).toEqual([]);
    expect(await blocksOf("rec-neighbour")).toEqual(["192.168.101.8/30"]);
    // The step retried after a crash: the record is already deleted, the release runs again harmlessly.
    expect(
      await invoke(env, "recordUpdate", { opContext: op, name, expectedOperationId: teardown, patch: {}, transitionTo: "deleted" }),
    ).toEqual({ state: "deleted" });
  });
});
