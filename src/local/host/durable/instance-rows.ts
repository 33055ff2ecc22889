import type { HostLogger } from "../log";
import { TERMINAL, type InstanceRecord, type RuntimeStatus, type TaskHubStore } from "./task-hub";

/**
 * Writes the Instances table, the task hub's status view (History is the truth). A row whose status or
 * execution changes is written as part of the checkpoint. A running instance that only made progress
 * (custom status, last update time) has its row written within `delayMs`, once for all the episodes
 * in between: that is one table write per activity fewer under load. Until then the HTTP API answers
 * from the newer copy held here; a kill -9 loses at most that much custom-status freshness, never a
 * status, an execution or a step, and the next episode writes the row again.
 */
export class InstanceRows {
  private readonly unwritten = new Map<string, InstanceRecord>();
  /** Status and execution of the row as last handed to the table, per instance this process wrote. */
  private readonly written = new Map<string, { status: RuntimeStatus; executionId: string }>();
  private readonly writing = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: TaskHubStore,
    private readonly delayMs: number,
    private readonly logger: HostLogger,
  ) {}

  /** The checkpoint's row write: awaited when it changes status or execution, deferred otherwise. */
  async checkpointed(record: InstanceRecord): Promise<void> {
    const id = record.instanceId;
    const last = this.written.get(id);
    const snapshot = { ...record };
    if (
      last &&
      last.status === "Running" &&
      record.runtimeStatus === "Running" &&
      last.executionId === record.executionId &&
      this.delayMs > 0
    ) {
      this.unwritten.set(id, snapshot);
      this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
      return;
    }
    this.unwritten.delete(id);
    await this.write(snapshot);
  }

  /** A row newer than the table's, not yet written. */
  pending(instanceId: string): InstanceRecord | undefined {
    return this.unwritten.get(instanceId);
  }

  /** A client wrote this instance's row itself (a new execution): nothing older may follow it. */
  forget(instanceId: string): void {
    this.unwritten.delete(instanceId);
    this.written.delete(instanceId);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = [...this.unwritten.values()];
    this.unwritten.clear();
    await Promise.all(
      rows.map((r) =>
        this.write(r).catch((e: unknown) => {
          this.logger.warn(
            `Orchestration (InstanceId=${r.instanceId}): Instances row not written, will retry: ${(e as Error)?.message ?? e}`,
          );
          // Retried unless a newer row superseded it (a later snapshot, or a transition written since).
          const now = this.written.get(r.instanceId);
          if (!this.unwritten.has(r.instanceId) && now?.status === "Running" && now.executionId === r.executionId)
            this.unwritten.set(r.instanceId, r);
          this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    await this.flush().catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One write at a time per instance, so an older row can never land after a newer one. */
  private write(record: InstanceRecord): Promise<void> {
    const id = record.instanceId;
    const previous = this.writing.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await this.store.putInstance(record);
        if (TERMINAL.has(record.runtimeStatus)) this.written.delete(id);
        else this.written.set(id, { status: record.runtimeStatus, executionId: record.executionId });
      });
    this.writing.set(id, next);
    void next
      .finally(() => {
        if (this.writing.get(id) === next) this.writing.delete(id);
      })
      .catch(() => undefined);
    return next;
  }
}
