import type { DurableClient } from "durable-functions";
import { planChange, type ChangeItem } from "../domain/change";
import { DomainError, ErrorCodes } from "../domain/errors";
import { changeInstanceId } from "../domain/names";
import type { StoredInterconnect } from "../store";
import { CHANGE_ORCHESTRATOR } from "../workflows/names";
import type { ChangeInput } from "../workflows/change";
import { requestRow, type Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { operationRunning, runningOperation } from "./busy";
import { findInstance } from "./durable";
import { REQUEST_TIMING } from "./timing";

export interface ChangeOutcome {
  /** started: this request started the change; existing: the same change runs already; unchanged: the patch changes nothing. */
  outcome: "started" | "existing" | "unchanged";
  instanceId?: string;
  record: StoredInterconnect;
  items: ChangeItem[];
}

/**
 * PATCH /api/interconnects/{name}: decide (domain/change.ts) whether the patch is possible in place, then
 * claim the record for the change with an ETag-conditional write (of two racing PATCHes one wins; the
 * other finds the winner's change running) and start it. The record stays active: a change is an
 * operation on an active interconnect, one at a time like every other.
 */
export async function requestChange(
  deps: RequestDeps,
  client: DurableClient,
  request: { name: string; patch: unknown; caller: Caller },
): Promise<ChangeOutcome> {
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  for (let round = 1; ; round++) {
    const record = await deps.store.interconnects.get(request.name);
    if (!record || record.state === "deleted")
      throw new DomainError(ErrorCodes.NOT_FOUND, `Interconnect "${request.name}" does not exist.`, { details: { name: request.name } });
    const op = record.currentOperation;
    const busy = await runningOperation(client, record, ["provision", "teardown", "change", "adopt"]);
    if (record.state !== "active") {
      throw conflict(
        `Interconnect "${record.name}" is ${record.state}; only an active interconnect can be changed${op ? ` (its ${op.kind} ${op.instanceId} owns it)` : ""}.`,
      );
    }
    const plan = planChange(record.spec, request.patch, { catalog: deps.catalog });
    if (busy) {
      const input =
        busy.kind === "change" ? ((await client.getStatus(busy.instanceId, { showInput: true })).input as Partial<ChangeInput>) : undefined;
      if (busy.kind === "change" && input?.to !== undefined && JSON.stringify(input.to) === JSON.stringify(plan.next))
        return { outcome: "existing", instanceId: busy.instanceId, record, items: plan.items };
      throw operationRunning(record, busy, "retry");
    }
    if (plan.items.length === 0) return { outcome: "unchanged", record, items: [] };

    const attempt = record.attempt + 1;
    const instanceId = changeInstanceId(record.name, attempt);
    let claimed: StoredInterconnect;
    try {
      claimed = await deps.store.interconnects.update(record.name, record.etag, () => ({
        attempt,
        currentOperation: { kind: "change", instanceId, startedAt: new Date().toISOString() },
        failure: null,
      }));
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCodes.PRECONDITION_FAILED && round < timing.raceRetries) continue;
      throw err;
    }
    await deps.store.audit.append({
      interconnect: record.name,
      ...requestRow(request.caller),
      instanceId,
      operation: "change",
      message: `Change requested: ${plan.items.map((i) => `${i.path} ${JSON.stringify(i.from)} → ${JSON.stringify(i.to)}`).join("; ")}`,
      details: {
        items: plan.items.map((i) => i.path).join(","),
        irreversible: plan.items
          .filter((i) => i.irreversible)
          .map((i) => i.path)
          .join(","),
      },
    });
    const input: ChangeInput = {
      name: record.name,
      actor: request.caller.actor,
      ...(request.caller.ticketRef ? { ticketRef: request.caller.ticketRef } : {}),
      from: record.spec,
      to: plan.next,
      kinds: [...new Set(plan.items.map((i) => i.kind))],
      bgpPlan: requireBgpPlan(record),
      ...(record.resources.names ? { names: record.resources.names } : {}),
      timing: deps.timing,
    };
    if ((await findInstance(client, instanceId)) === undefined) await client.startNew(CHANGE_ORCHESTRATOR, { instanceId, input });
    return { outcome: "started", instanceId, record: claimed, items: plan.items };
  }
}

function requireBgpPlan(record: StoredInterconnect): NonNullable<StoredInterconnect["bgpPlan"]> {
  if (!record.bgpPlan) throw conflict(`Interconnect "${record.name}" has no BGP plan in its record; it cannot be changed in place.`);
  return record.bgpPlan;
}

function conflict(message: string): DomainError {
  return new DomainError(ErrorCodes.CONFLICT, message);
}
