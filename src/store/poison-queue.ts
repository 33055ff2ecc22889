import { storageQueue, type QueueStorageTarget } from "./storage-queue";

export type { QueueStorageTarget } from "./storage-queue";

export interface PoisonQueue {
  /** Puts the original message (its exact bytes, or text as UTF-8) on the poison queue, encoded as the Functions queue extension reads it. */
  send(message: string | Uint8Array): Promise<void>;
}

/**
 * Written with the storage SDK rather than a queue output binding: the output binding only delivers
 * when the host implements output bindings, and a rejected message must never be lost silently.
 * Base64, because that is the queue extension's default message encoding: whoever re-queues a
 * fixed message from here gets what the trigger expects.
 */
export function storagePoisonQueue(target: QueueStorageTarget, queueName: string): PoisonQueue {
  const queue = storageQueue(target, queueName);
  return {
    send: (message) => queue.send((typeof message === "string" ? Buffer.from(message, "utf8") : Buffer.from(message)).toString("base64")),
  };
}
