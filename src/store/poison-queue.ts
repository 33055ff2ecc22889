import type { TokenCredential } from "@azure/core-auth";
import { QueueClient } from "@azure/storage-queue";

/** The AzureWebJobsStorage connection string, or the queue service URI and the app's identity. */
export type QueueStorageTarget = { connectionString: string } | { queueEndpoint: string; credential: TokenCredential };

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
  const client =
    "connectionString" in target
      ? new QueueClient(target.connectionString, queueName)
      : new QueueClient(`${target.queueEndpoint}/${encodeURIComponent(queueName)}`, target.credential);
  let ready: Promise<unknown> | undefined;
  return {
    async send(message) {
      ready ??= client.createIfNotExists().catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      await client.sendMessage((typeof message === "string" ? Buffer.from(message, "utf8") : Buffer.from(message)).toString("base64"));
    },
  };
}
