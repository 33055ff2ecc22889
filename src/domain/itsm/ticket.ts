import { z } from "zod";

/** Which ITSM system a ticket lives in, and how this service addresses it there. */
export const TICKET_SYSTEMS = ["servicenow", "jira"] as const;
export type TicketSystem = (typeof TICKET_SYSTEMS)[number];

export const TICKET_ACTIONS = ["plan", "provision", "decommission"] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

export const SERVICENOW_TABLES = ["change_request", "sc_req_item"] as const;
export type ServiceNowTable = (typeof SERVICENOW_TABLES)[number];

export const ticketSchema = z.discriminatedUnion("system", [
  z.strictObject({
    system: z.literal("servicenow"),
    table: z.enum(SERVICENOW_TABLES),
    /** sys_id: 32 hex. */
    id: z.string().regex(/^[0-9a-f]{32}$/),
    /** CHG0031234, RITM0010028. */
    number: z.string().regex(/^[A-Z]{2,8}\d{4,12}$/),
  }),
  z.strictObject({
    system: z.literal("jira"),
    /** The issue id, a numeric string ("10002"). */
    id: z.string().regex(/^\d{1,18}$/),
    /** ED-1 */
    number: z.string().regex(/^[A-Z][A-Z0-9_]{0,19}-\d{1,12}$/),
  }),
]);
export type Ticket = z.infer<typeof ticketSchema>;

/** The ticket's partition in the ITSM table and its stable reference in notes and audit rows. */
export function ticketKey(ticket: Pick<Ticket, "system" | "id">): string {
  return `${ticket.system}-${ticket.id}`;
}

export const TICKET_KEY = /^(servicenow-[0-9a-f]{32}|jira-\d{1,18})$/;
