import { readFileSync } from "node:fs";
import type { HealthTargets } from "../../src/contracts";
import { CloudCallLog } from "../../src/clouds/call-log";
import { AzureClients, type AzureNetwork } from "../../src/clouds/azure/network";
import { createAzureCredential } from "../../src/clouds/azure/credential";
import { OciClients, type OciNetwork } from "../../src/clouds/oci/network";
import { resourceNames } from "../../src/domain/names";
import { type CrossCloud, type ProvisionedIds, RG, provision } from "../local/emulators/cross-cloud";

/** A healthy interconnect on both emulators and what the health watch reads it with. */
export interface WatchedInterconnect {
  ids: ProvisionedIds;
  /** The app's Azure clients (network, monitoring) over the ARM emulator. */
  azureClients: AzureClients;
  azure: AzureNetwork;
  oci: OciNetwork;
  /** Every cloud call the two network clients made. */
  log: CloudCallLog;
  targets: HealthTargets;
}

/**
 * Builds `name` by hand under the app's own resource names (so the app's reads find it), then the app's
 * cloud clients (real SDKs) over the emulators and the health watch's targets for it.
 */
export async function watchedInterconnect(cloud: CrossCloud, name: string): Promise<WatchedInterconnect> {
  const { emu } = cloud;
  const names = resourceNames(name);
  const ids = await provision(cloud, { gateway: names.gateway, circuit: names.circuit, connection: names.connection });
  const log = new CloudCallLog();
  const azureClients = new AzureClients({
    credential: createAzureCredential("emulator", emu.arm.token),
    armEndpoint: emu.arm.url,
    tlsCa: readFileSync(emu.arm.caCertPath, "utf8"),
  });
  const oci = new OciClients({
    endpoint: emu.oci.url,
    tenancyId: emu.oci.tenancyId,
    userId: emu.oci.userId,
    fingerprint: emu.oci.fingerprint,
    privateKey: readFileSync(emu.oci.privateKeyPath, "utf8"),
  }).network(emu.oci.region, log);
  const targets: HealthTargets = {
    interconnect: name,
    subscriptionId: emu.arm.subscriptionId,
    resourceGroup: RG,
    virtualNetworkName: "vnet-erp",
    gatewayId: ids.gatewayId,
    region: emu.oci.region,
    virtualCircuitId: ids.virtualCircuitId,
    drgId: ids.drgId,
    drgAttachmentId: ids.attachmentId,
    vcnId: emu.oci.vcnId,
    routeTableId: emu.oci.routeTableId,
  };
  return { ids, azureClients, azure: azureClients.network(emu.arm.subscriptionId, log), oci, log, targets };
}
