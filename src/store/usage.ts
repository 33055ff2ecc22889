import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { SHARED_KINDS, usesResources, type SharedKind, type Usage } from "../domain/sharing";
import { decodeJson, encodeJson, parseColumn } from "./columns";
import type { StoredInterconnect } from "./interconnect-record";
import { DEFAULT_CONTENTION, LOST_RACE, withOptimisticRounds, type ContentionBudget } from "./optimistic";
import { isRestError, type LazyTable } from "./table-client";

/**
 * Usage rows of shared resources (src/domain/sharing.ts), in partition "usage" of the interconnects
 * table, next to the records: one row per resource (row key = kind and the lower-cased id), its users
 * a JSON list. Every change is a conditional write on the ETag read (insert-if-absent for a new row),
 * redone on 409/412, so two runs that share a DRG from different VCNs never lose each other's use.
 * Adding and taking off a name are idempotent: a redelivered activity changes nothing the second time.
 */
const PARTITION = "usage";

export interface StoredUsage extends Usage {
  updatedAt: string;
  etag: string;
}

export interface UsageRef {
  kind: SharedKind;
  resourceId: string;
}

const usersSchema = z.array(z.string().min(1));

export class UsageRecords {
  constructor(
    private readonly table: LazyTable,
    /** Reads an interconnect record: a user whose record no longer uses anything is dropped from a row it is released from. */
    private readonly readRecord: (name: string) => Promise<StoredInterconnect | undefined>,
    private readonly now: () => Date = () => new Date(),
    private readonly contention: ContentionBudget = DEFAULT_CONTENTION,
  ) {}

  async get(ref: UsageRef): Promise<StoredUsage | undefined> {
    return this.read(await this.table.get(), ref);
  }

  async list(): Promise<StoredUsage[]> {
    const client = await this.table.get();
    const out: StoredUsage[] = [];
    for await (const entity of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    })) {
      out.push(fromEntity(entity));
    }
    return out;
  }

  /**
   * `user` uses the resource. `createdBy`: the run knows who of this service created it (itself, when it
   * just did); otherwise a new row records it as existing before the service, and an existing row keeps its creator.
   */
  async add(ref: UsageRef, user: string, createdBy?: string): Promise<StoredUsage> {
    return this.change(ref, (row) => {
      const users = [...new Set([...(row?.users ?? []), user])].sort();
      const creator = createdBy ?? row?.createdBy;
      if (row && sameList(row.users, users) && row.createdBy === creator) return "unchanged";
      return { users, ...(creator === undefined ? {} : { createdBy: creator }) };
    });
  }

  /**
   * `user` no longer uses the resource; users whose records no longer use anything go too. A row that
   * did not exist is written (with no users), so a creator known only from the caller's record
   * (`createdBy`) is kept for whoever meets the resource next. Returns the row as left.
   */
  async release(ref: UsageRef, user: string, createdBy?: string): Promise<StoredUsage> {
    const client = await this.table.get();
    const before = await this.read(client, ref);
    // Nothing recorded and no creator known: a resource that existed before the service; no row is worth writing.
    if (!before && createdBy === undefined) return { ...ref, users: [], updatedAt: this.now().toISOString(), etag: "" };
    const stale = new Set<string>();
    for (const other of before?.users ?? []) {
      if (other !== user && !usesResources(await this.readRecord(other))) stale.add(other);
    }
    return this.change(ref, (row) => {
      const users = (row?.users ?? []).filter((u) => u !== user && !stale.has(u));
      const creator = row?.createdBy ?? createdBy;
      if (row && sameList(row.users, users) && row.createdBy === creator) return "unchanged";
      return { users, ...(creator === undefined ? {} : { createdBy: creator }) };
    });
  }

  /** The resource is gone: its row goes, unless someone started using it since (then it stays, as read). */
  async forget(ref: UsageRef): Promise<void> {
    const client = await this.table.get();
    await withOptimisticRounds(this.contention, busy(ref), async () => {
      const row = await this.read(client, ref);
      if (!row || row.users.length > 0) return;
      try {
        await client.deleteEntity(PARTITION, rowKey(ref), { etag: row.etag });
        return;
      } catch (error) {
        if (isRestError(error, 404)) return;
        if (!isRestError(error, 412)) throw error;
        return LOST_RACE;
      }
    });
  }

  private async change(
    ref: UsageRef,
    next: (row: StoredUsage | undefined) => Pick<Usage, "users" | "createdBy"> | "unchanged",
  ): Promise<StoredUsage> {
    const client = await this.table.get();
    return withOptimisticRounds(this.contention, busy(ref), async () => {
      const row = await this.read(client, ref);
      const wanted = next(row);
      if (wanted === "unchanged") return row!;
      const entity = toEntity(ref, wanted, this.now().toISOString());
      try {
        const written = row ? await client.updateEntity(entity, "Replace", { etag: row.etag }) : await client.createEntity(entity);
        return { ...ref, ...wanted, updatedAt: entity.updatedAt, etag: etagOf(written.etag) };
      } catch (error) {
        // Another writer got there first (a row created meanwhile, or changed since it was read): read again.
        if (!isRestError(error, 409) && !isRestError(error, 412) && !isRestError(error, 404)) throw error;
        return LOST_RACE;
      }
    });
  }

  private async read(client: TableClient, ref: UsageRef): Promise<StoredUsage | undefined> {
    try {
      return fromEntity(await client.getEntity<Record<string, unknown>>(PARTITION, rowKey(ref)));
    } catch (error) {
      if (isRestError(error, 404)) return undefined;
      throw error;
    }
  }
}

function busy(ref: UsageRef): (rounds: number, elapsedMs: number) => { message: string } {
  return (rounds, ms) => ({
    message: `The usage row of ${ref.kind} ${ref.resourceId} kept changing under ${rounds} attempts in ${ms} ms; retry.`,
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Row keys must not contain / \ # ?; neither ARM ids nor OCIDs use "|". Ids are compared case-insensitively. */
function rowKey(ref: UsageRef): string {
  return `${ref.kind}|${ref.resourceId.toLowerCase().replace(/[/\\#?]/g, "|")}`;
}

function toEntity(ref: UsageRef, usage: Pick<Usage, "users" | "createdBy">, updatedAt: string) {
  return {
    partitionKey: PARTITION,
    rowKey: rowKey(ref),
    kind: ref.kind,
    resourceId: ref.resourceId,
    users: encodeJson("users", usage.users),
    ...(usage.createdBy === undefined ? {} : { createdBy: usage.createdBy }),
    updatedAt,
  };
}

function fromEntity(entity: Record<string, unknown>): StoredUsage {
  const where = `${PARTITION}/${String(entity.rowKey)}`;
  const createdBy = entity.createdBy === undefined ? undefined : parseColumn(where, "createdBy", entity.createdBy, z.string().min(1));
  return {
    kind: parseColumn(where, "kind", entity.kind, z.enum(SHARED_KINDS)),
    resourceId: parseColumn(where, "resourceId", entity.resourceId, z.string().min(1)),
    users: decodeJson(where, "users", entity.users, usersSchema),
    ...(createdBy === undefined ? {} : { createdBy }),
    updatedAt: parseColumn(where, "updatedAt", entity.updatedAt, z.string()),
    etag: etagOf(entity.etag),
  };
}

function etagOf(etag: unknown): string {
  if (typeof etag !== "string" || !etag) throw new DomainError(ErrorCodes.INTERNAL, "Table Storage returned no ETag for a usage row.");
  return etag;
}
