import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import { z } from "zod";
import type { TurnEntry } from "../domain/network-queue";
import { parseColumn } from "./columns";
import { DEFAULT_CONTENTION, LOST_RACE, withOptimisticRounds, type ContentionBudget } from "./optimistic";
import { isRestError, type LazyTable } from "./table-client";

/**
 * The per-network queue (domain/network-queue.ts has its rule), kept in one partition of the
 * interconnects table so that a run takes the turns of its VNet and VCN in one entity-group
 * transaction, all or nothing:
 * - `holder|<network>`: the run that has the turn (one row per network, so two runs racing for a
 *   turn both write the same row, and the second's conditional write fails);
 * - `waiting|<network>|<owner>`: a run waiting, with its place (`seq`) and the event that wakes it;
 * - `seq`: the counter that numbers arrivals, written in the same transaction as the waiting rows.
 * Rows belong to an interconnect (owner): its next operation (a teardown after a provisioning, a
 * restart over a dead instance) takes over the place and any turn it holds.
 */
const PARTITION = "network-turn";
const SEQ_ROW = "seq";

export interface TurnRow extends TurnEntry {
  /** The event the waiting run's orchestration waits for now (empty for a holder). */
  wakeEvent: string;
  etag: string;
  rowKey: string;
  /** When the row was last written (the table's own Timestamp), ISO: how long an instance it names may be absent while it starts. */
  writtenAt: string;
}

export interface TurnRequest {
  owner: string;
  operation: string;
  instanceId: string;
  /** The run's networks (networkKeyOf), in a fixed order. */
  networks: readonly string[];
  /** Written on the waiting rows: the event that wakes this run now. */
  wakeEvent?: string;
  now?: Date;
}

export class NetworkTurns {
  constructor(
    private readonly table: LazyTable,
    /** Every run joins through the one `seq` row: arrivals at once take turns at it, backing off. */
    readonly contention: ContentionBudget = DEFAULT_CONTENTION,
  ) {}

  /** Every row on these networks (all networks when omitted). */
  async list(networks?: readonly string[]): Promise<TurnRow[]> {
    const client = await this.table.get();
    const out: TurnRow[] = [];
    for await (const entity of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    })) {
      if (entity.rowKey === SEQ_ROW) continue;
      const row = fromEntity(entity);
      if (networks === undefined || networks.includes(row.network)) out.push(row);
    }
    return out;
  }

  /**
   * Takes this run's place on each of its networks, once: a place (or turn) the interconnect has is
   * taken over by this instance; on networks where it has none it joins at the back, with one new
   * number for all of them. Returns every row on the run's networks afterwards.
   */
  async join(request: TurnRequest): Promise<TurnRow[]> {
    const client = await this.table.get();
    return withOptimisticRounds(
      this.contention,
      (rounds, ms) => ({
        message: `The network queue is being changed by several writers at once (${rounds} rounds in ${ms} ms); retry.`,
        details: { partition: PARTITION, networks: request.networks },
      }),
      async () => {
        const rows = await this.list(request.networks);
        const now = (request.now ?? new Date()).toISOString();
        const actions: TransactionAction[] = [];
        const missing: string[] = [];
        for (const network of request.networks) {
          const own = rows.filter((r) => r.network === network && r.owner === request.owner);
          if (own.length === 0) missing.push(network);
          for (const row of own) {
            const wake = row.holds ? "" : (request.wakeEvent ?? row.wakeEvent);
            if (row.instanceId === request.instanceId && row.operation === request.operation && row.wakeEvent === wake) continue;
            actions.push([
              "update",
              {
                partitionKey: PARTITION,
                rowKey: row.rowKey,
                instanceId: request.instanceId,
                operation: request.operation,
                wakeEvent: wake,
              },
              "Merge",
              { etag: row.etag },
            ]);
          }
        }
        if (missing.length > 0) {
          const counter = await readCounter(client);
          const seq = counter?.next ?? 1;
          actions.push(
            counter
              ? ["update", { partitionKey: PARTITION, rowKey: SEQ_ROW, next: seq + 1 }, "Merge", { etag: counter.etag }]
              : ["create", { partitionKey: PARTITION, rowKey: SEQ_ROW, next: seq + 1 }],
          );
          for (const network of missing) {
            actions.push(["create", entityOf("waiting", network, { ...request, seq, since: now, wakeEvent: request.wakeEvent ?? "" })]);
          }
        }
        if (actions.length === 0) return rows;
        return (await submit(client, actions)) ? this.list(request.networks) : LOST_RACE;
      },
    );
  }

  /**
   * Takes the turn on all the run's networks at once, its waiting rows becoming holder rows; false
   * when another writer changed any of them first (the caller reads and decides again).
   */
  async take(request: TurnRequest, rows: readonly TurnRow[]): Promise<boolean> {
    const client = await this.table.get();
    const now = (request.now ?? new Date()).toISOString();
    const actions: TransactionAction[] = [];
    for (const network of request.networks) {
      const own = rows.filter((r) => r.network === network && r.owner === request.owner);
      const holding = own.find((r) => r.holds);
      const waiting = own.find((r) => !r.holds);
      // A delete in a transaction cannot be conditional on the ETag, but it fails when the row is gone (withdrawn).
      if (waiting) actions.push(["delete", { partitionKey: PARTITION, rowKey: waiting.rowKey }]);
      if (holding) continue;
      actions.push(["create", entityOf("holder", network, { ...request, seq: waiting?.seq ?? 0, since: now, wakeEvent: "" })]);
    }
    if (actions.length === 0) return true;
    return submit(client, actions);
  }

  /**
   * Gives up every place and turn of `instanceId` (its run ended, or it was cancelled, or it is dead):
   * conditional on the rows as read, so a newer operation of the interconnect that took them over keeps
   * them. Returns the networks it freed a turn or a place on.
   */
  async leave(owner: string, instanceId: string): Promise<string[]> {
    const client = await this.table.get();
    const freed = new Set<string>();
    // One row at a time, each conditional (a transaction's deletes cannot be): giving back one network's
    // turn before the other's only lets a waiting run find the second still held, as turns are taken all at once.
    for (const row of (await this.list()).filter((r) => r.owner === owner && r.instanceId === instanceId)) {
      if (await deleteIfUnchanged(client, row)) freed.add(row.network);
    }
    return [...freed];
  }

  /**
   * Leaves the queue only if the run is still waiting (holds no turn anywhere): a DELETE cancelling a
   * queued run. "holding" when it took its turn meanwhile, "absent" when it has no place.
   */
  async withdraw(
    owner: string,
    instanceId: string,
  ): Promise<{ outcome: "withdrawn"; networks: string[] } | { outcome: "holding" | "absent" }> {
    const client = await this.table.get();
    const withdrawn = new Set<string>();
    return withOptimisticRounds(
      this.contention,
      (rounds, ms) => ({
        message: `The queue places of ${instanceId} kept changing (${rounds} rounds in ${ms} ms); retry.`,
        details: { instanceId },
      }),
      async () => {
        // Deleting every row read is progress, not a lost race: the look that follows (a place the run
        // joined meanwhile, or none left) comes at once; only a row that changed under a delete backs off.
        for (let look = 1; look <= 3; look++) {
          const rows = (await this.list()).filter((r) => r.owner === owner && r.instanceId === instanceId);
          if (rows.some((r) => r.holds)) return { outcome: "holding" as const };
          if (rows.length === 0)
            return withdrawn.size > 0 ? { outcome: "withdrawn" as const, networks: [...withdrawn] } : { outcome: "absent" as const };
          // Taking the turn removes the waiting rows in one transaction that fails once any of them is gone,
          // so after the first delete here the run can no longer take its turn with these rows.
          let lost = false;
          for (const row of rows) {
            if (await deleteIfUnchanged(client, row)) withdrawn.add(row.network);
            else lost = true;
          }
          if (lost) return LOST_RACE;
        }
        return LOST_RACE;
      },
    );
  }
}

