import { readFileSync } from "node:fs";
import { request } from "node:https";
import { NetworkManagementClient } from "@azure/arm-network";
import * as common from "oci-common";
import * as core from "oci-core";
import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { type RunningEmulators, startEmulators } from "../../../src/local/emulators";
import { ORACLE_CIRCUIT } from "../../support/oracle-circuit";
import { staticToken } from "./arm-helpers";

/**
 * Both emulators and the two real SDK clients on them, and a whole interconnect built through those SDKs
 * as the app builds it: the provider link between the clouds is the emulators' own business. Checks use
 * node:assert, not vitest: `npm run bench` builds its interconnect with this too.
 */
export const RG = "rg-erp-network";
export const POLL = { updateIntervalInMs: 20 };
const NO_RETRY: common.RetryConfiguration = { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) };

export interface CrossCloud {
  emu: RunningEmulators;
  arm: NetworkManagementClient;
  oci: core.VirtualNetworkClient;
  close(): Promise<void>;
}

export async function startCrossCloud(): Promise<CrossCloud> {
  const emu = await startEmulators({ speed: 6000, armRetryAfterSeconds: 0, durations: { oci: { terminatedRetention: 60_000 } } });
  return clientsFor(emu);
}

/** The two real SDK clients on running emulators (an end-to-end test builds an interconnect by hand with them). */
export function clientsFor(emu: RunningEmulators): CrossCloud {
  const arm = new NetworkManagementClient(staticToken(emu.arm.token), emu.arm.subscriptionId, {
    endpoint: emu.arm.url,
    tlsOptions: { ca: readFileSync(emu.arm.caCertPath, "utf8") },
  });
  const auth = new common.SimpleAuthenticationDetailsProvider(
    emu.oci.tenancyId,
    emu.oci.userId,
    emu.oci.fingerprint,
    readFileSync(emu.oci.privateKeyPath, "utf8"),
    null,
    common.Region.US_ASHBURN_1,
  );
  const oci = new core.VirtualNetworkClient({ authenticationDetailsProvider: auth }, { retryConfiguration: NO_RETRY });
  oci.endpoint = emu.oci.url;
  return {
    emu,
    arm,
    oci,
    async close() {
      oci.close();
      await emu.close();
    },
  };
}

