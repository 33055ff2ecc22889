import { QueueClient } from "@azure/storage-queue";
import type { QueueStorageTarget } from "./poison-queue";

/** The outbox queue: a message names a ticket whose notes are due; the notes themselves are in the table. */
export const ITSM_OUTBOX_QUEUE = "itsm-outbox";

export interface OutboxQueue {
  /** Asks for a delivery round of the ticket's notes, at once or after delaySeconds (a retry's backoff). */
  kick(ticketKey: string, delaySeconds?: number): Promise<void>;
}

/** Base64 JSON, the Functions queue extension's default encoding, as the queue trigger reads it. */
export function storageOutboxQueue(target: QueueStorageTarget, queueName = ITSM_OUTBOX_QUEUE): OutboxQueue {
  const client =
    "connectionString" in target
      ? new QueueClient(target.connectionString, queueName)
      : new QueueClient(`${target.queueEndpoint}/${encodeURIComponent(queueName)}`, target.credential);
  let ready: Promise<unknown> | undefined;
  return {
    async kick(ticketKey, delaySeconds = 0) {
      ready ??= client.createIfNotExists().catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      const text = Buffer.from(JSON.stringify({ ticketKey }), "utf8").toString("base64");
      await client.sendMessage(text, { visibilityTimeout: Math.max(0, Math.min(Math.ceil(delaySeconds), 7 * 24 * 3600)) });
    },
  };
}
