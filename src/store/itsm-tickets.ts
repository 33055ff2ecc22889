import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { ticketKey, ticketSchema, TICKET_ACTIONS, type Ticket, type TicketAction } from "../domain/itsm/ticket";
import { parseColumn, decodeJson } from "./columns";
import { odata } from "@azure/data-tables";
import { isRestError, type LazyTable } from "./table-client";

/**
 * What each ticket asked for, in the ticket's partition of the ITSM table: row "ticket" binds the
 * ticket to one interconnect, row "op-<action>" is the idempotency key (system, ticket id, action).
 * Both are written with conditional inserts, so two deliveries of one event agree on one operation.
 */
export interface TicketOperation {
  ticket: Ticket;
  action: TicketAction;
  interconnect: string;
  /** The orchestration that does the work; absent while the event is being accepted. */
  instanceId?: string;
  /** The ticket watch that reports it. */
  watchInstanceId?: string;
  acceptedAt: string;
  etag: string;
}

const opSchema = z.object({
  action: z.enum(TICKET_ACTIONS),
  interconnect: z.string(),
  instanceId: z.string().optional(),
  watchInstanceId: z.string().optional(),
  acceptedAt: z.string(),
});

export class TicketOperations {
  constructor(private readonly table: LazyTable) {}

  /**
   * Binds the ticket to the interconnect (409 when it already acts on another one) and claims the
   * action: `created` false means an earlier delivery claimed it and the stored operation is returned.
   */
  async claim(
    ticket: Ticket,
    action: TicketAction,
    interconnect: string,
    now: Date,
  ): Promise<{ created: boolean; operation: TicketOperation }> {
    const client = await this.table.get();
    const partitionKey = ticketKey(ticket);
    await this.remember(ticket);
    try {
      await client.createEntity({ partitionKey, rowKey: "ticket", interconnect });
    } catch (err) {
      if (!isRestError(err, 409)) throw err;
      const bound = await client.getEntity<Record<string, unknown>>(partitionKey, "ticket");
      const name = parseColumn(`itsm/${partitionKey}/ticket`, "interconnect", bound.interconnect, z.string());
      if (name !== interconnect) {
        throw new DomainError(
          ErrorCodes.CONFLICT,
          `Ticket ${ticket.number} already acts on interconnect "${name}", not "${interconnect}"; raise a new ticket for another interconnect.`,
          {
            details: { ticket: ticket.number, interconnect: name },
          },
        );
      }
    }
    const entity = { partitionKey, rowKey: `op-${action}`, action, interconnect, acceptedAt: now.toISOString() };
    try {
      const res = await client.createEntity(entity);
      return { created: true, operation: { ticket, action, interconnect, acceptedAt: entity.acceptedAt, etag: res.etag ?? "" } };
    } catch (err) {
      if (!isRestError(err, 409)) throw err;
      const existing = await this.get(ticket, action);
      if (!existing) throw err;
      return { created: false, operation: existing };
    }
  }

  async get(ticket: Ticket, action: TicketAction): Promise<TicketOperation | undefined> {
    const client = await this.table.get();
    const partitionKey = ticketKey(ticket);
    try {
      const row = await client.getEntity<Record<string, unknown>>(partitionKey, `op-${action}`);
      const op = opSchema.parse({ ...row, instanceId: row.instanceId ?? undefined, watchInstanceId: row.watchInstanceId ?? undefined });
      return { ticket, ...strip(op), etag: row.etag };
    } catch (err) {
      if (isRestError(err, 404)) return undefined;
      throw err;
    }
  }

  /** Where notes for the ticket go (row "info"): written before any note is, so the outbox can always deliver. */
  async remember(ticket: Ticket): Promise<void> {
    const client = await this.table.get();
    await client.upsertEntity({ partitionKey: ticketKey(ticket), rowKey: "info", ticket: JSON.stringify(ticket) }, "Replace");
  }

  /** The ticket a partition belongs to, as its last event described it. */
  async ticket(partitionKey: string): Promise<Ticket | undefined> {
    const client = await this.table.get();
    try {
      const row = await client.getEntity<Record<string, unknown>>(partitionKey, "info");
      return decodeJson(`itsm/${partitionKey}/ticket`, "ticket", row.ticket, ticketSchema);
    } catch (err) {
      if (isRestError(err, 404)) return undefined;
      throw err;
    }
  }

  /**
   * The tickets that provisioned this interconnect and have not decommissioned it (bound to it, with a
   * provision operation and no decommission one): where its health transitions are noted. A query across the ticket partitions, made only on a transition.
   */
  async provisionTicketsOf(interconnect: string): Promise<string[]> {
    const client = await this.table.get();
    const keys: string[] = [];
    for await (const row of client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey eq 'ticket' and interconnect eq ${interconnect}`, select: ["PartitionKey"] },
    })) {
      keys.push(String(row.partitionKey));
    }
    const has = async (partitionKey: string, rowKey: string): Promise<boolean> => {
      try {
        await client.getEntity(partitionKey, rowKey);
        return true;
      } catch (err) {
        if (isRestError(err, 404)) return false;
        throw err;
      }
    };
    const found: string[] = [];
    // A ticket that also decommissioned it is done with it: a later interconnect of the same name is another's.
    for (const partitionKey of keys.sort())
      if ((await has(partitionKey, "op-provision")) && !(await has(partitionKey, "op-decommission"))) found.push(partitionKey);
    return found;
  }

  /** Unconditional: racing deliveries of one event start the same (deterministic) instances and write the same ids. */
  async recordStarted(op: TicketOperation, instanceId: string, watchInstanceId: string): Promise<TicketOperation> {
    const client = await this.table.get();
    const res = await client.updateEntity(
      { partitionKey: ticketKey(op.ticket), rowKey: `op-${op.action}`, instanceId, watchInstanceId },
      "Merge",
      { etag: "*" },
    );
    return { ...op, instanceId, watchInstanceId, etag: res.etag ?? op.etag };
  }
}

function strip<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
