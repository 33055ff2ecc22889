import type { PeeringLocationCatalog } from "../domain/catalog";
import type { Store } from "../store";
import type { PoisonQueue } from "./poison-queue";
import type { WorkflowTiming } from "../workflows/names";

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
}
