import { TableClient, TableTransaction, odata, type TableEntity, type TableEntityResult } from "@azure/data-tables";
import { QueueClient } from "@azure/storage-queue";
import { eventTypeName, EventType, type HistoryEvent } from "./history";

/**
 * The task hub in Azure Storage (Azurite locally), in the Azure Storage provider's layout
 * (DurableTask.AzureStorage): tables `<hub>Instances` (PK instance id, RK "") and `<hub>History`
 * (PK instance id, RK ordinal as 16 hex digits, plus a "sentinel" row), queues `<hub>-control-NN`
 * (orchestrator messages, instance -> partition by FNV-1a) and `<hub>-workitems` (activities).
 */
export type RuntimeStatus = "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated" | "Suspended";
export const TERMINAL: ReadonlySet<RuntimeStatus> = new Set(["Completed", "Failed", "Terminated"]);

export interface InstanceRecord {
  instanceId: string;
  name: string;
  version: string;
  /** JSON text, as the Instances table keeps it. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  runtimeStatus: RuntimeStatus;
  createdTime: Date;
  lastUpdatedTime: Date;
  completedTime: Date | null;
  executionId: string;
  generation: number;
  parentInstanceId: string | null;
}

/** A new instance's row before its first episode (a client's start, or an orchestrator's sub-orchestration): Pending, nothing out yet. */
export function pendingInstance(
  start: Pick<InstanceRecord, "instanceId" | "name" | "version" | "input" | "executionId" | "parentInstanceId">,
  now: Date,
): InstanceRecord {
  return {
    instanceId: start.instanceId,
    name: start.name,
    version: start.version,
    input: start.input,
    output: null,
    customStatus: null,
    runtimeStatus: "Pending",
    createdTime: now,
    lastUpdatedTime: now,
    completedTime: null,
    executionId: start.executionId,
    generation: 0,
    parentInstanceId: start.parentInstanceId,
  };
}

export interface StoredHistory {
  executionId: string;
  events: HistoryEvent[];
  /** Next Durable Task sequence number (the EventId of the next scheduled task/timer/sub-orchestration). */
  nextSequence: number;
  /** "<actionType>:<name>" of every orchestrator action already turned into history; drives the determinism check. */
  signatures: string[];
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
}

/** Object-valued event fields kept as JSON text columns (table properties are scalars). */
const JSON_COLUMNS = ["FailureDetails", "RetryOptions", "ParentInstance"] as const;
/** Azure Table string properties hold at most 32K UTF-16 characters; the Azure provider moves larger payloads to blobs. */
const MAX_PROPERTY_CHARS = 32_000;
const SENTINEL = "sentinel";

/** DurableTask.AzureStorage KeySanitation.EscapePartitionKey: characters a table key cannot hold. */
export function escapePartitionKey(id: string): string {
  return id.replace(/\^/g, "^^").replace(/\//g, "^0").replace(/\\/g, "^1").replace(/#/g, "^2").replace(/\?/g, "^3");
}

export function unescapePartitionKey(key: string): string {
  return key.replace(/\^(\^|0|1|2|3)/g, (_m, c: string) => ({ "^": "^", "0": "/", "1": "\\", "2": "#", "3": "?" })[c] ?? c);
}

/** FNV-1a over the UTF-16 code units, as DurableTask.AzureStorage Fnv1aHashHelper does for partition routing. */
export function partitionIndex(instanceId: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(instanceId, "utf16le")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitionCount;
}

export class TaskHubStore {
  private constructor(
    readonly hubName: string,
    readonly instances: TableClient,
    readonly history: TableClient,
    readonly controlQueues: QueueClient[],
    readonly workItems: QueueClient,
  ) {}

  static async open(connectionString: string, hubName: string, partitionCount: number): Promise<TaskHubStore> {
    if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(hubName)) {
      throw new Error(`host.json extensions.durableTask.hubName "${hubName}" must start with a letter and be 3-45 letters or digits`);
    }
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > 16) {
      throw new Error(`host.json extensions.durableTask.storageProvider.partitionCount must be 1..16, got ${partitionCount}`);
    }
    const tableOptions = { allowInsecureConnection: true };
    const instances = TableClient.fromConnectionString(connectionString, `${hubName}Instances`, tableOptions);
    const history = TableClient.fromConnectionString(connectionString, `${hubName}History`, tableOptions);
    const lower = hubName.toLowerCase();
    const control = Array.from(
      { length: partitionCount },
      (_, i) => new QueueClient(connectionString, `${lower}-control-${String(i).padStart(2, "0")}`),
    );
    const workItems = new QueueClient(connectionString, `${lower}-workitems`);
    await Promise.all([
      instances.createTable(),
      history.createTable(),
      ...control.map((q) => q.createIfNotExists()),
      workItems.createIfNotExists(),
    ]);
    return new TaskHubStore(hubName, instances, history, control, workItems);
  }