/** A call to the emulators' admin endpoint (HTTPS on the ARM server, the local CA, no token). */
export function admin(
  e: RunningEmulators,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${e.arm.url}${p}`,
      { method, ca: readFileSync(e.arm.caCertPath, "utf8"), headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const isNotFound = (e: unknown): boolean => (e as { statusCode?: number }).statusCode === 404;

export interface ProvisionedIds {
  drgId: string;
  attachmentId: string;
  virtualCircuitId: string;
  serviceKey: string;
  circuitId: string;
  connectionId: string;
  gatewayId: string;
}

/** ARM names of what provision() creates (the app's own names can be passed in, see domain/names). */
export interface AzureNames {
  gateway: string;
  circuit: string;
  connection: string;
}
const DEFAULT_NAMES: AzureNames = { gateway: "ergw-erp-prod", circuit: "er-erp-prod", connection: "conn-erp-prod" };

/** Provisions everything of the README's example spec and returns the ids teardown needs. */
export async function provision({ emu, arm, oci }: CrossCloud, names: AzureNames = DEFAULT_NAMES): Promise<ProvisionedIds> {
  // Azure gateway first: it takes the longest (30 virtual minutes), so it runs while OCI works.
  await arm.subnets.beginCreateOrUpdateAndWait(RG, "vnet-erp", "GatewaySubnet", { addressPrefix: "10.10.255.0/27" }, POLL);
  const gatewayPoller = await arm.virtualNetworkGateways.beginCreateOrUpdate(
    RG,
    names.gateway,
    {
      location: "eastus",
      gatewayType: "ExpressRoute",
      sku: { name: "UltraPerformance", tier: "UltraPerformance" },
      ipConfigurations: [{ name: "default", subnet: { id: `${emu.arm.virtualNetworkId}/subnets/GatewaySubnet` } }],
    },
    POLL,
  );

  const { drg } = await oci.createDrg({ createDrgDetails: { compartmentId: emu.oci.compartmentId, displayName: "drg-erp-prod" } });
  await waitFor(async () => ((await oci.getDrg({ drgId: drg.id })).drg.lifecycleState === "AVAILABLE" ? true : undefined), "DRG AVAILABLE");
  const { drgAttachment } = await oci.createDrgAttachment({
    createDrgAttachmentDetails: { drgId: drg.id, networkDetails: { type: "VCN", id: emu.oci.vcnId } },
  });
  await waitFor(
    async () =>
      (await oci.getDrgAttachment({ drgAttachmentId: drgAttachment.id })).drgAttachment.lifecycleState === "ATTACHED" ? true : undefined,
    "attachment ATTACHED",
  );

  const circuit = await arm.expressRouteCircuits.beginCreateOrUpdateAndWait(RG, names.circuit, ORACLE_CIRCUIT, POLL);
  const serviceKey = circuit.serviceKey ?? "";

  const services = await oci.listFastConnectProviderServices({ compartmentId: emu.oci.compartmentId });
  const azure = services.items.find((s) => s.providerName === "Microsoft Azure");
  strictEqual(azure?.id, emu.oci.providerServiceId);
  const keyInfo = await oci.getFastConnectProviderServiceKey({
    providerServiceId: emu.oci.providerServiceId,
    providerServiceKeyName: serviceKey,
  });
  strictEqual(keyInfo.fastConnectProviderServiceKey.peeringLocation, "Washington DC");

  const { virtualCircuit } = await oci.createVirtualCircuit({
    createVirtualCircuitDetails: {
      compartmentId: emu.oci.compartmentId,
      type: core.models.CreateVirtualCircuitDetails.Type.Private,
      bandwidthShapeName: "1 Gbps",
      gatewayId: drg.id,
      providerServiceId: emu.oci.providerServiceId,
      providerServiceKeyName: serviceKey,
      crossConnectMappings: [
        { oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        { oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      ],
    },
  });

  const virtualCircuitId = virtualCircuit.id ?? "";
  match(virtualCircuitId, /^ocid1\.virtualcircuit\./);
  await waitFor(async () => {
    const vc = (await oci.getVirtualCircuit({ virtualCircuitId })).virtualCircuit;
    return vc.lifecycleState === "PROVISIONED" && vc.providerState === "ACTIVE" && vc.bgpSessionState === "UP" ? true : undefined;
  }, "virtual circuit PROVISIONED, ACTIVE, BGP UP");
  const provisioned = await waitFor(async () => {
    const c = await arm.expressRouteCircuits.get(RG, names.circuit);
    return c.serviceProviderProvisioningState === "Provisioned" && c.peerings?.some((p) => p.name === "AzurePrivatePeering")
      ? c
      : undefined;
  }, "circuit Provisioned with AzurePrivatePeering");
  const p = provisioned.peerings?.[0];
  deepStrictEqual(
    [p?.peerASN, p?.azureASN, p?.primaryPeerAddressPrefix, p?.secondaryPeerAddressPrefix],
    [31898, 12076, "192.168.100.0/30", "192.168.100.4/30"],
  );

  const table = await oci.getRouteTable({ rtId: emu.oci.routeTableId });
  await oci.updateRouteTable({
    rtId: emu.oci.routeTableId,
    ifMatch: table.etag,
    updateRouteTableDetails: {
      routeRules: [
        ...table.routeTable.routeRules,
        { destination: "10.10.0.0/16", destinationType: core.models.RouteRule.DestinationType.CidrBlock, networkEntityId: drg.id },
      ],
    },
  });

  const gateway = await gatewayPoller.pollUntilDone();
  const connection = await arm.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
    RG,
    names.connection,
    {
      location: "eastus",
      connectionType: "ExpressRoute",
      virtualNetworkGateway1: { id: gateway.id },
      peer: { id: provisioned.id },
      routingWeight: 0,
      expressRouteGatewayBypass: true,
    },
    POLL,
  );
  strictEqual(connection.provisioningState, "Succeeded");
  await waitFor(
    async () =>
      (await arm.virtualNetworkGatewayConnections.get(RG, names.connection)).connectionStatus === "Connected" ? true : undefined,
    "Connected",
  );

  return {
    drgId: drg.id,
    attachmentId: drgAttachment.id,
    virtualCircuitId,
    serviceKey,
    circuitId: provisioned.id ?? "",
    connectionId: connection.id ?? "",
    gatewayId: gateway.id ?? "",
  };
}
