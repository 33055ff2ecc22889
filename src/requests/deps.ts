import type { PeeringLocationCatalog } from "../domain/catalog";
import type { Store } from "../store";
import type { WorkflowTiming } from "../workflows/names";
import type { RequestTiming } from "./timing";

/** What the use cases need besides the durable client: the store and a few settings. */
export interface RequestDeps {
  store: Store;
  /** BGP_ADDRESS_POOL: where /30 blocks come from when a spec names none. */
  bgpAddressPool: string;
  catalog: PeeringLocationCatalog;
  /** Handed to the orchestrators, which must not read settings themselves. */
  timing: WorkflowTiming;
  log: (message: string) => void;
  /** Grace periods and waits of the requests themselves; REQUEST_TIMING when absent (tests shorten them). */
  requestTiming?: RequestTiming;
}
