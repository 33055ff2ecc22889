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
