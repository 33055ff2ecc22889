import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { IN_FLIGHT_STATES, interconnectNetworks, type NetworkKey, type NetworkKind } from "../domain/networks";
import { parseColumn } from "./columns";
import type { StoredInterconnect } from "./interconnect-record";
import { isRestError, type LazyTable } from "./table-client";

/**
 * One row per VNet and per VCN with a run in flight on it (partition "network" of the interconnects
 * table), taken with a conditional insert at POST, so two requests can never both start building on
 * the same network. A row stays, and is simply taken over by the next interconnect, once its holder is
 * no longer in flight (active, failed or deleted: an active interconnect's gateway is finished and may
 * be shared), or when its holder never wrote a record and the row is older than the grace period.
 */
const PARTITION = "network";
const DEFAULT_GRACE_MS = 60_000;

export interface NetworkReservation {
  kind: NetworkKind;
  /** ARM id (lowercased) or OCID. */
  networkId: string;
  owner: string;
  attempt: number;
  reservedAt: string;
  etag: string;
}

/** What reserve() took; etag absent for a row a concurrent request for the same name wrote. */
export interface HeldNetworks {
  owner: string;
  rows: { key: NetworkKey; etag?: string }[];
}

export class NetworkTakenError extends DomainError {
  constructor(
    readonly network: NetworkKey,
    readonly holder: StoredInterconnect | undefined,
    readonly holderName: string,
  ) {
    super(ErrorCodes.CONFLICT, `${network.kind === "vcn" ? "VCN" : "Virtual network"} ${network.id} is in use by interconnect "${holderName}".`, {
      details: { network: network.id, holder: holderName, ...(holder ? { holderState: holder.state } : {}) },
    });
    this.name = "NetworkTakenError";
  }
}

export class NetworkReservations {
  private readonly now: () => Date;
  private readonly graceMs: number;

  constructor(
    private readonly table: LazyTable,
    private readonly readRecord: (name: string) => Promise<StoredInterconnect | undefined>,
    options: { now?: () => Date; graceMs?: number } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  }

  async list(): Promise<NetworkReservation[]> {
    const client = await this.table.get();
    const out: NetworkReservation[] = [];
    for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } })) {
      out.push(fromEntity(entity));
    }
    return out;
  }

  /** Every network for `owner`, or none: NetworkTakenError names the first one another run holds. */
  async reserve(owner: string, attempt: number, networks: readonly NetworkKey[]): Promise<HeldNetworks> {
    const client = await this.table.get();
    const held: HeldNetworks = { owner, rows: [] };
    try {
      for (const key of networks) {
        const etag = await this.reserveOne(client, owner, attempt, key);
        held.rows.push(etag === undefined ? { key } : { key, etag });
      }
    } catch (error) {
      await this.releaseHeld(held);
      throw error;
    }
    return held;
  }

  /** Gives back what reserve() wrote, unless another writer has touched the row since. */
  async releaseHeld(held: HeldNetworks): Promise<void> {
    const client = await this.table.get();
    for (const { key, etag } of held.rows) {
      if (etag === undefined) continue;
      try {
        await client.deleteEntity(PARTITION, rowKey(key), { etag });
      } catch (error) {
        if (!isRestError(error, 404) && !isRestError(error, 412)) throw error;
      }
    }
  }

  private async reserveOne(client: TableClient, owner: string, attempt: number, key: NetworkKey): Promise<string | undefined> {
    for (let round = 1; round <= 5; round++) {
      const entity = { partitionKey: PARTITION, rowKey: rowKey(key), kind: key.kind, networkId: key.id, owner, attempt, reservedAt: this.now().toISOString() };
      try {
        return etagOf((await client.createEntity(entity)).etag);
      } catch (error) {
        if (!isRestError(error, 409)) throw error;
      }
      const existing = await readRow(client, key);
      if (!existing) continue;
      if (existing.owner === owner && existing.attempt >= attempt) return undefined;
      if (existing.owner !== owner) {
        const holder = await this.readRecord(existing.owner);
        if (this.holds(existing, key, holder)) throw new NetworkTakenError(key, holder, existing.owner);
      }
      try {
        return etagOf((await client.updateEntity(entity, "Replace", { etag: existing.etag })).etag);
      } catch (error) {
        if (!isRestError(error, 412) && !isRestError(error, 404)) throw error;
      }
    }
    throw new DomainError(ErrorCodes.CONFLICT, `${key.id} is being reserved by several requests at once; retry.`, { details: { network: key.id } });
  }

  private holds(row: NetworkReservation, key: NetworkKey, holder: StoredInterconnect | undefined): boolean {
    if (holder && holder.state !== "deleted") {
      const onIt = interconnectNetworks(holder.spec).some((n) => n.kind === key.kind && n.id === key.id);
      if (onIt) return IN_FLIGHT_STATES.includes(holder.state);
    }
    // An attempt the record has moved past is over; a newer one may still be on its way to writing the record.
    if (holder && holder.attempt >= row.attempt) return false;
    return this.now().getTime() - Date.parse(row.reservedAt) < this.graceMs;
  }
}

/** Row keys must not contain / \ # ?; neither ARM names nor OCIDs use "|". */
function rowKey(key: NetworkKey): string {
  return `${key.kind}|${key.id.replace(/[/\\#?]/g, "|")}`;
}

async function readRow(client: TableClient, key: NetworkKey): Promise<NetworkReservation | undefined> {
  try {
    return fromEntity(await client.getEntity<Record<string, unknown>>(PARTITION, rowKey(key)));
  } catch (error) {
    if (isRestError(error, 404)) return undefined;
    throw error;
  }
}

function fromEntity(entity: Record<string, unknown>): NetworkReservation {
  const where = `network/${String(entity.rowKey)}`;
  return {
    kind: parseColumn(where, "kind", entity.kind, z.enum(["virtualNetwork", "vcn"])),
    networkId: parseColumn(where, "networkId", entity.networkId, z.string().min(1)),
    owner: parseColumn(where, "owner", entity.owner, z.string().min(1)),
    attempt: parseColumn(where, "attempt", entity.attempt, z.number().int().min(0)),
    reservedAt: parseColumn(where, "reservedAt", entity.reservedAt, z.string().refine((s) => !Number.isNaN(Date.parse(s)))),
    etag: etagOf(entity.etag),
  };
}

function etagOf(etag: unknown): string {
  if (typeof etag !== "string" || !etag) throw new DomainError(ErrorCodes.INTERNAL, "Table Storage returned no ETag for a network reservation.");
  return etag;
}
