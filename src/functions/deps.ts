import type { PoisonQueue } from "../store";
import type { RequestDeps } from "../requests/deps";
import type { ItsmDeps } from "../requests/itsm/deps";

/** What the triggers need besides the durable client: the use cases' deps and the triggers' own I/O settings. */
export interface TriggerDeps extends RequestDeps {
  /** interconnect-teardown-poison: where teardown messages that can never succeed are parked. */
  teardownPoisonQueue: PoisonQueue;
  /** Settings.trustClientPrincipalHeader: whether x-ms-client-principal-name is the audit's actor. */
  trustClientPrincipalHeader: boolean;
}

/** The ITSM triggers: the triggers' deps plus the ticket store, the ITSM settings and clients. */
export type ItsmTriggerDeps = TriggerDeps & ItsmDeps;
