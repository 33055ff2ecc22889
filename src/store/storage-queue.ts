import type { TokenCredential } from "@azure/core-auth";
import { QueueClient } from "@azure/storage-queue";

/** The AzureWebJobsStorage connection string, or the queue service URI and the app's identity. */
export type QueueStorageTarget = { connectionString: string } | { queueEndpoint: string; credential: TokenCredential };

/**
 * A client of one queue of the app's storage account, and a send that creates the queue on first use
 * (once; a failed create is tried again by the next send).
 */
export function storageQueue(
  target: QueueStorageTarget,
  queueName: string,
): { client: QueueClient; send(text: string, options?: { visibilityTimeout?: number }): Promise<void> } {
  const client =
    "connectionString" in target
      ? new QueueClient(target.connectionString, queueName)
      : new QueueClient(`${target.queueEndpoint}/${encodeURIComponent(queueName)}`, target.credential);
  let ready: Promise<unknown> | undefined;
  return {
    client,
    async send(text, options) {
      ready ??= client.createIfNotExists().catch((err: unknown) => {
        ready = undefined;
        throw err;
      });
      await ready;
      await client.sendMessage(text, options);
    },
  };
}
