import { createHash, randomBytes } from "node:crypto";
import { odata, type TableEntityResultPage } from "@azure/data-tables";
import { z } from "zod";
import { ValidationError } from "../domain/errors";
import { decodeJson, encodeJson, MAX_STRING_PROPERTY_CHARS, parseColumn, parseInput } from "./columns";
import { INTERCONNECT_NAME, jsonObjectSchema, OPERATION_KINDS, type JsonObject, type OperationKind } from "./interconnect-record";
import { maskSecretsInText, sanitizeForStorage } from "./secrets";
import { assertTableName, createTableClient, isRestError, LazyTable, type TableStorageTarget } from "./table-client";

/**
 * "retrying": a step met a condition it expects to pass (a pending resource, throttling that outlasted
 * the SDK's own retries) and will be called again; only "failed" means the step, or the run, gave up.
 */
export const AUDIT_PHASES = ["started", "succeeded", "failed", "retrying", "info"] as const;
export type AuditPhase = (typeof AUDIT_PHASES)[number];

export interface AuditEntryInput {
  /** The interconnect name: the partition of its audit trail. */
  interconnect: string;
  step: string;
  phase: AuditPhase;
  /** Who: the EasyAuth principal, the ITSM requester, or "system" for the workflow itself. */
  actor: string;
  ticketRef?: string;
  /** Durable orchestration instance id of the operation, when there is one. */
  instanceId?: string;
  operation: OperationKind;
  /** x-ms-request-id / opc-request-id values of the cloud calls made by the step. */
  cloudRequestIds?: string[];
  durationMs?: number;
  /** Outcome in words, e.g. the cloud's error message on failure. */
  message?: string;
  details?: JsonObject;
}

export interface AuditEntry extends Omit<AuditEntryInput, "cloudRequestIds"> {
  /** Row key: chronological and unique. */
  id: string;
  at: string;
  cloudRequestIds: string[];
}

/**
 * Makes an append idempotent: the key of one event (deterministic across re-runs of the writer). The
 * row and a marker row under the key are written in one transaction, so a writer that runs again
 * after a crash finds its event already there. "skip": the second write is the same event written
 * again (nothing is added); "rerun": the work behind it really ran again, so a row still goes in,
 * marked as a re-run of that event, never as a second first run.
 */
export interface AuditEventKey {
  key: string;
  onDuplicate: "skip" | "rerun";
}

/** Marker rows sort after every entry (row keys start with an ISO time) and are left out of listings. */
const EVENT_MARKER_PREFIX = "~event~";

export interface AuditPage {
  items: AuditEntry[];
  continuationToken?: string;
}

/** Longer messages are cut rather than failing the step that is being audited. */
export const MAX_AUDIT_MESSAGE_CHARS = 8_000;

const entryInputSchema = z.strictObject({
  interconnect: z.string().regex(INTERCONNECT_NAME, "must be 3-40 characters: lowercase letters, digits and hyphens"),
  step: z.string().min(1).max(100),
  phase: z.enum(AUDIT_PHASES),
  actor: z.string().min(1).max(256),
  ticketRef: z.string().min(1).max(100).optional(),
  instanceId: z.string().min(1).max(200).optional(),
  operation: z.enum(OPERATION_KINDS),
  cloudRequestIds: z.array(z.string().min(1).max(200)).max(50).optional(),
  durationMs: z.number().int().min(0).optional(),
  message: z.string().optional(),
  details: jsonObjectSchema.optional(),
});

const stringList = z.array(z.string());

/**
 * Append-only audit trail: partition = interconnect name, row key = ISO time + per-process sequence +
 * random suffix. ISO strings sort chronologically, the sequence orders appends within one millisecond
 * (and survives a clock that steps back), and the suffix keeps writers in different processes from
 * colliding. Entries never hold secrets: everything passes through the sanitizer first.
 */
export class AuditLog {
  private readonly table: LazyTable;
  private readonly now: () => Date;

  constructor(target: TableStorageTarget, tableName: string, options: { now?: () => Date } = {}) {
    assertTableName("AUDIT_TABLE", tableName);
    this.table = new LazyTable(createTableClient(target, tableName));
    this.now = options.now ?? (() => new Date());
  }

