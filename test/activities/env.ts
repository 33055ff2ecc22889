/**
 * The activities' test world: both real cloud emulators as the local stack starts them (one provider
 * link, one virtual clock, one fault injector), a real Azurite for the store, and activity deps built exactly as in the app,
 * only pointed at them. Each test file gets its own.
 */
import { readFileSync } from "node:fs";
import { InvocationContext } from "@azure/functions";
import { afterAll, beforeAll } from "vitest";
import { activityHandlers } from "../../src/activities";
import {
  decodeFailure,
  type ActivityInput,
  type ActivityName,
  type ActivityOutput,
  type AzureScope,
  type OciScope,
  type OpContext,
} from "../../src/contracts";
import { createActivityDeps, setActivityDeps, type ActivityDeps } from "../../src/activities/deps";
import { startAzurite, type RunningAzurite } from "../../src/local/azurite";
import type { VirtualClock } from "../../src/local/clock/virtual-clock";
import { startEmulators, type RunningEmulators } from "../../src/local/emulators";
import type { RunningArmEmulator } from "../../src/local/emulators/arm/server";
import type { OciEmulator } from "../../src/local/emulators/oci";
import type { FaultInjector } from "../../src/local/emulators/shared/faults";
import { startFakeDurableApi, type FakeDurableApi } from "../functions/support/fake-durable-api";
import { useAzurite } from "../support/azurite";

export const SPEED = 6000;

export interface ActivityTestEnv {
  arm: RunningArmEmulator;
  oci: OciEmulator;
  azurite: RunningAzurite;
  clock: VirtualClock;
  faults: FaultInjector;
  deps: ActivityDeps;
  /** Warnings the activities wrote through their InvocationContext. */
  warnings: string[];
}

export function useActivityEnv(): () => ActivityTestEnv {
  let env: ActivityTestEnv | undefined;
  let emulators: RunningEmulators | undefined;
  beforeAll(async () => {
    let azurite: RunningAzurite;
    [emulators, azurite] = await Promise.all([startEmulators({ speed: SPEED, armRetryAfterSeconds: 0 }), startAzurite()]);
    const { arm, oci } = emulators.handles;
    const { clock, faults } = emulators;
    const deps = createActivityDeps({
      azure: {
        credential: "emulator",
        armEndpoint: arm.url,
        emulatorToken: arm.token,
        tlsCa: arm.caCertPem,
        retry: { maxRetries: 6, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
      },
      oci: {
        endpoint: oci.url,
        tenancyId: oci.tenancyId,
        userId: oci.userId,
        fingerprint: oci.fingerprint,
        privateKey: readFileSync(oci.privateKeyPath, "utf8"),
        retry: { maxAttempts: 8, baseDelaySeconds: 0.02, maxDelaySeconds: 0.2 },
      },
      storage: { connectionString: azurite.connectionString },
      tables: { interconnects: "interconnects", audit: "interconnectaudit" },
    });
    setActivityDeps(deps);
    env = { arm, oci, azurite, clock, faults, deps, warnings: [] };
  });
  afterAll(async () => {
    setActivityDeps(undefined);
    await Promise.all([emulators?.close(), env?.azurite.stop()]);
  });
  return () => {
    if (!env) throw new Error("the activity test environment is not started yet");
    return env;
  };
}

/**
 * The activities' world for those that only read the store and the task hub: a real Azurite and the
 * Durable HTTP API stand-in as the durable client binding (`durable.context(...)`). No cloud is
 * called: the clouds' clients are built lazily, pointed at a closed port, and never used.
 */
export function useDurableActivityEnv(
  tables: { interconnects: string; audit: string } = { interconnects: "interconnects", audit: "interconnectaudit" },
): () => FakeDurableApi {
  const storage = useAzurite();
  let durable: FakeDurableApi | undefined;
  beforeAll(async () => {
    durable = await startFakeDurableApi();
    setActivityDeps(
      createActivityDeps({
        azure: { credential: "emulator", armEndpoint: "https://127.0.0.1:9", emulatorToken: "unused" },
        oci: {
          endpoint: "http://127.0.0.1:9",
          tenancyId: "ocid1.tenancy.oc1..unused",
          userId: "ocid1.user.oc1..unused",
          fingerprint: "00",
          privateKey: "unused",
        },
        storage: { connectionString: storage.connectionString },
        tables,
      }),
    );
  });
  afterAll(async () => {
    setActivityDeps(undefined);
    await durable?.close();
  });
  return () => {
    if (!durable) throw new Error("the Durable HTTP API stand-in is not started yet");
    return durable;
  };
}

export function opContext(interconnect: string, operation: OpContext["operation"] = "provision"): OpContext {
  return { interconnect, instanceId: `${operation}-${interconnect}-1`, operation, actor: "test@example.com" };
}

/** Calls a registered activity handler the way the Functions host does. */
export function invoke<N extends ActivityName>(env: ActivityTestEnv, name: N, input: ActivityInput<N>): Promise<ActivityOutput<N>> {
  const context = new InvocationContext({
    invocationId: `${name}-${Math.random().toString(36).slice(2)}`,
    functionName: name,
    logHandler: (level, ...args) => {
      if (level === "warning" || level === "error") env.warnings.push(args.map(String).join(" "));
    },
  });
  return activityHandlers[name](input, context);
}

/**
 * Calls an activity the way the orchestrator's step runner does: a retryable failure (such as
 * PUBLIC_IP_PENDING) is called again after its retryAfterSeconds of virtual time, a few times.
 */
export async function invokeRetrying<N extends ActivityName>(
  env: ActivityTestEnv,
  name: N,
  input: ActivityInput<N>,
  attempts = 5,
): Promise<ActivityOutput<N>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await invoke(env, name, input);
    } catch (err) {
      const failure = decodeFailure(err);
      if (!failure.retryable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, ((failure.retryAfterSeconds ?? 15) * 1000) / SPEED + 5));
    }
  }
}

