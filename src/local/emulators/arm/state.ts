import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";

/**
 * The ARM emulator's whole state as plain data, so it can be written to disk and read back. Pending
 * changes (an LRO finishing, a deprovisioning lag ending) are data too: `transitions` carry the virtual
 * time at which they take effect and are applied lazily whenever the state is read, so a restart
 * re-derives everything from the clock instead of losing in-flight timers.
 */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  sku?: Record<string, unknown>;
  etag: string;
  properties: Record<string, unknown>;
  /** Emulator bookkeeping that ARM does not show (never rendered). */
  internal?: Record<string, unknown>;
}

export interface ArmErrorBody {
  code: string;
  message: string;
}

export interface AsyncOperation {
  id: string;
  /** Normalized location used in the operation URLs. */
  location: string;
  status: "InProgress" | "Succeeded" | "Failed";
  startTime: number;
  endTime?: number;
  error?: ArmErrorBody;
  /** HTTP status the Location poll answers once the operation failed. */
  failureStatus?: number;
  /** Body of the final Location poll (ARP / route tables). */
  result?: unknown;
}

export type TransitionAction =
  | "succeed" // provisioningState → Succeeded, operation Succeeded
  | "remove" // resource (and its children) gone, operation Succeeded
  | "fail" // provisioningState → Failed, operation Failed with `error`
  | "connect" // connection: connectionStatus → Connected
  | "deprovisioned" // circuit: serviceProviderProvisioningState → NotProvisioned, provider peering removed
  | "reject" // operation Failed with `error`, resource untouched (a refused delete)
  | "finish"; // operation without a resource change (table queries)

export interface Transition {
  at: number;
  seq: number;
  action: TransitionAction;
  resourceId: string;
  operationId?: string;
  error?: ArmErrorBody;
  failureStatus?: number;
}

export interface ResourceGroup {
  name: string;
  location: string;
}

export interface ArmStateData {
  version: 1;
  /** subscriptionId → lower-cased resource group name → group */
  subscriptions: Record<string, Record<string, ResourceGroup>>;
  /** lower-cased resource id → resource */
  resources: Record<string, ArmResource>;
  operations: Record<string, AsyncOperation>;
  transitions: Transition[];
  seq: number;
}

export function emptyState(): ArmStateData {
  return { version: 1, subscriptions: {}, resources: {}, operations: {}, transitions: [], seq: 0 };
}

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

export const key = (id: string): string => id.toLowerCase();

/** Debounced, atomic (write + rename) persistence of the state file. */
export class StateFile {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly file: string,
    private readonly read: () => ArmStateData,
  ) {}

  load(): ArmStateData | undefined {
    if (!existsSync(this.file)) return undefined;
    const data = JSON.parse(readFileSync(this.file, "utf8")) as ArmStateData;
    if (data.version !== 1) throw new Error(`ARM emulator state file ${this.file} has unknown version ${String(data.version)}`);
    return data;
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writeNow();
    }, 50);
    this.timer.unref();
  }

  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writeNow();
  }

  private writeNow(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.read()));
    renameSync(tmp, this.file);
  }
}
