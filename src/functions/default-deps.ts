import { storageTargets } from "../clouds/azure/storage";
import { settings } from "../config/settings";
import { peeringLocationCatalog } from "../config/catalog";
import { createStore, storagePoisonQueue } from "../store";
import { workflowTimingFromSettings } from "../workflows/names";
import type { TriggerDeps } from "./deps";
import { TEARDOWN_POISON_QUEUE } from "./queue-names";

let cached: TriggerDeps | undefined;

/**
 * Built on first use, not at import: the host imports the app before any request, and a settings
 * problem should surface as a clear 500 problem naming the setting rather than a worker that never loads.
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
