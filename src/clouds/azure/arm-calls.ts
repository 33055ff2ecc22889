import type { CloudCallLog } from "../call-log";
import { classifyAzureError } from "../errors";
import { withAttempts } from "../sdk-attempts";

/** The outcome of starting a delete: ARM answered 200/202 (in progress) or 204/404 (nothing there). */
export type DeleteStart = "deleting" | "deleted";

interface RawResponseLike {
  status: number;
  headers: { get(name: string): string | undefined };
}

interface Poller {
  isDone(): boolean;
}

/**
 * How every ARM call of the adapters is made, whichever SDK makes it: each HTTP answer recorded (request
 * id, status), the SDK's own retries counted, errors classified, 404 on a read or a delete read as absent.
 */
export abstract class ArmCalls {
  constructor(protected readonly log: CloudCallLog) {}

  /** Options that record every HTTP answer (request id, status) of one SDK call. */
  protected recorder(operation: string): {
    options: { onResponse: (raw: RawResponseLike, flat: unknown) => void };
    lastRequestId(): string | undefined;
    firstBody(): unknown;
    attempts<T>(call: () => Promise<T>): Promise<T>;
  } {
    let last: string | undefined;
    let first: unknown;
    let seen = false;
    return {
      options: {
        onResponse: (raw, flat) => {
          const requestId = raw.headers.get("x-ms-request-id");
          this.log.record({ cloud: "azure", operation, statusCode: raw.status, ...(requestId ? { requestId } : {}) });
          if (requestId) last = requestId;
          if (!seen) {
            seen = true;
            first = flat;
          }
        },
      },
      lastRequestId: () => last,
      firstBody: () => first,
      attempts: (call) => withAttempts("azure", operation, call, (retries) => this.log.recordRetries(retries)),
    };
  }

  protected async getOrUndefined<T>(operation: string, call: (o: object) => Promise<T>): Promise<T | undefined> {
    const r = this.recorder(operation);
    try {
      return await r.attempts(() => call(r.options));
    } catch (err) {
      const e = classifyAzureError(err, { requestId: r.lastRequestId() });
      if (e.notFound) return undefined;
      throw e;
    }
  }

  protected async collect<T>(operation: string, list: (o: object) => AsyncIterable<T>): Promise<T[]> {
    const r = this.recorder(operation);
    const items: T[] = [];
    try {
      return await r.attempts(async () => {
        for await (const item of list(r.options)) items.push(item);
        return items;
      });
    } catch (err) {
      throw classifyAzureError(err, { requestId: r.lastRequestId() });
    }
  }

  protected async awaitRead<T>(operation: string, call: (o: object) => Promise<T>): Promise<T> {
    const r = this.recorder(operation);
    try {
      return await r.attempts(() => call(r.options));
    } catch (err) {
      throw classifyAzureError(err, { requestId: r.lastRequestId() });
    }
  }

  /** The resource as ARM answered the PUT (its provisioningState shows where the operation starts). */
  protected async begin<T>(operation: string, start: (o: object) => Promise<Poller>): Promise<T | undefined> {
    const r = this.recorder(operation);
    try {
      await r.attempts(() => start(r.options));
      return r.firstBody() as T | undefined;
    } catch (err) {
      throw classifyAzureError(err, { requestId: r.lastRequestId() });
    }
  }

  protected async beginDelete(operation: string, start: (o: object) => Promise<Poller>): Promise<DeleteStart> {
    const r = this.recorder(operation);
    try {
      const poller = await r.attempts(() => start(r.options));
      return poller.isDone() ? "deleted" : "deleting";
    } catch (err) {
      const e = classifyAzureError(err, { requestId: r.lastRequestId() });
      if (e.notFound) return "deleted";
      throw e;
    }
  }
}
