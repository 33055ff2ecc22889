/**
 * Against both emulators: the spec's tags land on everything the activities create (under the
 * interconnect tag, which a spec cannot override), the public IP is never waited for inside an
 * activity, and the service key OCI quotes back never reaches an activity output.
 */
import { describe, expect, it } from "vitest";
import type { AzureScope, OciScope } from "../../src/contracts";
import { decodeFailure } from "../../src/contracts";
import { redactReason, virtualCircuitObservation } from "../../src/activities/virtual-circuit";
import { CloudCallLog } from "../../src/clouds/call-log";
import {
  ensureAvailableDrg,
  ensureGateway,
  exampleCircuit,
  exampleVirtualCircuit,
  invoke,
  invokeRetrying,
  opContext,
  until,
  useActivityEnv,
} from "./env";

const getEnv = useActivityEnv();
const TAGS = { costCenter: "cc-42", owner: "network-team", interconnect: "not-this" };

describe("tags", () => {
  it("are applied to the gateway, its public IP, the connection, the DRG, its attachment and the virtual circuit", async () => {
    const env = getEnv();
    const name = "erp-tags";
    const op = opContext(name);
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: env.arm.resourceGroup };
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const expected = { costCenter: "cc-42", owner: "network-team", interconnect: name };

    const gw = await ensureGateway(env, op, azure, TAGS);
    const drg = await ensureAvailableDrg(env, op, oci, TAGS);
    const att = await invoke(env, "ociEnsureDrgAttachment", {
      opContext: op,
      oci,
      drgId: drg.drgId,
      vcnId: env.oci.seed.vcnId,
      tags: TAGS,
    });
    if (!att.found) throw new Error("attachment not found after ensure");
    const circuit = await invoke(env, "azureEnsureCircuit", { ...exampleCircuit(op, azure), tags: TAGS });
    if (!circuit.found) throw new Error("circuit not found after ensure");
    const provider = await invoke(env, "ociReadProviderService", { opContext: op, ...oci });
    const vc = await invoke(env, "ociEnsureVirtualCircuit", {
      ...exampleVirtualCircuit(op, { oci, azure }, provider.providerServiceId, drg.drgId, "192.168.110"),
      tags: TAGS,
    });
    if (!vc.found) throw new Error("virtual circuit not found after ensure");
    await until(
      env,
      () => invoke(env, "azureGetGateway", { opContext: op, azure }),
      (o) => o.found && o.provisioningState === "Succeeded",
      60,
    );
    // A connection needs a circuit the provider has provisioned (as the workflow waits for it); which of the two
    // finishes first depends on how much real time passes, so wait for both.
    await until(
      env,
      () => invoke(env, "azureGetCircuit", { opContext: op, azure }),
      (o) => o.found && o.serviceProviderProvisioningState === "Provisioned",
      60,
    );
    const cn = await invoke(env, "azureEnsureConnection", {
      opContext: op,
      azure,
      location: "eastus",
      gatewayId: gw.gatewayId,
      circuitId: circuit.circuitId,
      expressRouteGatewayBypass: false,
      tags: TAGS,
    });
    expect(cn.found).toBe(true);

    const log = new CloudCallLog();
    const arm = env.deps.azure.network(azure.subscriptionId, log);
    const ociNet = env.deps.oci.network(oci.region, log);
    const rg = azure.resourceGroup;
    expect((await arm.getGateway(rg, `vgw-${name}-er`))?.tags).toEqual(expected);
    expect((await arm.getPublicIp(rg, `pip-${name}-ergw`))?.tags).toEqual(expected);
    expect((await arm.getConnection(rg, `cn-${name}-er`))?.tags).toEqual(expected);
    expect((await arm.getCircuit(rg, `erc-${name}`))?.tags).toEqual(expected);
    expect((await ociNet.getDrg(drg.drgId))?.freeformTags).toEqual(expected);
    expect((await ociNet.getDrgAttachment(att.drgAttachmentId))?.freeformTags).toEqual(expected);
    expect((await ociNet.listVirtualCircuits(oci.compartmentId)).find((v) => v.id === vc.virtualCircuitId)?.freeformTags).toEqual(expected);
  });
});

