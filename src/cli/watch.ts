import type { ApiClient, Json } from "./api-client";
import { CliError, EXIT } from "./exit";
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

/** The word the record uses for an operation whose instance the task hub does not know. */
export const ABSENT = "Absent";

/** One look at an instance: a body shaped like the Durable status (runtimeStatus, customStatus, output, createdTime). */
export type InstanceLook = () => Promise<Json>;

/** The Durable status URL a 202 handed out (statusQueryGetUri): what change and adopt follow. */
export function statusUrlLook(client: ApiClient, statusUrl: string): InstanceLook {
  return async () => (await client.callUrl("GET", statusUrl)).body;
}

/**
 * The record's current operation, which the service reads from the task hub for every GET: how
 * `status --watch` follows a change, or an adoption once it wrote its record, by name alone. Follows the
 * record to a new instance of the same kind (the watchdog's restart of a stalled one); fails loudly when
 * the record moved on to another kind of operation, or lost its instance, before its end was seen.
 */
export function recordLook(client: ApiClient, name: string, kind: "change" | "adopt"): InstanceLook {
  return async () => {
    const { body: record } = await client.call("GET", `interconnects/${encodeURIComponent(name)}`);
    const op = record.currentOperation;
    const trail = `how the ${kind === "change" ? "change" : "adoption"} ended is in: interconnect audit ${name}`;
    if (op?.kind !== kind)
      throw new CliError(
        `${name} has no ${kind} under way any more: ${op ? `its ${op.kind} ${op.instanceId} runs now` : "it has no operation"}; ${trail}`,
        EXIT.failed,
      );
    if (op.runtimeStatus === ABSENT)
      throw new CliError(`${name}: the task hub no longer has the ${kind} ${op.instanceId} (purged?); ${trail}`, EXIT.failed);
    const failure = record.failure;
    return {
      instanceId: op.instanceId,
      runtimeStatus: op.runtimeStatus,
      customStatus: op.customStatus,
      // The record carries the output of a Failed instance only; a terminated one's reason is its failure, if any.
      output: op.output ?? (failure ? `${failure.step}: ${failure.code}: ${failure.message}` : null),
      createdTime: op.startedAt,
      lastUpdatedTime: op.lastUpdatedTime,
    };
  };
}

/** GET /api/interconnects/{name}/adoption: an adoption by name, also before it writes its record. */
export function adoptionLook(client: ApiClient, name: string): InstanceLook {
  return async () => (await client.call("GET", `interconnects/${encodeURIComponent(name)}/adoption`)).body;
}

/**
 * Looks at an orchestration until the instance ends: a change, whose record stays active all along, and
 * an adoption, whose record is written only once its chain is verified. Each look goes to the view as
 * one of the record's operation would.
 */
export async function watchInstance(
  look: InstanceLook,
  name: string,
  kind: "change" | "adopt",
  view: LiveView,
  options: { intervalMs: number; signal: AbortSignal },
): Promise<Json> {
  for (;;) {
    const status = await look();
    const progress = {
      name,
      state: FINISHED.includes(status.runtimeStatus)
        ? String(status.runtimeStatus).toLowerCase()
        : `${kind === "change" ? "changing" : "adopting"}`,
      currentOperation: { kind, runtimeStatus: status.runtimeStatus, customStatus: status.customStatus, startedAt: status.createdTime },
    };
    view.update(progressOf(progress, new Date()));
    if (FINISHED.includes(status.runtimeStatus)) return status;
    await sleep(options.intervalMs, options.signal);
  }
}
