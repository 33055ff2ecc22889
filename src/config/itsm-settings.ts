import { parseJiraFieldMap, type JiraFieldMap } from "../domain/itsm/jira-field-map";
import { ValidationError } from "../domain/errors";
import type { Reader } from "./settings";

/**
 * The ticket round trip (README "From a ticket"). An integration is on when its webhook secret is
 * set; then the credentials to write back to that system are required too, because a ticket that
 * starts work must hear about it. Secrets are never echoed in errors.
 */
export interface ItsmSettings {
  servicenow?: {
    webhookSecret: string;
    instanceUrl: string;
    auth: { kind: "oauth"; clientId: string; clientSecret: string } | { kind: "basic"; username: string; password: string };
  };
  jira?: {
    webhookSecret: string;
    baseUrl: string;
    email: string;
    apiToken: string;
    fieldMap: JiraFieldMap;
  };
  /** ITSM_TABLE: tickets, their operations and the outbox of notes. */
  table: string;
  outbox: { maxAttempts: number; firstRetrySeconds: number; maxRetrySeconds: number };
  /** ITSM_WATCH_INTERVAL_SECONDS: how often a ticket's operation is looked at for milestones (workflow time). */
  watchIntervalSeconds: number;
  /** ITSM_INCIDENT_ON_DOWN: a health transition to down also opens an incident (ServiceNow); off: a note only. */
  incidentOnDown: boolean;
}

const MIN_SECRET = 16;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function readItsmSettings(r: Reader): ItsmSettings {
  const settings: ItsmSettings = {
    table: r.matching("ITSM_TABLE", TABLE_NAME, "a table name: 3-63 letters and digits, starting with a letter", "itsmtickets"),
    outbox: {
      maxAttempts: r.integer("ITSM_OUTBOX_MAX_ATTEMPTS", 20, 1, 1000),
      firstRetrySeconds: r.integer("ITSM_OUTBOX_FIRST_RETRY_SECONDS", 5, 1, 3600),
      maxRetrySeconds: r.integer("ITSM_OUTBOX_MAX_RETRY_SECONDS", 900, 1, 86_400),
    },
    watchIntervalSeconds: r.integer("ITSM_WATCH_INTERVAL_SECONDS", 60, 1, 3600),
    incidentOnDown: r.boolean("ITSM_INCIDENT_ON_DOWN", false),
  };
  if (settings.outbox.maxRetrySeconds < settings.outbox.firstRetrySeconds)
    r.fail("ITSM_OUTBOX_MAX_RETRY_SECONDS", "is invalid: must be at least ITSM_OUTBOX_FIRST_RETRY_SECONDS");

  const snSecret = secret(r, "SERVICENOW_WEBHOOK_SECRET");
  if (snSecret !== undefined) {
    const instanceUrl = instance(r, "SERVICENOW_INSTANCE_URL");
    const clientId = r.raw("SERVICENOW_CLIENT_ID");
    const clientSecret = r.raw("SERVICENOW_CLIENT_SECRET");
    const username = r.raw("SERVICENOW_USERNAME");
    const password = r.raw("SERVICENOW_PASSWORD");
    let auth: NonNullable<ItsmSettings["servicenow"]>["auth"] | undefined;
    if (clientId !== undefined || clientSecret !== undefined) {
      if (clientId === undefined || clientSecret === undefined)
        r.fail(
          clientId === undefined ? "SERVICENOW_CLIENT_ID" : "SERVICENOW_CLIENT_SECRET",
          "is missing: OAuth client credentials need both SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET",
        );
      else auth = { kind: "oauth", clientId, clientSecret };
      if (username !== undefined || password !== undefined)
        r.fail(
          "SERVICENOW_USERNAME",
          "is invalid: set either SERVICENOW_CLIENT_ID/SECRET (OAuth) or SERVICENOW_USERNAME/PASSWORD (basic), not both",
        );
    } else if (username !== undefined && password !== undefined) {
      auth = { kind: "basic", username, password };
    } else {
      r.fail(
        username === undefined ? "SERVICENOW_USERNAME" : "SERVICENOW_PASSWORD",
        "is missing: SERVICENOW_WEBHOOK_SECRET is set, so the work notes need SERVICENOW_CLIENT_ID/SECRET (OAuth client credentials) or SERVICENOW_USERNAME/PASSWORD (basic)",
      );
    }
    if (instanceUrl !== undefined && auth !== undefined) settings.servicenow = { webhookSecret: snSecret, instanceUrl, auth };
  }

  const jiraSecret = secret(r, "JIRA_WEBHOOK_SECRET");
  if (jiraSecret !== undefined) {
    const baseUrl = instance(r, "JIRA_BASE_URL");
    const email = r.required("JIRA_EMAIL", "the Atlassian account email the API token belongs to");
    const apiToken = r.required("JIRA_API_TOKEN", "an Atlassian API token (a Key Vault reference in Azure)");
    const mapText = r.required("JIRA_FIELD_MAP", "the JSON field map (integrations/jira/field-map.example.json)");
    let fieldMap: JiraFieldMap | undefined;
    if (mapText !== "") {
      try {
        fieldMap = parseJiraFieldMap(mapText);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        for (const issue of err.issues) r.fail(issue.path, issue.message);
      }
    }
    if (baseUrl !== undefined && email !== "" && apiToken !== "" && fieldMap !== undefined)
      settings.jira = { webhookSecret: jiraSecret, baseUrl, email, apiToken, fieldMap };
  }
  return settings;
}

function secret(r: Reader, name: string): string | undefined {
  const value = r.raw(name);
  if (value !== undefined && value.length < MIN_SECRET)
    r.fail(name, `is invalid: a shared secret must be at least ${MIN_SECRET} characters`);
  return value;
}

/** https, except a loopback http URL (the local emulators). */
function instance(r: Reader, name: string): string | undefined {
  const value = r.url(name, ["https", "http"]);
  if (value === undefined) {
    r.fail(
      name,
      "is missing: the instance to write notes back to, e.g. https://<instance>.service-now.com or https://<site>.atlassian.net",
    );
    return undefined;
  }
  const url = new URL(value);
  if (url.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
    r.fail(name, "is invalid: credentials travel only over https (plain http is allowed for a loopback emulator)");
  return value;
}

/** For describeSettings: secrets replaced by "(set)". */
export function describeItsmSettings(s: ItsmSettings): Record<string, unknown> {
  return {
    ...s,
    ...(s.servicenow
      ? { servicenow: { instanceUrl: s.servicenow.instanceUrl, auth: s.servicenow.auth.kind, webhookSecret: "(set)" } }
      : {}),
    ...(s.jira
      ? { jira: { baseUrl: s.jira.baseUrl, email: s.jira.email, apiToken: "(set)", webhookSecret: "(set)", fieldMap: s.jira.fieldMap } }
      : {}),
  };
}