type Found<T> = Extract<T, { found: true }>;

/**
 * The GatewaySubnet in the seeded vnet-erp and a Standard ExpressRoute gateway on it, as provisioning
 * builds them (the public IP's pending answer called again); returns the gateway, still deploying.
 */
export async function ensureGateway(
  env: ActivityTestEnv,
  op: OpContext,
  azure: AzureScope,
  tags?: Record<string, string>,
): Promise<Found<ActivityOutput<"azureEnsureGateway">>> {
  const subnet = await invoke(env, "azureEnsureGatewaySubnet", {
    opContext: op,
    azure,
    virtualNetworkName: "vnet-erp",
    addressPrefix: "10.10.255.0/27",
  });
  const gw = await invokeRetrying(env, "azureEnsureGateway", {
    opContext: op,
    azure,
    location: "eastus",
    virtualNetworkName: "vnet-erp",
    gatewaySubnetId: subnet.subnetId,
    sku: "Standard",
    ...(tags ? { tags } : {}),
  });
  if (!gw.found) throw new Error("gateway not found after ensure");
  return gw;
}

/** The interconnect's DRG, created and waited for until AVAILABLE; returns what the ensure returned. */
export async function ensureAvailableDrg(
  env: ActivityTestEnv,
  op: OpContext,
  oci: OciScope,
  tags?: Record<string, string>,
): Promise<Found<ActivityOutput<"ociEnsureDrg">>> {
  const drg = await invoke(env, "ociEnsureDrg", { opContext: op, oci, ...(tags ? { tags } : {}) });
  if (!drg.found) throw new Error("DRG not found after ensure");
  await until(
    env,
    () => invoke(env, "ociGetDrg", { opContext: op, oci }),
    (o) => o.found && o.lifecycleState === "AVAILABLE",
  );
  return drg;
}

/** The example spec's circuit as azureEnsureCircuit takes it: Washington DC, 1 Gbps, Standard metered. */
export function exampleCircuit(op: OpContext, azure: AzureScope): ActivityInput<"azureEnsureCircuit"> {
  return {
    opContext: op,
    azure,
    location: "eastus",
    peeringLocation: "Washington DC",
    bandwidthInMbps: 1000,
    sku: { tier: "Standard", family: "MeteredData" },
  };
}

/**
 * A 1 Gbps private virtual circuit on `drgId` as ociEnsureVirtualCircuit takes it, its two
 * cross-connect mappings in the /30s of `block` (the BGP plan's: .0/30 primary, .4/30 secondary).
 */
export function exampleVirtualCircuit(
  op: OpContext,
  scopes: { oci: OciScope; azure: AzureScope },
  providerServiceId: string,
  drgId: string,
  block = "192.168.100",
): ActivityInput<"ociEnsureVirtualCircuit"> {
  return {
    opContext: op,
    ...scopes,
    providerServiceId,
    bandwidthShapeName: "1 Gbps",
    drgId,
    crossConnectMappings: [
      { customerBgpPeeringIp: `${block}.2/30`, oracleBgpPeeringIp: `${block}.1/30` },
      { customerBgpPeeringIp: `${block}.6/30`, oracleBgpPeeringIp: `${block}.5/30` },
    ],
  };
}

/** Moves the shared virtual clock forward (the emulators' lifecycles follow it). */
export function advance(env: ActivityTestEnv, virtualMinutes: number): void {
  env.clock.advance(virtualMinutes * 60_000);
}

/** Polls `read` (in virtual time, via real sleeps) until `done`, failing after `virtualMinutes`. */
export async function until<T>(env: ActivityTestEnv, read: () => Promise<T>, done: (v: T) => boolean, virtualMinutes = 30): Promise<T> {
  const deadline = env.clock.now() + virtualMinutes * 60_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (env.clock.now() > deadline)
      throw new Error(`condition not reached within ${virtualMinutes} virtual minutes; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
