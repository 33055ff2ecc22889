import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as common from "oci-common";
import * as core from "oci-core";
import { VirtualClock } from "../../../../src/local/clock/virtual-clock";
import { FaultInjector } from "../../../../src/local/emulators/shared/faults";
import {
  ProviderLink,
  type AzureProviderSide,
  type CircuitForProvider,
  type ProviderPeeringConfig,
} from "../../../../src/local/emulators/shared/provider-link";
import { startOciEmulator, type OciDurations, type OciEmulator } from "../../../../src/local/emulators/oci";

/**
 * The Azure side of the provider link, reduced to what the OCI emulator asks of it: circuits by service
 * key, and a record of what the provider told Azure. The real ARM emulator is exercised in C's cross-cloud test.
 */
export class FakeAzureSide implements AzureProviderSide {
  readonly circuits = new Map<string, CircuitForProvider>();
  readonly calls: {
    call: "providerProvisioning" | "providerProvisioned" | "providerDeprovisioning";
    serviceKey: string;
    config?: ProviderPeeringConfig;
  }[] = [];

  addCircuit(serviceKey: string, facts: Partial<CircuitForProvider> = {}): void {
    this.circuits.set(serviceKey, {
      serviceKey,
      circuitId: `/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-erp-network/providers/Microsoft.Network/expressRouteCircuits/er-${serviceKey.slice(0, 8)}`,
      peeringLocation: "Washington DC",
      bandwidthInMbps: 1000,
      serviceProviderName: "Oracle Cloud FastConnect",
      serviceProviderProvisioningState: "NotProvisioned",
      ...facts,
    });
  }

  describeCircuit(serviceKey: string): CircuitForProvider | undefined {
    const c = this.circuits.get(serviceKey);
    return c && { ...c };
  }

  providerProvisioning(serviceKey: string): void {
    this.calls.push({ call: "providerProvisioning", serviceKey });
    this.circuits.get(serviceKey)!.serviceProviderProvisioningState = "Provisioning";
  }

  providerProvisioned(serviceKey: string, config: ProviderPeeringConfig): void {
    this.calls.push({ call: "providerProvisioned", serviceKey, config });
    this.circuits.get(serviceKey)!.serviceProviderProvisioningState = "Provisioned";
  }

  /** VNet prefixes the test says Azure advertises behind a service key. */
  readonly advertised = new Map<string, string[]>();

  advertisedPrefixes(serviceKey: string): string[] {
    return this.advertised.get(serviceKey) ?? [];
  }

  providerDeprovisioning(serviceKey: string): void {
    this.calls.push({ call: "providerDeprovisioning", serviceKey });
    this.circuits.get(serviceKey)!.serviceProviderProvisioningState = "Deprovisioning";
  }
}

export interface Harness {
  emu: OciEmulator;
  client: core.VirtualNetworkClient;
  azure: FakeAzureSide;
  link: ProviderLink;
  faults: FaultInjector;
  clock: VirtualClock;
  keyDir: string;
  close(): Promise<void>;
}

/** No SDK retries: tests see each answer as the emulator gave it (the SDK retries 409 IncorrectState by default). */
export const NO_RETRY: common.RetryConfiguration = {
  terminationStrategy: new common.MaxAttemptsTerminationStrategy(1),
};

export async function startHarness(
  opts: {
    speed?: number;
    durations?: Partial<OciDurations>;
    faults?: FaultInjector;
    stateFile?: string;
    keyDir?: string;
    clock?: VirtualClock;
    retry?: common.RetryConfiguration | "sdk-default";
  } = {},
): Promise<Harness> {
  const ownKeyDir = !opts.keyDir;
  const keyDir = opts.keyDir ?? mkdtempSync(path.join(tmpdir(), "oci-emu-keys-"));
  const clock = opts.clock ?? new VirtualClock({ speed: opts.speed ?? 6000 });
  const link = new ProviderLink();
  const azure = new FakeAzureSide();
  link.registerAzure(azure);
  const faults = opts.faults ?? new FaultInjector();
  const emu = await startOciEmulator({
    clock,
    link,
    faults,
    keyDir,
    durations: { terminatedRetention: 60 * 60_000, ...opts.durations },
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
  });
  const client = clientFor(emu, readFileSync(emu.privateKeyPath, "utf8"), opts.retry ?? NO_RETRY);
  return {
    emu,
    client,
    azure,
    link,
    faults,
    clock,
    keyDir,
    close: async () => {
      client.close();
      await emu.close();
      if (ownKeyDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

export function clientFor(
  emu: OciEmulator,
  privateKeyPem: string,
  retry: common.RetryConfiguration | "sdk-default" = NO_RETRY,
): core.VirtualNetworkClient {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    emu.tenancyId,
    emu.userId,
    emu.fingerprint,
    privateKeyPem,
    null,
    common.Region.US_ASHBURN_1,
  );
  const client = new core.VirtualNetworkClient(
    { authenticationDetailsProvider: auth },
    retry === "sdk-default" ? {} : { retryConfiguration: retry },
  );
  // The endpoint setter appends /20160918; it must come after construction, which sets the region's endpoint.
  client.endpoint = emu.url;
  return client;
}

/** Polls until `probe` returns a value (real time; the emulator's virtual clock runs fast). */
export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The example spec's OCI side: a DRG attached to the seeded VCN, both settled. */
export async function readyDrg(h: Harness): Promise<string> {
  const { drg } = await h.client.createDrg({ createDrgDetails: { compartmentId: h.emu.seed.compartmentId, displayName: "drg-erp-prod" } });
  await waitFor(
    async () => ((await h.client.getDrg({ drgId: drg.id })).drg.lifecycleState === "AVAILABLE" ? true : undefined),
    "DRG AVAILABLE",
  );
  const { drgAttachment } = await h.client.createDrgAttachment({
    createDrgAttachmentDetails: { drgId: drg.id, networkDetails: { type: "VCN", id: h.emu.seed.vcnId } },
  });
  await waitFor(
    async () =>
      (await h.client.getDrgAttachment({ drgAttachmentId: drgAttachment.id })).drgAttachment.lifecycleState === "ATTACHED"
        ? true
        : undefined,
    "attachment ATTACHED",
  );
  return drg.id;
}

export function virtualCircuitDetails(
  h: Harness,
  drgId: string,
  serviceKey: string,
  shape = "1 Gbps",
): core.models.CreateVirtualCircuitDetails {
  return {
    compartmentId: h.emu.seed.compartmentId,
    type: core.models.CreateVirtualCircuitDetails.Type.Private,
    displayName: "vc-erp-prod",
    bandwidthShapeName: shape,
    gatewayId: drgId,
    providerServiceId: h.emu.seed.providerServiceId,
    providerServiceKeyName: serviceKey,
    crossConnectMappings: [
      { customerBgpPeeringIp: "192.168.100.2/30", oracleBgpPeeringIp: "192.168.100.1/30" },
      { customerBgpPeeringIp: "192.168.100.6/30", oracleBgpPeeringIp: "192.168.100.5/30" },
    ],
  };
}

/**
 * Runs `fn`, expecting an OciError; returns it for assertions. oci-core bundles its own copy of
 * oci-common, so its errors are not instances of the top-level OciError class: check the shape.
 */
export async function ociError(fn: () => Promise<unknown>): Promise<common.OciError> {
  try {
    await fn();
  } catch (err) {
    if (typeof err === "object" && err !== null && "statusCode" in err && "serviceCode" in err) return err as common.OciError;
    throw err;
  }
  throw new Error("expected the call to fail with an OciError");
}