/** The transaction went through; false when a row it was conditional on changed (409/412/404), which the caller reads again after. */
async function submit(client: TableClient, actions: TransactionAction[]): Promise<boolean> {
  try {
    await client.submitTransaction(actions);
    return true;
  } catch (error) {
    if (isRestError(error, 409) || isRestError(error, 412) || isRestError(error, 404)) return false;
    throw error;
  }
}

async function deleteIfUnchanged(client: TableClient, row: TurnRow): Promise<boolean> {
  try {
    await client.deleteEntity(PARTITION, row.rowKey, { etag: row.etag });
    return true;
  } catch (error) {
    if (isRestError(error, 404) || isRestError(error, 412)) return false;
    throw error;
  }
}

async function readCounter(client: TableClient): Promise<{ next: number; etag: string } | undefined> {
  try {
    const entity = await client.getEntity<Record<string, unknown>>(PARTITION, SEQ_ROW);
    return {
      next: parseColumn(`${PARTITION}/${SEQ_ROW}`, "next", entity.next, z.number().int().min(1)),
      etag: String(entity.etag),
    };
  } catch (error) {
    if (isRestError(error, 404)) return undefined;
    throw error;
  }
}

/** Row keys must not contain / \ # ?; neither ARM names nor OCIDs use "|". */
function escape(value: string): string {
  return value.replace(/[/\\#?]/g, "|");
}

function entityOf(
  role: "holder" | "waiting",
  network: string,
  e: { owner: string; operation: string; instanceId: string; seq: number; since: string; wakeEvent: string },
): { partitionKey: string; rowKey: string } & Record<string, string | number> {
  return {
    partitionKey: PARTITION,
    rowKey: role === "holder" ? `holder|${escape(network)}` : `waiting|${escape(network)}|${e.owner}`,
    role,
    network,
    owner: e.owner,
    operation: e.operation,
    instanceId: e.instanceId,
    seq: e.seq,
    since: e.since,
    wakeEvent: e.wakeEvent,
  };
}

function fromEntity(entity: Record<string, unknown>): TurnRow {
  const where = `${PARTITION}/${String(entity.rowKey)}`;
  const text = z.string().min(1);
  return {
    rowKey: parseColumn(where, "rowKey", entity.rowKey, text),
    holds: parseColumn(where, "role", entity.role, z.enum(["holder", "waiting"])) === "holder",
    network: parseColumn(where, "network", entity.network, text),
    owner: parseColumn(where, "owner", entity.owner, text),
    operation: parseColumn(where, "operation", entity.operation, text),
    instanceId: parseColumn(where, "instanceId", entity.instanceId, text),
    seq: parseColumn(where, "seq", entity.seq, z.number().int().min(0)),
    since: parseColumn(where, "since", entity.since, text),
    wakeEvent: parseColumn(where, "wakeEvent", entity.wakeEvent ?? "", z.string()),
    etag: parseColumn(where, "etag", entity.etag, text),
    writtenAt: typeof entity.timestamp === "string" ? entity.timestamp : new Date(0).toISOString(),
  };
}
