import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import { parseColumn } from "./columns";
import type { StoredInterconnect } from "./interconnect-record";
import { DEFAULT_CONTENTION, LOST_RACE, withOptimisticRounds, type ContentionBudget } from "./optimistic";
import { isRestError, type LazyTable } from "./table-client";

/**
 * Conditional reservations in a partition of the interconnects table: one row per reserved thing,
 * created with a conditional insert, so two requests can never both get it, which reading the records
 * and then writing one cannot promise. A row names its interconnect and the attempt that took it.
 *
 * A row whose owner no longer holds the thing (the kind's rule), or whose owner never wrote a record
 * and which is older than the grace period that covers a request still on its way to writing it, is
 * taken over by the next request, conditional on the row as read.
 */
const DEFAULT_GRACE_MS = 60_000;

export interface Reservation<K> {
  key: K;
  /** The interconnect name. */
  owner: string;
  /** The attempt that reserved it (the record's attempt counter). */
  attempt: number;
  reservedAt: string;
  etag: string;
}

/** What reserve() took, with the ETags to release exactly that and nothing another writer touched since. */
export interface Held<K> {
  owner: string;
  attempt: number;
  /** etag: set when this request wrote the row, so it may give it back; absent when shared with a concurrent request for the same name. */
  rows: { key: K; etag?: string }[];
}

/** What tells one kind of reservation from another. */
export interface ReservationKind<K> {
  partition: string;
  /** For messages and error details: "BGP block"/"block", "network"/"network". */
  what: string;
  detailKey: string;
  rowKey(key: K): string;
  label(key: K): string;
  columns(key: K): Record<string, string>;
  keyOf(entity: Record<string, unknown>, where: string): K;
  /** Whether the row's owner (its record, if any) still holds the key; `recent`: the row is within the grace period. */
  holds(row: Reservation<K>, holder: StoredInterconnect | undefined, recent: boolean): boolean;
  taken(key: K, holder: StoredInterconnect | undefined, holderName: string): DomainError;
}

export interface ReservationOptions {
  now?: () => Date;
  graceMs?: number;
  contention?: ContentionBudget;
}

export class Reservations<K> {
  private readonly now: () => Date;
  private readonly graceMs: number;
  private readonly contention: ContentionBudget;

  constructor(
    private readonly kind: ReservationKind<K>,
    private readonly table: LazyTable,
    /** Reads an interconnect record: whether a row's owner still holds its key. */
    private readonly readRecord: (name: string) => Promise<StoredInterconnect | undefined>,
    options: ReservationOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.contention = options.contention ?? DEFAULT_CONTENTION;
  }

