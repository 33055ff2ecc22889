import { z } from "zod";
import { ValidationError, type ValidationIssue } from "../errors";
import { issuesFromZod } from "../zod-issues";
import type { JiraFieldMap } from "./jira-field-map";
import { printable, type TicketEvent } from "./servicenow-event";
import { TICKET_ACTIONS, type TicketAction } from "./ticket";
import type { TicketVariableName } from "./ticket-variables";

/**
 * A Jira admin webhook ({webhookEvent, issue, changelog, user}) or an Automation "Send web request"
 * with the issue data in Jira format ({issue}) or Automation format (the issue at the top level).
 * Only what this service reads is checked; Jira sends much more, and ids are numbers in Automation
 * payloads but strings elsewhere.
 */
export const jiraIssueSchema = z.looseObject({
  id: z.union([z.string().regex(/^\d{1,18}$/), z.number().int().nonnegative()], { error: () => "must be the issue id" }),
  key: z
    .string({ error: () => "must be the issue key such as NET-42" })
    .regex(/^[A-Z][A-Z0-9_]{0,19}-\d{1,12}$/, "must be an issue key such as NET-42"),
  fields: z.looseObject(
    {
      status: z.looseObject(
        {
          name: z
            .string({ error: () => "must be the status name" })
            .min(1)
            .max(100),
        },
        { error: () => "must be the issue status {name}" },
      ),
    },
    { error: () => "must be the issue's fields" },
  ),
});

export type JiraEvent = {
  ticket: TicketEvent["ticket"];
  action: TicketAction | undefined;
  status: string;
  requestedBy: string;
  variables: Record<string, string>;
};

/** The event's action (undefined: a status that asks for nothing) and the mapped fields as variables. */
export function parseJiraEvent(body: unknown, map: JiraFieldMap): JiraEvent {
  const wrapped = typeof body === "object" && body !== null && "issue" in body ? (body as { issue: unknown }).issue : body;
  const parsed = jiraIssueSchema.safeParse(wrapped);
  if (!parsed.success)
    throw new ValidationError(issuesFromZod(parsed.error).map((i) => ({ ...i, path: i.path ? `issue.${i.path}` : "issue" })));
  const issue = parsed.data;
  const status = issue.fields.status.name;
  const action = TICKET_ACTIONS.find((a) => (map.actions[a] ?? []).some((s) => s.toLowerCase() === status.toLowerCase()));
  const issues: ValidationIssue[] = [];
  const variables: Record<string, string> = {};
  for (const [variable, fieldId] of Object.entries(map.fields) as [TicketVariableName, string][]) {
    const value = fieldText(issue.fields[fieldId]);
    if (value === null)
      issues.push({ path: `issue.fields.${fieldId}`, message: `(${variable}) must be text, a number, true/false or a single option` });
    else if (value !== undefined) variables[variable] = value;
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const requester = userName(issue.fields[map.requestedBy]) ?? userName((body as { user?: unknown }).user) ?? "jira";
  return {
    ticket: { system: "jira", id: String(issue.id), number: issue.key },
    action,
    status,
    requestedBy: printable(requester).slice(0, 256) || "jira",
    variables,
  };
}

/** undefined: unset; null: a shape that cannot be a variable. Options are {value}, as Jira returns select fields. */
function fieldText(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && !Array.isArray(value) && typeof (value as { value?: unknown }).value === "string")
    return (value as { value: string }).value;
  return null;
}

function userName(user: unknown): string | undefined {
  if (typeof user !== "object" || user === null) return undefined;
  const u = user as Record<string, unknown>;
  for (const key of ["emailAddress", "displayName", "accountId"]) if (typeof u[key] === "string" && u[key] !== "") return u[key] as string;
  return undefined;
}
