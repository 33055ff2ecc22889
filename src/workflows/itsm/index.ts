import * as df from "durable-functions";
import { itsmTicketWatch, TICKET_WATCH_ORCHESTRATOR } from "./ticket-watch";

export { itsmTicketWatch, TICKET_WATCH_ORCHESTRATOR, ticketWatchInput, type TicketWatchInput } from "./ticket-watch";

export function registerItsmWorkflows(): void {
  df.app.orchestration(TICKET_WATCH_ORCHESTRATOR, itsmTicketWatch);
}
