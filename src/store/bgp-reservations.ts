import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import { parseColumn } from "./columns";
import type { StoredInterconnect } from "./interconnect-record";
import { isRestError, type LazyTable } from "./table-client";

/**
 * One row per /30 BGP block in use (partition "bgp-block" of the interconnects table, row key = the
 * block), created with a conditional insert: two requests can never both get the same block, which
 * reading the records and then writing one cannot promise. A row names its interconnect and the
 * provisioning attempt that took it; teardown removes the rows when the interconnect is deleted.
 *
 * A row left behind by a request that crashed, or a teardown that never released, is reclaimed by the
 * next request that wants the block: when its interconnect no longer holds the block, and the row is
 * older than the grace period that covers a request still on its way to writing the record. A record
 * that failed having left nothing on either cloud (failedProvisioningLeftNothing) holds no block.
 */
const PARTITION = "bgp-block";
const DEFAULT_GRACE_MS = 60_000;

export interface BgpBlockReservation {
  /** The /30 block, e.g. "192.168.100.0/30". */
  block: string;
  /** The interconnect name. */
  owner: string;
  /** The provisioning attempt that reserved it (the record's attempt counter). */
  attempt: number;
  reservedAt: string;
  etag: string;
}

/** What reserve() took, with the ETags to release exactly that and nothing another writer touched since. */
export interface HeldBlocks {
  owner: string;
  attempt: number;
  /** etag: set when this request wrote the row, so it may give it back; absent when shared with a concurrent request for the same name. */
  blocks: { block: string; etag?: string }[];
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

export interface BgpBlockReservationsOptions {
  now?: () => Date;
  graceMs?: number;
}

export class BgpBlockReservations {
  private readonly now: () => Date;
  private readonly graceMs: number;

  constructor(
    private readonly table: LazyTable,
    /** Reads an interconnect record: whether a row's owner still holds its block. */
    private readonly readRecord: (name: string) => Promise<StoredInterconnect | undefined>,
    options: BgpBlockReservationsOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  }

  async list(): Promise<BgpBlockReservation[]> {
    const client = await this.table.get();
    const out: BgpBlockReservation[] = [];
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } })) {
      out.push(fromEntity(entity));
    }
    return out;
  }

  /** Rows that count as taken for anyone but their owner without asking: young enough to be a request in flight. */
  isRecent(reservation: BgpBlockReservation): boolean {
    return this.now().getTime() - Date.parse(reservation.reservedAt) < this.graceMs;
  }

  /**
   * Takes every block for `owner` or none: on a block held by another interconnect, what was taken
   * here is given back and BgpBlockTakenError names the block and its holder.
   */
  async reserve(owner: string, attempt: number, blocks: readonly string[]): Promise<HeldBlocks> {
    const client = await this.table.get();
    const held: HeldBlocks = { owner, attempt, blocks: [] };
    try {
      for (const block of blocks) {
        const etag = await this.reserveOne(client, owner, attempt, block);
        held.blocks.push(etag === undefined ? { block } : { block, etag });
      }
    } catch (error) {
      await this.releaseHeld(held);
      throw error;
    }
    return held;
  }

  /** Gives back what reserve() took, except rows another writer has since touched (a concurrent request for the same name). */
  async releaseHeld(held: HeldBlocks): Promise<void> {
    const client = await this.table.get();
    for (const { block, etag } of held.blocks) if (etag !== undefined) await deleteIfUnchanged(client, block, etag);
  }

  /** The interconnect is deleted: its rows from this attempt and earlier go; a newer attempt's stay. */
  async releaseOwner(owner: string, upToAttempt: number): Promise<string[]> {
    const client = await this.table.get();
    const released: string[] = [];
    const filter = odata`PartitionKey eq ${PARTITION} and owner eq ${owner}`;
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const row = fromEntity(entity);
      if (row.attempt <= upToAttempt && (await deleteIfUnchanged(client, row.block, row.etag))) released.push(row.block);
    }
    return released;
  }

  /** The row's ETag when this call wrote it; undefined when a concurrent request for the same name holds it. */
  private async reserveOne(client: TableClient, owner: string, attempt: number, block: string): Promise<string | undefined> {
    for (let round = 1; round <= 5; round++) {
      const entity = { partitionKey: PARTITION, rowKey: rowKey(block), block, owner, attempt, reservedAt: this.now().toISOString() };
      try {
        return etagOf((await client.createEntity(entity)).etag);
      } catch (error) {
        if (!isRestError(error, 409)) throw error;
      }
      const existing = await readRow(client, block);
      if (!existing) continue;
      // A concurrent request for the same name and attempt took it: shared, and only its taker may give it back.
      if (existing.owner === owner && existing.attempt >= attempt) return undefined;
      if (existing.owner !== owner && (await this.heldByOwner(existing))) throw new BgpBlockTakenError(block, existing.owner);
      // Left by an earlier attempt of this name, or stale: take it over, conditional on the row as read.
      try {
        return etagOf((await client.updateEntity(entity, "Replace", { etag: existing.etag })).etag);
      } catch (error) {
        if (!isRestError(error, 412) && !isRestError(error, 404)) throw error;
      }
    }
    throw new DomainError(ErrorCodes.CONFLICT, `BGP block ${block} is being reserved by several requests at once; retry.`, { details: { block } });
  }

  private async heldByOwner(row: BgpBlockReservation): Promise<boolean> {
    const record = await this.readRecord(row.owner);
    // Nothing on either cloud uses the blocks of a provisioning that failed having built nothing, or whose compensation removed it all.
    if (record && failedProvisioningLeftNothing(record) && record.attempt >= row.attempt) return false;
    if (record && record.state !== "deleted") {
      const plan = record.bgpPlan;
      if (plan && (plan.primary.cidr === row.block || plan.secondary.cidr === row.block)) return true;
    }
    // A deleted interconnect's own attempts are over; a newer attempt may still be writing its record.
    if (record?.state === "deleted" && record.attempt >= row.attempt) return false;
    return this.isRecent(row);
  }
}

/** "/" is not allowed in a row key. */
function rowKey(block: string): string {
  return block.replace("/", "-");
}

async function readRow(client: TableClient, block: string): Promise<BgpBlockReservation | undefined> {
  try {
    return fromEntity(await client.getEntity<Record<string, unknown>>(PARTITION, rowKey(block)));
  } catch (error) {
    if (isRestError(error, 404)) return undefined;
    throw error;
  }
}

async function deleteIfUnchanged(client: TableClient, block: string, etag: string): Promise<boolean> {
  try {
    await client.deleteEntity(PARTITION, rowKey(block), { etag });
    return true;
  } catch (error) {
    if (isRestError(error, 404) || isRestError(error, 412)) return false;
    throw error;
  }
}

function fromEntity(entity: Record<string, unknown>): BgpBlockReservation {
  const where = `bgp-block/${String(entity.rowKey)}`;
  return {
    block: parseColumn(where, "block", entity.block, z.string().min(1)),
    owner: parseColumn(where, "owner", entity.owner, z.string().min(1)),
    attempt: parseColumn(where, "attempt", entity.attempt, z.number().int().min(0)),
    reservedAt: parseColumn(where, "reservedAt", entity.reservedAt, z.string().refine((s) => !Number.isNaN(Date.parse(s)))),
    etag: etagOf(entity.etag),
  };
}

function etagOf(etag: unknown): string {
  if (typeof etag !== "string" || !etag) throw new DomainError(ErrorCodes.INTERNAL, "Table Storage returned no ETag for a BGP block reservation.");
  return etag;
}
