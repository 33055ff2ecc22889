import { QueueClient } from "@azure/storage-queue";
import type { E2eStack, Json } from "./stack";

/**
 * Deletes every task-hub message of one instance (control queues and work items), as Azurite can lose
 * them on kill -9; the host must be down. Returns what was lost (TimerFired, or the message's name).
 */
export async function loseMessagesOf(stack: E2eStack, instanceId: string): Promise<string[]> {
  const queues = [0, 1, 2, 3].map((i) => `interconnecthub-control-0${i}`).concat("interconnecthub-workitems");
  const lost: string[] = [];
  for (const name of queues) {
    const queue = new QueueClient(stack.azurite.connectionString, name);
    const others: { messageId: string; popReceipt: string }[] = [];
    for (;;) {
      const got = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
      if (got.receivedMessageItems.length === 0) break;
      for (const m of got.receivedMessageItems) {
        const body = JSON.parse(m.messageText) as Json;
        if (body.instanceId === instanceId) {
          await queue.deleteMessage(m.messageId, m.popReceipt);
          lost.push(body.event?.EventType === 11 ? "TimerFired" : (body.name ?? `event ${String(body.event?.EventType)}`));
        } else {
          others.push(m);
        }
      }
    }
    for (const m of others) await queue.updateMessage(m.messageId, m.popReceipt, undefined, 0);
  }
  return lost;
}
