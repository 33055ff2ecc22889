/**
 * The HTTP attempts the SDKs make inside one of our calls. Both SDKs retry throttling (429) and 5xx on
 * their own, out of sight of the caller: the ARM pipeline's retry policy and the OCI GenericRetrier.
 * Their attempts are observed here (an ARM per-retry pipeline policy, the OCI retry condition), so that
 * a step's audit row can say how often and why it was retried.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { NetworkManagementClientOptionalParams } from "@azure/arm-network";
import type { CloudName } from "./errors";
import { parseRetryAfter } from "./errors";

/** One answer (or transport failure) the SDK got for a request it may then have sent again. */
export interface SdkAttempt {
  statusCode?: number;
  /** The transport error's code when there was no answer. */
  code?: string;
  retryAfterSeconds?: number;
}

/** A retry the SDK made: the attempt that was answered this way was sent again. */
export interface SdkRetry extends SdkAttempt {
  cloud: CloudName;
  operation: string;
}

interface Scope {
  cloud: CloudName;
  /** Per request (an ARM call may also send a long-running operation's first poll): its attempts in order. */
  attempts: Map<string, SdkAttempt[]>;
}

function push(scope: Scope | undefined, request: string, attempt: SdkAttempt): void {
  if (!scope) return;
  const list = scope.attempts.get(request);
  if (list) list.push(attempt);
  else scope.attempts.set(request, [attempt]);
}

const scopes = new AsyncLocalStorage<Scope>();

type PipelinePolicy = NonNullable<NetworkManagementClientOptionalParams["additionalPolicies"]>[number]["policy"];

/** Runs one SDK call; `report` receives the retries it made (every attempt but the last), if any. */
export async function withAttempts<T>(
  cloud: CloudName,
  operation: string,
  call: () => Promise<T>,
  report: (retries: SdkRetry[]) => void,
): Promise<T> {
  const scope: Scope = { cloud, attempts: new Map() };
  let succeeded = false;
  try {
    const result = await scopes.run(scope, call);
    succeeded = true;
    return result;
  } finally {
    // The OCI retrier shows us only the failed attempts of its one request; a success is the last attempt.
    if (cloud === "oci" && succeeded) push(scope, "", {});
    const retries = [...scope.attempts.values()].flatMap((list) => list.slice(0, -1).map((a) => ({ cloud, operation, ...a })));
    if (retries.length > 0) report(retries);
  }
}

/** True inside withAttempts for `cloud`. */
export function inSdkCall(cloud: CloudName): boolean {
  return scopes.getStore()?.cloud === cloud;
}

/** Called by the OCI retry condition for every failed attempt. */
export function noteOciAttempt(statusCode: number | undefined, code: string | undefined): void {
  push(scopes.getStore(), "", typeof statusCode === "number" && statusCode > 0 ? { statusCode } : { code: code ?? "NetworkError" });
}

/** An ARM pipeline policy placed per retry: it sees every attempt the retry policy sends (a retry keeps the request id). */
export const armAttemptPolicy: PipelinePolicy = {
  name: "interconnectAttemptRecorder",
  async sendRequest(request, next) {
    const scope = scopes.getStore();
    try {
      const response = await next(request);
      const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
      push(scope, request.requestId, { statusCode: response.status, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
      return response;
    } catch (err) {
      const status = (err as { statusCode?: unknown }).statusCode;
      const code = (err as { code?: unknown }).code;
      push(
        scope,
        request.requestId,
        typeof status === "number" ? { statusCode: status } : { code: typeof code === "string" ? code : "RequestError" },
      );
      throw err;
    }
  },
};

/** "429 (Retry-After 2 s) ×2, 503": the reasons of a step's SDK retries, for its audit row and log line. */
export function describeRetries(retries: readonly SdkRetry[]): string {
  const counts = new Map<string, number>();
  for (const r of retries) {
    const what = r.statusCode !== undefined ? String(r.statusCode) : (r.code ?? "error");
    const key = `${r.operation} ${what}${r.retryAfterSeconds !== undefined ? ` (Retry-After ${r.retryAfterSeconds} s)` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
}
