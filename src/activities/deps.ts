/**
 * What the activities talk to: the cloud clients (cached per subscription / region) and the store.
 * Built once from the app settings; tests install emulator-backed deps with setActivityDeps.
 */
import { AzureClients } from "../clouds/azure/network";
import { createAzureCredential, type AzureCredentialKind } from "../clouds/azure/credential";
import { OciClients, type OciClientConfig } from "../clouds/oci/network";
import { createStore, type Store, type TableStorageTarget } from "../store";
import type { HealthSettings } from "../contracts";
import { lazyDeps } from "./lazy-deps";

const DEFAULT_HEALTH_SETTINGS: HealthSettings = { controlPlaneMinutes: 5, routesMinutes: 30, autoRepair: false };

export interface ActivityConfig {
  azure: {
    credential: AzureCredentialKind;
    armEndpoint: string;
    emulatorToken?: string;
    tlsCa?: string;
    retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  };
  oci: OciClientConfig;
  storage: TableStorageTarget;
  tables: { interconnects: string; audit: string };
  /** The health watch's cadences and AUTO_REPAIR (defaults: 5 and 30 minutes, off). */
  health?: HealthSettings;
}

export interface ActivityDeps {
  azure: AzureClients;
  oci: OciClients;
  store: Store;
  health: HealthSettings;
}

export function createActivityDeps(config: ActivityConfig): ActivityDeps {
  return {
    azure: new AzureClients({
      credential: createAzureCredential(config.azure.credential, config.azure.emulatorToken),
      armEndpoint: config.azure.armEndpoint,
      ...(config.azure.tlsCa ? { tlsCa: config.azure.tlsCa } : {}),
      ...(config.azure.retry ? { retry: config.azure.retry } : {}),
    }),
    oci: new OciClients(config.oci),
    store: createStore(config.storage, config.tables),
    health: config.health ?? DEFAULT_HEALTH_SETTINGS,
  };
}

const deps = lazyDeps<ActivityDeps>("activity dependencies are not configured: call registerActivities() or setActivityDeps()");
/** The composition root (registerActivities) says how to build deps from settings, lazily. */
export const setDefaultActivityDeps = deps.setDefault;
/** Replaces the deps (tests: emulators and Azurite); undefined returns to the default. */
export const setActivityDeps = deps.set;
export const activityDeps = deps.get;