describe("the gateway's public IP", () => {
  it("is not waited for inside the activity: a pending IP is a retryable PUBLIC_IP_PENDING at once, the next call creates the gateway", async () => {
    const env = getEnv();
    const op = opContext("erp-pip");
    const azure: AzureScope = { subscriptionId: env.arm.subscriptionId, resourceGroup: "rg-erp-pip" };
    env.arm.seedVirtualNetwork(azure.resourceGroup, { name: "vnet-pip", location: "eastus", addressPrefixes: ["10.40.0.0/16"] });
    const subnet = await invoke(env, "azureEnsureGatewaySubnet", {
      opContext: op,
      azure,
      virtualNetworkName: "vnet-pip",
      addressPrefix: "10.40.255.0/27",
    });
    const input = {
      opContext: op,
      azure,
      location: "eastus",
      virtualNetworkName: "vnet-pip",
      gatewaySubnetId: subnet.subnetId,
      sku: "Standard" as const,
    };

    const first = await invoke(env, "azureEnsureGateway", input).then(
      () => undefined,
      (err: unknown) => decodeFailure(err),
    );
    expect(first).toMatchObject({ code: "PUBLIC_IP_PENDING", retryable: true, retryAfterSeconds: 10 });
    const gw = await invokeRetrying(env, "azureEnsureGateway", input);
    expect(gw).toMatchObject({ found: true, name: "vgw-erp-pip-er" });
  });
});

describe("the service key", () => {
  const KEY = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

  it("is redacted from a referenceComment that quotes it, known or not", () => {
    const planted = {
      id: "ocid1.virtualcircuit.oc1.iad.aaaa",
      lifecycleState: "FAILED",
      providerServiceKeyName: KEY,
      referenceComment: `Microsoft Azure does not recognize the service key ${KEY}`,
    };
    const observed = virtualCircuitObservation(planted as never);
    expect(observed).toMatchObject({ found: true, reason: "Microsoft Azure does not recognize the service key [redacted]" });
    expect(redactReason(`key ${KEY} rejected`, [])).toBe("key 6f1c2a3b-****-****-****-************ rejected");
  });

  it("never reaches ociGetVirtualCircuit's output when OCI's provider rejects it in referenceComment", async () => {
    const env = getEnv();
    const name = "erp-keyleak";
    const op = opContext(name);
    const oci: OciScope = { region: env.oci.region, compartmentId: env.oci.seed.compartmentId };
    const drg = await ensureAvailableDrg(env, op, oci);
    const provider = await invoke(env, "ociReadProviderService", { opContext: op, ...oci });
    // A virtual circuit under our name with a key Azure has never issued: the emulated provider says so, quoting the key.
    await env.deps.oci.network(oci.region, new CloudCallLog()).createPrivateVirtualCircuit(
      {
        compartmentId: oci.compartmentId,
        displayName: `vc-${name}-azure`,
        bandwidthShapeName: "1 Gbps",
        gatewayId: drg.drgId,
        providerServiceId: provider.providerServiceId,
        providerServiceKeyName: KEY,
        crossConnectMappings: [
          { customerBgpPeeringIp: "192.168.120.2/30", oracleBgpPeeringIp: "192.168.120.1/30" },
          { customerBgpPeeringIp: "192.168.120.6/30", oracleBgpPeeringIp: "192.168.120.5/30" },
        ],
      },
      "keyleak-test",
    );
    const failed = await until(
      env,
      () => invoke(env, "ociGetVirtualCircuit", { opContext: op, oci }),
      (o) => o.found && o.reason !== null,
    );
    expect(failed).toMatchObject({ found: true, reason: expect.stringMatching(/does not recognize the service key/) });
    expect(JSON.stringify(failed)).not.toContain(KEY);
    expect(JSON.stringify(failed)).not.toContain(KEY.slice(9));
  });
});
