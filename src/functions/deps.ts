import type { PoisonQueue } from "../store";
import type { RequestDeps } from "../requests/deps";

/** What the triggers need besides the durable client: the use cases' deps and the triggers' own I/O settings. */
export interface TriggerDeps extends RequestDeps {
  /** interconnect-teardown-poison: where teardown messages that can never succeed are parked. */
  teardownPoisonQueue: PoisonQueue;
  /** Settings.trustClientPrincipalHeader: whether x-ms-client-principal-name is the audit's actor. */
  trustClientPrincipalHeader: boolean;
}
