import { storageTargets } from "../store/storage-account";
import { settings } from "../config/settings";
import { peeringLocationCatalog } from "../config/catalog";
import { createStore, storagePoisonQueue } from "../store";
import { workflowTimingFromSettings } from "../workflows/names";
import type { TriggerDeps } from "./deps";
import { TEARDOWN_POISON_QUEUE } from "./queue-names";

let cached: TriggerDeps | undefined;

/**
 * Built on first use, not at import: the clients are not needed to index the functions. The settings
 * themselves were already validated when the app loaded (index.ts).
 */
export function defaultTriggerDeps(): TriggerDeps {
  if (cached) return cached;
  const s = settings();
  const storage = storageTargets(s.storage);
  cached = {
    store: createStore(storage.tables, s.tables),
    bgpAddressPool: s.bgpAddressPool,
    catalog: peeringLocationCatalog(),
    timing: workflowTimingFromSettings(s),
    log: (message) => console.error(message),
    teardownPoisonQueue: storagePoisonQueue(storage.queues, TEARDOWN_POISON_QUEUE),
    trustClientPrincipalHeader: s.trustClientPrincipalHeader,
  };
  return cached;
}
