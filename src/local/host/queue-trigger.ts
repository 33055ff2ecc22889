import { randomUUID } from "node:crypto";
import { QueueClient } from "@azure/storage-queue";
import type { HostLogger } from "./log";
import type { HttpTriggers } from "./http-trigger";
import type { RegisteredFunction } from "./registry";
import { Poller } from "./durable/queues";

export interface QueuesConfig {
  maxDequeueCount: number;
  visibilityTimeoutSeconds: number;
  batchSize: number;
  maxPollingIntervalMs: number;
  /** "base64" (the Functions default) or "none". */
  messageEncoding: "base64" | "none";
}

/**
 * Queue triggers as the Functions queue extension runs them: poll with back-off, run a batch
 * concurrently, on failure make the message visible again after visibilityTimeout, and after
 * maxDequeueCount failed attempts move it to `<queue>-poison`.
 */
export class QueueTriggerListener {
  private readonly queue: QueueClient;
  private readonly poison: QueueClient;
  private readonly poller: Poller;
  private active = 0;

  constructor(
    private readonly fn: RegisteredFunction,
    connectionString: string,
    private readonly config: QueuesConfig,
    private readonly http: HttpTriggers,
    private readonly origin: () => string,
    private readonly logger: HostLogger,
  ) {
    const name = fn.trigger.queueName;
    if (typeof name !== "string" || !/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
      throw new Error(
        `queue trigger '${fn.name}': queueName "${String(name)}" is not a valid Azure queue name (3-63 lowercase letters, digits, single hyphens)`,
      );
    }
    this.queue = new QueueClient(connectionString, name);
    this.poison = new QueueClient(connectionString, `${name}-poison`);
    this.poller = new Poller(
      () => this.poll(),
      config.maxPollingIntervalMs,
      (e) => logger.error(`Queue trigger '${fn.name}' on '${name}': polling failed: ${(e as Error).message}`),
    );
  }

  async start(): Promise<void> {
    await this.queue.createIfNotExists();
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  private async poll(): Promise<number> {
    const room = this.config.batchSize - this.active;
    if (room <= 0) return 0;
    const res = await this.queue.receiveMessages({
      numberOfMessages: Math.min(32, room),
      visibilityTimeout: Math.max(30, this.config.visibilityTimeoutSeconds),
    });
    for (const m of res.receivedMessageItems) {
      this.active++;
      void this.process(m).finally(() => {
        this.active--;
        this.poller.wake();
      });
    }
    return res.receivedMessageItems.length;
  }

  private async process(m: {
    messageId: string;
    popReceipt: string;
    messageText: string;
    dequeueCount: number;
    insertedOn: Date;
    expiresOn: Date;
    nextVisibleOn: Date;
  }): Promise<void> {
    const invocationId = randomUUID();
    const started = Date.now();
    try {
      const bytes = this.decode(m.messageText);
      const text = bytes.toString("utf8");
      const context = this.http.context(this.fn, invocationId, this.origin(), "queueTrigger");
      context.triggerMetadata = {
        id: m.messageId,
        popReceipt: m.popReceipt,
        dequeueCount: m.dequeueCount,
        insertionTime: m.insertedOn,
        expirationTime: m.expiresOn,
        nextVisibleTime: m.nextVisibleOn,
        queueTrigger: text,
      };
      // dataType "binary": the message's bytes as they were sent; otherwise what the worker makes of the text.
      await this.fn.callback(this.fn.trigger.dataType === "binary" ? bytes : parseMaybeJson(text), context);
      await this.queue.deleteMessage(m.messageId, m.popReceipt);
      this.logger.debug(
        `Executed 'Functions.${this.fn.name}' (Succeeded, Id=${invocationId}, Duration=${Date.now() - started}ms) message ${m.messageId} dequeueCount=${m.dequeueCount}`,
      );
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      if (m.dequeueCount >= this.config.maxDequeueCount) {
        await this.poison.createIfNotExists();
        await this.poison.sendMessage(m.messageText);
        await this.queue.deleteMessage(m.messageId, m.popReceipt);
        this.logger.error(
          `Executed 'Functions.${this.fn.name}' (Failed, Id=${invocationId}) message ${m.messageId} failed ${m.dequeueCount} times; moved to ${this.poison.name}: ${message}`,
        );
      } else {
        await this.queue.updateMessage(m.messageId, m.popReceipt, undefined, this.config.visibilityTimeoutSeconds).catch(() => undefined);
        this.logger.warn(
          `Executed 'Functions.${this.fn.name}' (Failed, Id=${invocationId}) message ${m.messageId} attempt ${m.dequeueCount}/${this.config.maxDequeueCount}: ${message}`,
        );
      }
    }
  }

  private decode(text: string): Buffer {
    if (this.config.messageEncoding === "none") return Buffer.from(text, "utf8");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new Error(
        "the message is not valid base64; the Functions queue extension expects base64 messages (host.json extensions.queues.messageEncoding)",
      );
    }
    return Buffer.from(text, "base64");
  }
}

/** The worker hands JSON messages to the handler as objects and anything else as a string. */
function parseMaybeJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return text;
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}