  /** The entry as written; undefined when `event` says it was written before and is to be skipped. */
  async append(input: AuditEntryInput): Promise<AuditEntry>;
  async append(input: AuditEntryInput, event: AuditEventKey | undefined): Promise<AuditEntry | undefined>;
  async append(input: AuditEntryInput, event?: AuditEventKey): Promise<AuditEntry | undefined> {
    const valid = parseInput("auditEntry", input, entryInputSchema);
    const at = this.now();
    const id = nextRowKey(at.getTime());
    const entry: AuditEntry = {
      id,
      at: at.toISOString(),
      interconnect: valid.interconnect,
      step: maskSecretsInText(valid.step, "step"),
      phase: valid.phase,
      actor: maskSecretsInText(valid.actor, "actor"),
      operation: valid.operation,
      cloudRequestIds: (valid.cloudRequestIds ?? []).map((r, i) => maskSecretsInText(r, `cloudRequestIds[${i}]`)),
    };
    if (valid.ticketRef !== undefined) entry.ticketRef = maskSecretsInText(valid.ticketRef, "ticketRef");
    if (valid.instanceId !== undefined) entry.instanceId = valid.instanceId;
    if (valid.durationMs !== undefined) entry.durationMs = valid.durationMs;
    if (valid.message !== undefined) entry.message = truncate(maskSecretsInText(valid.message, "message"));
    if (valid.details !== undefined) entry.details = fitDetails(sanitizeForStorage(valid.details, "details") as JsonObject);

    const entity: { partitionKey: string; rowKey: string } & Record<string, string | number> = {
      partitionKey: entry.interconnect,
      rowKey: id,
      at: entry.at,
      step: entry.step,
      phase: entry.phase,
      actor: entry.actor,
      operation: entry.operation,
      cloudRequestIds: encodeJson("cloudRequestIds", entry.cloudRequestIds),
    };
    if (entry.ticketRef !== undefined) entity.ticketRef = entry.ticketRef;
    if (entry.instanceId !== undefined) entity.instanceId = entry.instanceId;
    if (entry.durationMs !== undefined) entity.durationMs = entry.durationMs;
    if (entry.message !== undefined) entity.message = entry.message;
    if (entry.details !== undefined) entity.details = encodeJson("details", entry.details);

    const client = await this.table.get();
    if (event === undefined) {
      await client.createEntity(entity);
      return entry;
    }
    const marker = { partitionKey: entry.interconnect, rowKey: EVENT_MARKER_PREFIX + eventMarker(event.key), entryId: id };
    try {
      await client.submitTransaction([
        ["create", marker],
        ["create", entity],
      ]);
      return entry;
    } catch (error) {
      if (!isRestError(error, 409)) throw error;
    }
    if (event.onDuplicate === "skip") return undefined;
    const rerun: AuditEntry = {
      ...entry,
      message: `re-run after an interrupted run (crash or lost lease)${entry.message ? `: ${entry.message}` : ""}`,
      details: { ...entry.details, rerun: true },
    };
    await client.createEntity({ ...entity, message: rerun.message ?? "", details: encodeJson("details", rerun.details) });
    return rerun;
  }

