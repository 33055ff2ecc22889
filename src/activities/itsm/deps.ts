import type { ItsmStore, Store } from "../../store";
import { lazyDeps } from "../lazy-deps";

/** The ticket watch's activities read interconnect records and write the ITSM outbox. */
export interface ItsmActivityDeps {
  store: Store;
  itsm: ItsmStore;
  /** ITSM_INCIDENT_ON_DOWN: a transition to down opens an incident with its note. */
  incidentOnDown?: boolean;
}

const deps = lazyDeps<ItsmActivityDeps>(
  "ITSM activity dependencies are not configured: call registerItsmActivities() or setItsmActivityDeps()",
);
export const setDefaultItsmActivityDeps = deps.setDefault;
/** Tests install Azurite-backed deps; undefined returns to the default. */
export const setItsmActivityDeps = deps.set;
export const itsmActivityDeps = deps.get;
