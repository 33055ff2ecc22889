import type { QueueClient } from "@azure/storage-queue";

export interface ReceivedMessage<T> {
  body: T;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
  queue: QueueClient;
}

/** Azure queues give visibility timeouts in whole seconds and at most 7 days. */
const MAX_VISIBILITY_SECONDS = 7 * 24 * 3600 - 60;

export async function sendJson(queue: QueueClient, body: unknown, delaySeconds = 0): Promise<void> {
  await queue.sendMessage(JSON.stringify(body), {
    visibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.floor(delaySeconds))),
    messageTimeToLive: -1,
  });
}

/**
 * Enqueues a message that this process will handle itself: it is written invisible for one lease
 * (durable, so a crash redelivers it) and handed back as if received, which saves a polling round trip.
 */
export async function sendOwned<T>(queue: QueueClient, body: T, leaseSeconds: number): Promise<ReceivedMessage<T>> {
  const res = await queue.sendMessage(JSON.stringify(body), { visibilityTimeout: leaseSeconds, messageTimeToLive: -1 });
  return { body, messageId: res.messageId, popReceipt: res.popReceipt, dequeueCount: 0, queue };
}

export async function receiveJson<T>(queue: QueueClient, max: number, visibilitySeconds: number): Promise<ReceivedMessage<T>[]> {
  if (max <= 0) return [];
  const res = await queue.receiveMessages({ numberOfMessages: Math.min(32, max), visibilityTimeout: visibilitySeconds });
  const out: ReceivedMessage<T>[] = [];
  for (const m of res.receivedMessageItems) {
    let body: T;
    try {
      body = JSON.parse(m.messageText) as T;
    } catch {
      // Not ours (someone wrote into the task hub's queue): drop it rather than block the partition forever.
      await queue.deleteMessage(m.messageId, m.popReceipt).catch(() => undefined);
      continue;
    }
    out.push({ body, messageId: m.messageId, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount, queue });
  }
  return out;
}

/**
 * Keeps a received message invisible while the host works on it (an activity running, a timer waiting),
 * as DTFx renews its work-item leases. If the host dies the renewals stop and the message reappears
 * after `leaseSeconds`: that is the at-least-once redelivery.
 */
export class Lease<T> {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private released = false;

  constructor(
    readonly message: ReceivedMessage<T>,
    private readonly leaseSeconds: number,
  ) {
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        this.renewing = this.message.queue
          .updateMessage(this.message.messageId, this.message.popReceipt, undefined, this.leaseSeconds)
          .then((r) => {
            if (r.popReceipt) this.message.popReceipt = r.popReceipt;
            if (!this.released) this.schedule();
          })
          .catch(() => undefined);
      },
      Math.max(250, (this.leaseSeconds * 1000) / 2),
    );
    this.timer.unref();
  }

  /** Deletes the message: the work it stood for is checkpointed. */
  async complete(): Promise<void> {
    this.stop();
    await this.renewing;
    await this.message.queue.deleteMessage(this.message.messageId, this.message.popReceipt).catch((e: unknown) => {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    });
  }

  /** Makes the message visible again after `seconds` (work deferred, not done). */
  async abandon(seconds: number): Promise<void> {
    this.stop();
    await this.renewing;
    await this.message.queue
      .updateMessage(
        this.message.messageId,
        this.message.popReceipt,
        undefined,
        Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.floor(seconds))),
      )
      .catch(() => undefined);
  }

  stop(): void {
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

/**
 * Polls one queue: immediately while there is work, backing off to `maxIntervalMs` when idle, and
 * woken at once by wake() when this host itself enqueued something.
 */
export class Poller {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private idleMs = 0;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly poll: () => Promise<number>,
    private readonly maxIntervalMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  wake(): void {
    this.idleMs = 0;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let got = 0;
      try {
        got = await this.poll();
      } catch (e) {
        if (this.stopped) return;
        this.onError(e);
        this.idleMs = this.maxIntervalMs;
      }
      if (got > 0) {
        this.idleMs = 0;
        continue;
      }
      this.idleMs = Math.min(this.maxIntervalMs, Math.max(50, this.idleMs * 2));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.idleMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }
}