  async list(): Promise<Reservation<K>[]> {
    const client = await this.table.get();
    const out: Reservation<K>[] = [];
    for await (const entity of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${this.kind.partition}` },
    })) {
      out.push(this.fromEntity(entity));
    }
    return out;
  }

  /** Rows that count as taken for anyone but their owner without asking: young enough to be a request in flight. */
  isRecent(reservation: Reservation<K>): boolean {
    return this.now().getTime() - Date.parse(reservation.reservedAt) < this.graceMs;
  }

  /** Takes every key for `owner` or none: on a key another interconnect holds, what was taken here is given back and the kind's error names it. */
  async reserve(owner: string, attempt: number, keys: readonly K[]): Promise<Held<K>> {
    const client = await this.table.get();
    const held: Held<K> = { owner, attempt, rows: [] };
    try {
      for (const key of keys) {
        const etag = await this.reserveOne(client, owner, attempt, key);
        held.rows.push(etag === undefined ? { key } : { key, etag });
      }
    } catch (error) {
      await this.releaseHeld(held);
      throw error;
    }
    return held;
  }

  /** Gives back what reserve() took, except rows another writer has since touched (a concurrent request for the same name). */
  async releaseHeld(held: Held<K>): Promise<void> {
    const client = await this.table.get();
    for (const { key, etag } of held.rows) if (etag !== undefined) await this.deleteIfUnchanged(client, key, etag);
  }

  /** The interconnect is deleted: its rows from this attempt and earlier go; a newer attempt's stay. */
  async releaseOwner(owner: string, upToAttempt: number): Promise<K[]> {
    const client = await this.table.get();
    const released: K[] = [];
    const filter = odata`PartitionKey eq ${this.kind.partition} and owner eq ${owner}`;
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const row = this.fromEntity(entity);
      if (row.attempt <= upToAttempt && (await this.deleteIfUnchanged(client, row.key, row.etag))) released.push(row.key);
    }
    return released;
  }

  /** The row's ETag when this call wrote it; undefined when a concurrent request for the same name holds it. */
  private async reserveOne(client: TableClient, owner: string, attempt: number, key: K): Promise<string | undefined> {
    const label = this.kind.label(key);
    return withOptimisticRounds(
      this.contention,
      (rounds, ms) => ({
        message: `${this.kind.what} ${label} is being reserved by several requests at once (${rounds} rounds in ${ms} ms); retry.`,
        details: { [this.kind.detailKey]: label },
      }),
      async () => {
        const entity = {
          partitionKey: this.kind.partition,
          rowKey: this.kind.rowKey(key),
          ...this.kind.columns(key),
          owner,
          attempt,
          reservedAt: this.now().toISOString(),
        };
        try {
          return this.etagOf((await client.createEntity(entity)).etag);
        } catch (error) {
          if (!isRestError(error, 409)) throw error;
        }
        const existing = await this.readRow(client, key);
        if (!existing) return LOST_RACE;
        // A concurrent request for the same name and attempt took it: shared, and only its taker may give it back.
        if (existing.owner === owner && existing.attempt >= attempt) return undefined;
        if (existing.owner !== owner) {
          const holder = await this.readRecord(existing.owner);
          if (this.kind.holds(existing, holder, this.isRecent(existing))) throw this.kind.taken(key, holder, existing.owner);
        }
        // Left by an earlier attempt of this name, or no longer held: take it over, conditional on the row as read.
        try {
          return this.etagOf((await client.updateEntity(entity, "Replace", { etag: existing.etag })).etag);
        } catch (error) {
          if (!isRestError(error, 412) && !isRestError(error, 404)) throw error;
          return LOST_RACE;
        }
      },
    );
  }

  private async readRow(client: TableClient, key: K): Promise<Reservation<K> | undefined> {
    try {
      return this.fromEntity(await client.getEntity<Record<string, unknown>>(this.kind.partition, this.kind.rowKey(key)));
    } catch (error) {
      if (isRestError(error, 404)) return undefined;
      throw error;
    }
  }

  private async deleteIfUnchanged(client: TableClient, key: K, etag: string): Promise<boolean> {
    try {
      await client.deleteEntity(this.kind.partition, this.kind.rowKey(key), { etag });
      return true;
    } catch (error) {
      if (isRestError(error, 404) || isRestError(error, 412)) return false;
      throw error;
    }
  }

  private fromEntity(entity: Record<string, unknown>): Reservation<K> {
    const where = `${this.kind.partition}/${String(entity.rowKey)}`;
    return {
      key: this.kind.keyOf(entity, where),
      owner: parseColumn(where, "owner", entity.owner, z.string().min(1)),
      attempt: parseColumn(where, "attempt", entity.attempt, z.number().int().min(0)),
      reservedAt: parseColumn(
        where,
        "reservedAt",
        entity.reservedAt,
        z.string().refine((s) => !Number.isNaN(Date.parse(s))),
      ),
      etag: this.etagOf(entity.etag),
    };
  }

  private etagOf(etag: unknown): string {
    if (typeof etag !== "string" || !etag)
      throw new DomainError(ErrorCodes.INTERNAL, `Table Storage returned no ETag for a ${this.kind.what} reservation.`);
    return etag;
  }
}

export class BgpBlockTakenError extends DomainError {
  constructor(
    readonly block: string,
    readonly holder: string,
  ) {
    super(ErrorCodes.CONFLICT, `BGP block ${block} is reserved by interconnect "${holder}".`, { details: { block, holder } });
    this.name = "BgpBlockTakenError";
  }
}

/**
 * One row per /30 BGP block in use (partition "bgp-block", row key = the block); teardown removes the
 * rows when the interconnect is deleted. A record that failed having left nothing on either cloud
 * (failedProvisioningLeftNothing) holds no block.
 */
export const BGP_BLOCKS: ReservationKind<string> = {
  partition: "bgp-block",
  what: "BGP block",
  detailKey: "block",
  // "/" is not allowed in a row key.
  rowKey: (block) => block.replace("/", "-"),
  label: (block) => block,
  columns: (block) => ({ block }),
  keyOf: (entity, where) => parseColumn(where, "block", entity.block, z.string().min(1)),
  holds(row, record, recent) {
    // Nothing on either cloud uses the blocks of a provisioning that failed having built nothing, or whose compensation removed it all.
    if (record && failedProvisioningLeftNothing(record) && record.attempt >= row.attempt) return false;
    if (record && record.state !== "deleted") {
      const plan = record.bgpPlan;
      if (plan && (plan.primary.cidr === row.key || plan.secondary.cidr === row.key)) return true;
    }
    // A deleted interconnect's own attempts are over; a newer attempt may still be writing its record.
    if (record?.state === "deleted" && record.attempt >= row.attempt) return false;
    return recent;
  },
  taken: (block, _holder, holderName) => new BgpBlockTakenError(block, holderName),
};
