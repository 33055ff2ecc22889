import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { NetworkManagementClient } from "@azure/arm-network";
import { VirtualClock } from "../../../src/local/clock/virtual-clock";
import { FaultInjector } from "../../../src/local/emulators/shared/faults";
import { ProviderLink, type OciProviderSide, type VirtualCircuitForProvider } from "../../../src/local/emulators/shared/provider-link";
import { type ArmEmulatorOptions, type RunningArmEmulator, startArmEmulator } from "../../../src/local/emulators/arm/server";

/** One CA for the whole test file run: certificate generation is the slow part of a start. */
const certDir = mkdtempSync(path.join(tmpdir(), "arm-emu-certs-"));

export function staticToken(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }),
  };
}

/** A provider (OCI) side the test drives by hand: service key → virtual circuit facts. */
export class FakeOciSide implements OciProviderSide {
  readonly circuits = new Map<string, VirtualCircuitForProvider>();
  describeVirtualCircuit(serviceKey: string): VirtualCircuitForProvider | undefined {
    return this.circuits.get(serviceKey);
  }
  bgpUp(serviceKey: string): VirtualCircuitForProvider {
    const vc: VirtualCircuitForProvider = {
      virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.test",
      serviceKey,
      lifecycleState: "PROVISIONED",
      providerState: "ACTIVE",
      bgpSessionState: "UP",
      crossConnectMappings: [
        { oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        { oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      ],
      oracleBgpAsn: 31898,
      advertisedPrefixes: ["10.20.0.0/16"],
      pathsDown: [],
    };
    this.circuits.set(serviceKey, vc);
    return vc;
  }
}

export interface ArmTestEnv {
  arm: RunningArmEmulator;
  client: NetworkManagementClient;
  clock: VirtualClock;
  faults: FaultInjector;
  link: ProviderLink;
  oci: FakeOciSide;
  close(): Promise<void>;
}

export const SPEED = 6000;

export async function startArmTestEnv(over: Partial<ArmEmulatorOptions> & { random?: () => number } = {}): Promise<ArmTestEnv> {
  const clock = new VirtualClock({ speed: SPEED });
  const faults = over.faults ?? new FaultInjector({}, over.random);
  const link = new ProviderLink();
  const oci = new FakeOciSide();
  link.registerOci(oci);
  const arm = await startArmEmulator({ clock, faults, link, certDir, retryAfterSeconds: 0, ...over });
  const client = armClient(arm);
  return {
    arm,
    client,
    clock,
    faults,
    link,
    oci,
    close: () => arm.close(),
  };
}

export function armClient(arm: RunningArmEmulator, token = arm.token): NetworkManagementClient {
  return new NetworkManagementClient(staticToken(token), arm.subscriptionId, {
    endpoint: arm.url,
    tlsOptions: { ca: arm.caCertPem },
    retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 },
  });
}

export const POLL = { updateIntervalInMs: 20 };

export function cleanupCerts(): void {
  rmSync(certDir, { recursive: true, force: true });
}
