import { z } from "zod";
import { ValidationError } from "../errors";
import { issuesFromZod } from "../zod-issues";
import { SERVICENOW_TABLES, TICKET_ACTIONS, type Ticket, type TicketAction } from "./ticket";

/**
 * What integrations/servicenow/business-rule.js sends. ServiceNow sends every value as a string,
 * variables included; unknown top-level fields are refused so a renamed field is not silently ignored.
 */
export const serviceNowEventSchema = z.strictObject({
  table: z.enum(SERVICENOW_TABLES, { error: () => `must be one of ${SERVICENOW_TABLES.join(", ")}` }),
  sys_id: z.string({ error: () => "must be a sys_id (32 hex characters)" }).regex(/^[0-9a-f]{32}$/, "must be a sys_id (32 hex characters)"),
  number: z
    .string({ error: () => "must be a ticket number such as CHG0031234" })
    .regex(/^[A-Z]{2,8}\d{4,12}$/, "must be a ticket number such as CHG0031234"),
  state: z.string({ error: () => "must be the record's state value as a string" }).max(40),
  action: z.enum(TICKET_ACTIONS, { error: () => `must be one of ${TICKET_ACTIONS.join(", ")}` }),
  requested_by: z
    .string({ error: () => "must be the requester's user name or email" })
    .trim()
    .min(1, "must not be empty")
    .max(256),
  variables: z.record(z.string(), z.unknown(), { error: () => "must be an object of the catalog item's variables" }),
});

export interface TicketEvent {
  ticket: Ticket;
  action: TicketAction;
  requestedBy: string;
  variables: Record<string, unknown>;
}

export function parseServiceNowEvent(body: unknown): TicketEvent {
  const parsed = serviceNowEventSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(issuesFromZod(parsed.error));
  const e = parsed.data;
  return {
    ticket: { system: "servicenow", table: e.table, id: e.sys_id, number: e.number },
    action: e.action,
    requestedBy: printable(e.requested_by),
    variables: e.variables,
  };
}

/** Control characters would let a ticket forge lines in logs and audit exports. */
export function printable(value: string): string {
  return [...value].filter((ch) => ch >= " " && ch !== "\u007f").join("");
}
