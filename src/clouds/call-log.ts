import type { CloudName } from "./errors";
import type { SdkRetry } from "./sdk-attempts";

export interface CloudCall {
  cloud: CloudName;
  operation: string;
  requestId?: string;
  statusCode?: number;
}

/**
 * The cloud calls of one activity invocation, so that its audit row can name every request id
 * (x-ms-request-id / opc-request-id) a support case would ask for.
 */
export class CloudCallLog {
  private readonly entries: CloudCall[] = [];
  private readonly sdkRetries: SdkRetry[] = [];

  record(call: CloudCall): void {
    this.entries.push(call);
  }

  recordRetries(retries: readonly SdkRetry[]): void {
    this.sdkRetries.push(...retries);
  }

  /** The requests the SDKs sent again (429, 5xx, transport errors), in order. */
  get retries(): readonly SdkRetry[] {
    return this.sdkRetries;
  }

  get calls(): readonly CloudCall[] {
    return this.entries;
  }

  /** Distinct request ids in call order. */
  requestIds(): string[] {
    const ids: string[] = [];
    for (const c of this.entries) {
      if (c.requestId && !ids.includes(c.requestId)) ids.push(c.requestId);
    }
    return ids;
  }
}
