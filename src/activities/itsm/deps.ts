import type { ItsmStore, Store } from "../../store";

/** The ticket watch's activities read interconnect records and write the ITSM outbox. */
export interface ItsmActivityDeps {
  store: Store;
  itsm: ItsmStore;
  /** ITSM_INCIDENT_ON_DOWN: a transition to down opens an incident with its note. */
  incidentOnDown?: boolean;
}

let installed: ItsmActivityDeps | undefined;
let loadDefault: (() => ItsmActivityDeps) | undefined;

export function setDefaultItsmActivityDeps(load: () => ItsmActivityDeps): void {
  loadDefault = load;
}

/** Tests install Azurite-backed deps; undefined returns to the default. */
export function setItsmActivityDeps(deps: ItsmActivityDeps | undefined): void {
  installed = deps;
}

export function itsmActivityDeps(): ItsmActivityDeps {
  if (!installed) {
    if (!loadDefault)
      throw new Error("ITSM activity dependencies are not configured: call registerItsmActivities() or setItsmActivityDeps()");
    installed = loadDefault();
  }
  return installed;
}
