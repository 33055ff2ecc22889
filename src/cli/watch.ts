import type { ApiClient, Json } from "./api-client";
import type { LiveView } from "./live-view";
import { progressOf } from "./progress";

export class Detached extends Error {
  constructor() {
    super("detached");
    this.name = "Detached";
  }
}

/** The record's state that ends an operation of this kind, and the state that ends it badly. */
const ENDS: Record<string, string> = { provision: "active", teardown: "deleted" };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Detached());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Detached());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Looks at the interconnect every interval until the operation of `kind` ends: its success state,
 * failed, or an operation nothing runs any more (orphaned). Every look goes to the view. Aborting the
 * signal (Ctrl-C) stops looking; the operation goes on in the service.
 */
export async function watchOperation(
  client: ApiClient,
  name: string,
  kind: "provision" | "teardown",
  view: LiveView,
  options: { intervalMs: number; signal: AbortSignal },
): Promise<Json> {
  for (;;) {
    const { body: record } = await client.call("GET", `interconnects/${encodeURIComponent(name)}`);
    const progress = progressOf(record, new Date());
    view.update(progress);
    const sameOperation = record.currentOperation?.kind === kind;
    if (record.state === ENDS[kind] || (sameOperation && record.state === "failed") || progress.orphaned) return record;
    await sleep(options.intervalMs, options.signal);
  }
}

/** The Durable runtime states an instance ends in. */
const FINISHED = ["Completed", "Failed", "Terminated", "Canceled"];

/**
 * Looks at an orchestration's Durable status URL (the 202's statusQueryGetUri) until the instance ends:
 * for a change, whose record stays active all along, and an adoption, whose record is written only once
 * its chain is verified. Each look goes to the view as one of the record's operation would.
 */
export async function watchInstance(
  client: ApiClient,
  statusUrl: string,
  name: string,
  kind: "change" | "adopt",
  view: LiveView,
  options: { intervalMs: number; signal: AbortSignal },
): Promise<Json> {
  for (;;) {
    const { body: status } = await client.callUrl("GET", statusUrl);
    const look = {
      name,
      state: FINISHED.includes(status.runtimeStatus)
        ? String(status.runtimeStatus).toLowerCase()
        : `${kind === "change" ? "changing" : "adopting"}`,
      currentOperation: { kind, runtimeStatus: status.runtimeStatus, customStatus: status.customStatus, startedAt: status.createdTime },
    };
    view.update(progressOf(look, new Date()));
    if (FINISHED.includes(status.runtimeStatus)) return status;
    await sleep(options.intervalMs, options.signal);
  }
}
