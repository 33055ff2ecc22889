import { storageQueue, type QueueStorageTarget } from "./storage-queue";

/** The outbox queue: a message names a ticket whose notes are due; the notes themselves are in the table. */
export const ITSM_OUTBOX_QUEUE = "itsm-outbox";

export interface OutboxQueue {
  /** Asks for a delivery round of the ticket's notes, at once or after delaySeconds (a retry's backoff). */
  kick(ticketKey: string, delaySeconds?: number): Promise<void>;
}

/** Base64 JSON, the Functions queue extension's default encoding, as the queue trigger reads it. */
export function storageOutboxQueue(target: QueueStorageTarget, queueName = ITSM_OUTBOX_QUEUE): OutboxQueue {
  const queue = storageQueue(target, queueName);
  return {
    kick: (ticketKey, delaySeconds = 0) =>
      queue.send(Buffer.from(JSON.stringify({ ticketKey }), "utf8").toString("base64"), {
        visibilityTimeout: Math.max(0, Math.min(Math.ceil(delaySeconds), 7 * 24 * 3600)),
      }),
  };
}
