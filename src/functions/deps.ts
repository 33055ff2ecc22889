import type { PeeringLocationCatalog } from "../domain/catalog";
import type { PoisonQueue, Store } from "../store";
import type { WorkflowTiming } from "../workflows/names";
import type { TriggerTiming } from "./timing";

/** What the triggers need besides the durable client: the store and a few settings. */
export interface TriggerDeps {
  store: Store;
  /** BGP_ADDRESS_POOL: where /30 blocks come from when a spec names none. */
  bgpAddressPool: string;
  catalog: PeeringLocationCatalog;
  /** Handed to the orchestrators, which must not read settings themselves. */
  timing: WorkflowTiming;
  log: (message: string) => void;
  /** interconnect-teardown-poison: where teardown messages that can never succeed are parked. */
  teardownPoisonQueue: PoisonQueue;
  /** Settings.trustClientPrincipalHeader: whether x-ms-client-principal-name is the audit's actor. */
  trustClientPrincipalHeader: boolean;
  /** Grace periods and waits of the triggers themselves; TRIGGER_TIMING when absent (tests shorten them). */
  triggerTiming?: TriggerTiming;
}
