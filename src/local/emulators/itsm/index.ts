import { JiraEmulator } from "./jira";
import { JIRA_SEED, SERVICENOW_SEED } from "./seed";
import { ServiceNowEmulator } from "./servicenow";

export { JiraEmulator, ServiceNowEmulator, JIRA_SEED, SERVICENOW_SEED };

export interface RunningItsmEmulators {
  servicenow: ServiceNowEmulator;
  jira: JiraEmulator;
  close(): Promise<void>;
}

/** Both ITSM emulators with the seeded change request and Jira issue (seed.ts). Port 0 = a free port. */
export async function startItsmEmulators(
  options: { servicenowPort?: number; jiraPort?: number; seed?: boolean } = {},
): Promise<RunningItsmEmulators> {
  const servicenow = await new ServiceNowEmulator({
    port: options.servicenowPort ?? 0,
    users: SERVICENOW_SEED.users,
    oauthClients: SERVICENOW_SEED.oauthClients,
    oauthUser: "interconnect.integration",
  }).start();
  const jira = await new JiraEmulator({
    port: options.jiraPort ?? 0,
    accounts: JIRA_SEED.accounts,
    statuses: [...JIRA_SEED.statuses],
    transitions: JIRA_SEED.transitions,
    customFields: [...JIRA_SEED.customFields],
  }).start();
  if (options.seed !== false) seedItsm(servicenow, jira);
  return {
    servicenow,
    jira,
    close: async () => {
      await Promise.all([servicenow.close(), jira.close()]);
    },
  };
}

export function seedItsm(servicenow: ServiceNowEmulator, jira: JiraEmulator): void {
  servicenow.insert("change_request", { ...SERVICENOW_SEED.change }, "network-ops", SERVICENOW_SEED.variables);
  jira.createIssue(structuredClone(JIRA_SEED.issue));
}