  /**
   * One page of an interconnect's trail, newest first unless `order` is "asc". Table storage returns a
   * partition in row-key (= time) order only, so a newest-first page reads the rows older than the page
   * before it and keeps the last `top`: a trail holds some hundreds of rows per provisioning and teardown.
   */
  async list(interconnect: string, options: { top?: number; continuationToken?: string; order?: "asc" | "desc" } = {}): Promise<AuditPage> {
    if (!INTERCONNECT_NAME.test(interconnect)) {
      throw new ValidationError([{ path: "interconnect", message: "must be 3-40 characters: lowercase letters, digits and hyphens" }]);
    }
    const top = options.top ?? 100;
    if (!Number.isInteger(top) || top < 1 || top > 1000) {
      throw new ValidationError([{ path: "top", message: "must be an integer from 1 to 1000" }]);
    }
    const client = await this.table.get();
    if (options.order === "desc") return this.newestFirst(client, interconnect, top, options.continuationToken);
    const pages = client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${interconnect} and RowKey lt ${EVENT_MARKER_PREFIX}` },
      })
      .byPage({ maxPageSize: top, ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}) });
    const first = await pages.next();
    if (first.done) return { items: [] };
    const page: TableEntityResultPage<Record<string, unknown>> = first.value;
    const items = page.map(fromEntity);
    return page.continuationToken ? { items, continuationToken: page.continuationToken } : { items };
  }

  /** The token has the SDK's shape ({nextPartitionKey, nextRowKey}); here it means "rows older than nextRowKey". */
  private async newestFirst(
    client: Awaited<ReturnType<LazyTable["get"]>>,
    interconnect: string,
    top: number,
    token: string | undefined,
  ): Promise<AuditPage> {
    const before = token === undefined ? undefined : olderThan(token, interconnect);
    // Entry ids sort below the keyed rows' markers (~event~…), which are no entries: the window stops under them.
    const below = before !== undefined && before < EVENT_MARKER_PREFIX ? before : EVENT_MARKER_PREFIX;
    const filter = odata`PartitionKey eq ${interconnect} and RowKey lt ${below}`;
    const window: Record<string, unknown>[] = [];
    let older = false;
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      window.push(entity);
      if (window.length > top) {
        window.shift();
        older = true;
      }
    }
    const items = window.reverse().map(fromEntity);
    const last = items.at(-1);
    if (!older || !last) return { items };
    const continuationToken = Buffer.from(JSON.stringify({ nextPartitionKey: interconnect, nextRowKey: last.id }), "latin1").toString(
      "base64",
    );
    return { items, continuationToken };
  }
}

function olderThan(token: string, interconnect: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("latin1"));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { nextPartitionKey?: unknown; nextRowKey?: unknown } | undefined;
  if (p?.nextPartitionKey !== interconnect || typeof p.nextRowKey !== "string") {
    throw new ValidationError([{ path: "continuationToken", message: "must be the token from a previous page's nextLink of this trail" }]);
  }
  return p.nextRowKey;
}

let lastMs = 0;
let sequence = 0;

function nextRowKey(ms: number): string {
  if (ms > lastMs) {
    lastMs = ms;
    sequence = 0;
  } else {
    sequence += 1;
  }
  return `${new Date(lastMs).toISOString()}-${String(sequence).padStart(6, "0")}-${randomBytes(4).toString("hex")}`;
}

/** Row keys may not hold / \\ # ? or control characters: the key is hashed. */
function eventMarker(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function truncate(message: string): string {
  if (message.length <= MAX_AUDIT_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_AUDIT_MESSAGE_CHARS)}… [truncated ${message.length - MAX_AUDIT_MESSAGE_CHARS} characters]`;
}

/** An oversized details object is replaced by a marker: the audit row must still be written. */
function fitDetails(details: JsonObject): JsonObject {
  const size = JSON.stringify(details).length;
  return size <= MAX_STRING_PROPERTY_CHARS ? details : { truncated: true, originalChars: size };
}

const optionalString = z.string().optional();

function fromEntity(entity: Record<string, unknown>): AuditEntry {
  const where = `audit/${String(entity.partitionKey)}/${String(entity.rowKey)}`;
  const entry: AuditEntry = {
    id: String(entity.rowKey),
    at: parseColumn(where, "at", entity.at, z.string()),
    interconnect: String(entity.partitionKey),
    step: parseColumn(where, "step", entity.step, z.string()),
    phase: parseColumn(where, "phase", entity.phase, z.enum(AUDIT_PHASES)),
    actor: parseColumn(where, "actor", entity.actor, z.string()),
    operation: parseColumn(where, "operation", entity.operation, z.enum(OPERATION_KINDS)),
    cloudRequestIds: decodeJson(where, "cloudRequestIds", entity.cloudRequestIds, stringList),
  };
  const ticketRef = parseColumn(where, "ticketRef", entity.ticketRef, optionalString);
  const instanceId = parseColumn(where, "instanceId", entity.instanceId, optionalString);
  const durationMs = parseColumn(where, "durationMs", entity.durationMs, z.number().int().min(0).optional());
  const message = parseColumn(where, "message", entity.message, optionalString);
  if (ticketRef !== undefined) entry.ticketRef = ticketRef;
  if (instanceId !== undefined) entry.instanceId = instanceId;
  if (durationMs !== undefined) entry.durationMs = durationMs;
  if (message !== undefined) entry.message = message;
  if (entity.details !== undefined) entry.details = decodeJson(where, "details", entity.details, jsonObjectSchema);
  return entry;
}
