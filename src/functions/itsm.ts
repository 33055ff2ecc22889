import type { ItsmTriggerDeps } from "./deps";
import { registerItsmActivities } from "../activities/itsm";
import { storageTargets } from "../store/storage-account";
import { settings } from "../config/settings";
import type { ItsmSettings } from "../config/itsm-settings";
import { JiraClient } from "../itsm/jira/client";
import { ServiceNowClient } from "../itsm/servicenow/client";
import { createItsmStore } from "../store";
import { registerItsmWorkflows } from "../workflows/itsm";
import { defaultTriggerDeps } from "./default-deps";
import type { ApiRoute } from "./http/api";
import { itsmEventRoutes } from "./itsm-events-http";
import { itsmNotesRoutes } from "./itsm-notes-http";
import { registerItsmOutboxQueue } from "./itsm-outbox-queue";

let cached: ItsmTriggerDeps | undefined;

/** Built on first use, like the triggers' own deps; the settings were validated when the app loaded. */
export function defaultItsmDeps(): ItsmTriggerDeps {
  if (cached) return cached;
  const s = settings();
  const storage = storageTargets(s.storage);
  cached = {
    ...defaultTriggerDeps(),
    itsm: createItsmStore(storage, s.itsm.table),
    itsmSettings: s.itsm,
    channels: itsmChannels(s.itsm),
    now: () => new Date(),
  };
  return cached;
}

export function itsmChannels(s: ItsmSettings): ItsmTriggerDeps["channels"] {
  return {
    ...(s.servicenow ? { servicenow: new ServiceNowClient({ instanceUrl: s.servicenow.instanceUrl, auth: s.servicenow.auth }) } : {}),
    ...(s.jira
      ? {
          jira: new JiraClient({
            baseUrl: s.jira.baseUrl,
            email: s.jira.email,
            apiToken: s.jira.apiToken,
            transitions: s.jira.fieldMap.transitions,
          }),
        }
      : {}),
  };
}

/** The ITSM HTTP routes: both event routes and the outbox's operator routes (registered from api-routes.ts). */
export function itsmRoutes(getDeps: () => ItsmTriggerDeps = defaultItsmDeps): ApiRoute[] {
  return [...itsmEventRoutes(getDeps), ...itsmNotesRoutes(getDeps)];
}

/** The rest of the ticket round trip: the outbox queue, the ticket watch and the ITSM activities (the routes are in itsmRoutes). */
export function registerItsm(getDeps: () => ItsmTriggerDeps = defaultItsmDeps): void {
  registerItsmWorkflows();
  registerItsmActivities(() => {
    const deps = getDeps();
    return { store: deps.store, itsm: deps.itsm, incidentOnDown: deps.itsmSettings.incidentOnDown };
  });
  registerItsmOutboxQueue(getDeps);
}
