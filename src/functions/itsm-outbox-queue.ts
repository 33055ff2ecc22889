import type { ItsmTriggerDeps } from "./deps";
import { app, type InvocationContext, type StorageQueueHandler } from "@azure/functions";
import { z } from "zod";
import { TICKET_KEY } from "../domain/itsm/ticket";
import { deliverTicketNotes } from "../requests/itsm/deliver";
import { ITSM_OUTBOX_QUEUE } from "../store";

const message = z.strictObject({ ticketKey: z.string().regex(TICKET_KEY) });

/**
 * The outbox queue: a message asks for one delivery round of a ticket's notes. A message that is not
 * ours is logged and dropped (nothing can be delivered for it; the notes are in the table either way).
 * A storage failure throws, so the host retries the round.
 */
export function itsmOutboxHandler(getDeps: () => ItsmTriggerDeps): (msg: unknown, context: InvocationContext) => Promise<void> {
  return async (msg, context) => {
    const parsed = message.safeParse(msg);
    if (!parsed.success) {
      context.warn(
        `queue ${ITSM_OUTBOX_QUEUE}: message ${String(context.triggerMetadata?.id ?? "?")} dropped: not {"ticketKey": "servicenow-<sys_id>" | "jira-<issue id>"}`,
      );
      return;
    }
    const round = await deliverTicketNotes(getDeps(), parsed.data.ticketKey);
    context.log(
      `queue ${ITSM_OUTBOX_QUEUE}: ${parsed.data.ticketKey}: ${round.delivered} delivered${round.retryInSeconds !== undefined ? `, retry in ${round.retryInSeconds} s` : ""}${round.parked ? ", parked" : ""}${round.busy ? ", busy (another worker)" : ""}`,
    );
  };
}

export function registerItsmOutboxQueue(getDeps: () => ItsmTriggerDeps): void {
  app.storageQueue("itsmOutbox", {
    queueName: ITSM_OUTBOX_QUEUE,
    connection: "AzureWebJobsStorage",
    handler: itsmOutboxHandler(getDeps) as StorageQueueHandler,
  });
}
