import { z } from "zod";
import { ValidationError } from "../errors";
import { formatPath } from "../zod-issues";
import { TICKET_ACTIONS } from "./ticket";
import { TICKET_VARIABLE_NAMES, type TicketVariableName } from "./ticket-variables";

/**
 * JIRA_FIELD_MAP: which Jira field holds which request variable, which issue status asks for which
 * action, and which transitions report the outcome. Custom field ids differ per Jira site
 * (GET /rest/api/3/field), so they can only come from configuration.
 */
const FIELD_ID = /^(customfield_\d{5,6}|summary|description|labels|duedate)$/;
const nonEmpty = z.string().trim().min(1, "must not be empty").max(100);

const outcomes = z.strictObject({ succeeded: nonEmpty.optional(), failed: nonEmpty.optional() });

export const jiraFieldMapSchema = z.strictObject({
  fields: z
    .partialRecord(
      z.enum(TICKET_VARIABLE_NAMES as [TicketVariableName, ...TicketVariableName[]]),
      z.string().regex(FIELD_ID, "must be a Jira field id such as customfield_10070"),
    )
    .refine((f) => f.interconnect_name !== undefined, "must map interconnect_name (every action needs it)"),
  /** Issue status names (as in fields.status.name) that ask for each action. */
  actions: z.strictObject(
    Object.fromEntries(TICKET_ACTIONS.map((a) => [a, z.array(nonEmpty).min(1).max(10).optional()])) as Record<
      (typeof TICKET_ACTIONS)[number],
      z.ZodOptional<z.ZodArray<typeof nonEmpty>>
    >,
  ),
  /** Transition names (or the status they lead to) applied when a provisioning or decommissioning succeeded or failed. */
  transitions: z.strictObject({ provision: outcomes.optional(), decommission: outcomes.optional() }).default({}),
  /** Where the requester is read: a user field of the issue (default reporter). */
  requestedBy: z
    .string()
    .regex(/^(reporter|assignee|creator|customfield_\d{5,6})$/)
    .default("reporter"),
});
export type JiraFieldMap = z.infer<typeof jiraFieldMapSchema>;

/** Parses the setting's JSON text; errors name the key inside JIRA_FIELD_MAP. */
export function parseJiraFieldMap(text: string, setting = "JIRA_FIELD_MAP"): JiraFieldMap {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: setting, message: "is not valid JSON" }]);
  }
  const parsed = jiraFieldMapSchema.safeParse(raw);
  if (parsed.success) {
    const seen = new Map<string, string>();
    for (const action of TICKET_ACTIONS) {
      for (const status of parsed.data.actions[action] ?? []) {
        const other = seen.get(status.toLowerCase());
        if (other)
          throw new ValidationError([
            { path: `${setting}.actions.${action}`, message: `status "${status}" is already mapped to ${other}` },
          ]);
        seen.set(status.toLowerCase(), action);
      }
    }
    return parsed.data;
  }
  throw new ValidationError(
    parsed.error.issues.map((i) => ({ path: [setting, formatPath(i.path)].filter(Boolean).join("."), message: i.message })),
  );
}
