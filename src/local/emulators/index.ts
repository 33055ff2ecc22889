import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { VirtualClock } from "../clock/virtual-clock";
import { adminHandler } from "./admin";
import type { ArmDurations } from "./arm/durations";
import { type RunningArmEmulator, startArmEmulator } from "./arm/server";
import { type OciDurations, type OciEmulator, startOciEmulator } from "./oci";
import { type FaultConfig, FaultInjector } from "./shared/faults";
import { ProviderLink } from "./shared/provider-link";

export { ARM_SEED, DEFAULT_ARM_TOKEN } from "./arm/server";

export interface EmulatorsOptions {
  /** Virtual seconds per real second (SIM_SPEED). Default 1. */
  speed?: number;
  /**
   * Persist state, the clock anchor, the OCI API key and the TLS certificate here (e.g. .local/emulators).
   * Omitted: state in memory, keys and certificates in a temporary folder removed on close.
   */
  dataDir?: string;
  armPort?: number;
  ociPort?: number;
  durations?: { arm?: Partial<ArmDurations>; oci?: Partial<OciDurations> };
  faults?: FaultConfig;
  /** Bearer token the ARM emulator accepts (AZURE_EMULATOR_TOKEN). */
  token?: string;
  /** Real seconds of Retry-After on running ARM operations (default 1; 0 = none). */
  armRetryAfterSeconds?: number;
}

export interface RunningEmulators {
  arm: {
    url: string;
    token: string;
    caCertPath: string;
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    virtualNetworkId: string;
  };
  oci: {
    url: string;
    tenancyId: string;
    userId: string;
    fingerprint: string;
    privateKeyPath: string;
    region: string;
    compartmentId: string;
    vcnId: string;
    routeTableId: string;
    providerServiceId: string;
  };
  /** The anchor file other processes (the local host) follow with VirtualClock.fromFile; undefined in memory mode. */
  clockFile: string | undefined;
  clock: VirtualClock;
  faults: FaultInjector;
  /** The emulators themselves, for tests that need reset/snapshot. */
  handles: { arm: RunningArmEmulator; oci: OciEmulator };
  close(): Promise<void>;
}

/** Starts both cloud emulators on one virtual clock, one fault injector and one provider link. */
export async function startEmulators(options: EmulatorsOptions = {}): Promise<RunningEmulators> {
  const speed = options.speed ?? 1;
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const scratch = dataDir ? undefined : mkdtempSync(path.join(tmpdir(), "interconnect-emulators-"));
  const root = (dataDir ?? scratch) as string;
  const clockFile = dataDir ? path.join(dataDir, "clock.json") : undefined;
  const clock = clockFile ? VirtualClock.persistent(clockFile, speed) : new VirtualClock({ speed });
  const faults = new FaultInjector(options.faults ?? {});
  const link = new ProviderLink();

  let oci: OciEmulator | undefined;
  const arm = await startArmEmulator({
    clock,
    faults,
    link,
    port: options.armPort ?? 0,
    token: options.token,
    certDir: path.join(root, "certs"),
    stateFile: dataDir ? path.join(dataDir, "arm-state.json") : undefined,
    durations: options.durations?.arm,
    retryAfterSeconds: options.armRetryAfterSeconds,
    admin: adminHandler({
      arm: () => arm,
      oci: () => {
        if (!oci) throw new Error("the OCI emulator is not started yet");
        return oci;
      },
      clock,
      faults,
      clockFile,
    }),
  });
  try {
    oci = await startOciEmulator({
      clock,
      link,
      faults,
      port: options.ociPort ?? 0,
      stateFile: dataDir ? path.join(dataDir, "oci-state.json") : undefined,
      durations: options.durations?.oci,
      keyDir: path.join(root, "keys"),
    });
  } catch (e) {
    await arm.close();
    throw e;
  }
  const started = oci;

  return {
    arm: {
      url: arm.url,
      token: arm.token,
      caCertPath: arm.caCertPath,
      subscriptionId: arm.subscriptionId,
      resourceGroup: arm.resourceGroup,
      location: arm.location,
      virtualNetworkId: arm.virtualNetworkId,
    },
    oci: {
      url: started.url,
      tenancyId: started.tenancyId,
      userId: started.userId,
      fingerprint: started.fingerprint,
      privateKeyPath: started.privateKeyPath,
      region: started.region,
      ...started.seed,
    },
    clockFile,
    clock,
    faults,
    handles: { arm, oci: started },
    async close() {
      await Promise.all([arm.close(), started.close()]);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    },
  };
}