  controlQueueFor(instanceId: string): QueueClient {
    return this.controlQueues[partitionIndex(instanceId, this.controlQueues.length)] as QueueClient;
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      return toInstance(await this.instances.getEntity<TableEntity>(escapePartitionKey(instanceId), ""));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async putInstance(record: InstanceRecord): Promise<void> {
    await this.instances.upsertEntity(fromInstance(record), "Replace");
  }

  async queryInstances(query: InstanceQuery): Promise<{ items: InstanceRecord[]; continuationToken?: string }> {
    const clauses: string[] = [];
    if (query.runtimeStatus?.length) clauses.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(" or ")})`);
    if (query.createdTimeFrom) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
    if (query.createdTimeTo) clauses.push(odata`CreatedTime le ${query.createdTimeTo}`);
    if (query.instanceIdPrefix) {
      const low = escapePartitionKey(query.instanceIdPrefix);
      const high = low.slice(0, -1) + String.fromCharCode(low.charCodeAt(low.length - 1) + 1);
      clauses.push(odata`PartitionKey ge ${low} and PartitionKey lt ${high}`);
    }
    const pages = this.instances
      .listEntities<TableEntity>({ queryOptions: clauses.length ? { filter: clauses.join(" and ") } : {} })
      .byPage({ maxPageSize: query.top ?? 100, continuationToken: query.continuationToken });
    const page = await pages.next();
    if (page.done) return { items: [] };
    return { items: page.value.map(toInstance), continuationToken: page.value.continuationToken };
  }

  async loadHistory(instanceId: string): Promise<StoredHistory | undefined> {
    const pk = escapePartitionKey(instanceId);
    const rows: TableEntityResult<TableEntity>[] = [];
    for await (const row of this.history.listEntities<TableEntity>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } }))
      rows.push(row);
    const sentinel = rows.find((r) => r.rowKey === SENTINEL);
    if (!sentinel) return undefined;
    const executionId = String(sentinel.ExecutionId);
    const count = Number(sentinel.EventCount);
    // Rows of an earlier execution (before continueAsNew) or of a checkpoint whose sentinel never landed are not history.
    const events = rows
      .filter((r) => r.rowKey !== SENTINEL && r.ExecutionId === executionId && parseInt(r.rowKey, 16) < count)
      .sort((a, b) => a.rowKey.localeCompare(b.rowKey))
      .map(toEvent);
    return {
      executionId,
      events,
      nextSequence: Number(sentinel.NextSequence),
      signatures: JSON.parse(String(sentinel.ActionSignatures)) as string[],
    };
  }

  /**
   * Writes `events` as rows firstIndex.. and then the sentinel. Batches are per partition (one
   * instance); the sentinel goes in the last batch, so a crash mid-way leaves rows that loadHistory ignores.
   */
  async appendHistory(
    instanceId: string,
    executionId: string,
    firstIndex: number,
    events: HistoryEvent[],
    nextSequence: number,
    signatures: string[],
  ): Promise<void> {
    const pk = escapePartitionKey(instanceId);
    const entities: TableEntity[] = events.map((e, i) => fromEvent(pk, executionId, firstIndex + i, e));
    entities.push({
      partitionKey: pk,
      rowKey: SENTINEL,
      ExecutionId: executionId,
      EventCount: firstIndex + events.length,
      NextSequence: nextSequence,
      ActionSignatures: checkSize("ActionSignatures", JSON.stringify(signatures)),
      CheckpointCompletedTimestamp: new Date(),
    });
    for (let i = 0; i < entities.length; i += 100) {
      const tx = new TableTransaction();
      for (const entity of entities.slice(i, i + 100)) tx.upsertEntity(entity, "Replace");
      await this.history.submitTransaction(tx.actions);
    }
  }

  /** Deletes the instance row and every history row. Returns false when the instance did not exist. */
  async purge(instanceId: string): Promise<boolean> {
    const pk = escapePartitionKey(instanceId);
    const keys: string[] = [];
    for await (const row of this.history.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ["RowKey"] } }))
      keys.push(row.rowKey as string);
    for (let i = 0; i < keys.length; i += 100) {
      const tx = new TableTransaction();
      for (const rk of keys.slice(i, i + 100)) tx.deleteEntity(pk, rk);
      await this.history.submitTransaction(tx.actions);
    }
    try {
      await this.instances.deleteEntity(pk, "");
      return true;
    } catch (e) {
      if (isNotFound(e)) return keys.length > 0;
      throw e;
    }
  }
}

export function isNotFound(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { statusCode?: number }).statusCode === 404;
}

function checkSize(field: string, text: string): string {
  if (text.length > MAX_PROPERTY_CHARS) {
    throw new Error(
      `${field} is ${text.length} characters; the local task hub keeps payloads up to ${MAX_PROPERTY_CHARS} (pass references, not large payloads)`,
    );
  }
  return text;
}

function fromEvent(pk: string, executionId: string, index: number, e: HistoryEvent): TableEntity {
  const entity: TableEntity = { partitionKey: pk, rowKey: index.toString(16).toUpperCase().padStart(16, "0"), ExecutionId: executionId };
  for (const [key, value] of Object.entries(e)) {
    if (value === undefined) continue;
    if (key === "EventType") entity.EventType = eventTypeName(value as number);
    // "Timestamp" is the table's own system column; DTFx keeps the event time as _Timestamp.
    else if (key === "Timestamp") entity._Timestamp = value as string;
    else if ((JSON_COLUMNS as readonly string[]).includes(key)) entity[key] = checkSize(key, JSON.stringify(value));
    else entity[key] = typeof value === "string" ? checkSize(key, value) : value;
  }
  return entity;
}

function toEvent(row: TableEntityResult<TableEntity>): HistoryEvent {
  const e: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (["partitionKey", "rowKey", "etag", "timestamp", "ExecutionId", "odata.metadata"].includes(key)) continue;
    if (key === "EventType") e.EventType = EventType[value as keyof typeof EventType];
    else if (key === "_Timestamp") e.Timestamp = value;
    else if ((JSON_COLUMNS as readonly string[]).includes(key)) e[key] = JSON.parse(value as string);
    else e[key] = value;
  }
  return e as unknown as HistoryEvent;
}

function fromInstance(r: InstanceRecord): TableEntity {
  return {
    partitionKey: escapePartitionKey(r.instanceId),
    rowKey: "",
    Name: r.name,
    Version: r.version,
    Input: r.input === null ? undefined : checkSize("Input", r.input),
    Output: r.output === null ? undefined : checkSize("Output", r.output),
    CustomStatus: r.customStatus === null ? "null" : checkSize("CustomStatus", r.customStatus),
    RuntimeStatus: r.runtimeStatus,
    CreatedTime: r.createdTime,
    LastUpdatedTime: r.lastUpdatedTime,
    CompletedTime: r.completedTime ?? undefined,
    ExecutionId: r.executionId,
    Generation: r.generation,
    ParentInstanceId: r.parentInstanceId ?? undefined,
  };
}

function toInstance(row: TableEntity): InstanceRecord {
  const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
  return {
    instanceId: unescapePartitionKey(row.partitionKey),
    name: String(row.Name),
    version: String(row.Version ?? ""),
    input: typeof row.Input === "string" ? row.Input : null,
    output: typeof row.Output === "string" ? row.Output : null,
    customStatus: row.CustomStatus === "null" || row.CustomStatus === undefined ? null : String(row.CustomStatus),
    runtimeStatus: row.RuntimeStatus as RuntimeStatus,
    createdTime: date(row.CreatedTime),
    lastUpdatedTime: date(row.LastUpdatedTime),
    completedTime: row.CompletedTime === undefined ? null : date(row.CompletedTime),
    executionId: String(row.ExecutionId),
    generation: Number(row.Generation ?? 0),
    parentInstanceId: typeof row.ParentInstanceId === "string" ? row.ParentInstanceId : null,
  };
}
