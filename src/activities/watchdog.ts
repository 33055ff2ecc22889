/**
 * The watchdog's hands: the record and the task hub, through the durable client binding. Whether an
 * operation is stalled, and what to start over it, is decided by the watchdog workflow.
 */
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { WatchedOperationRow } from "../contracts";
import type { InterconnectState } from "../domain/lifecycle";
import { turnNetworks } from "../domain/network-queue";
import { ABSENT } from "../domain/stall";
import type { StoredInterconnect } from "../store";
import { findInstance, isFinished } from "./durable-instance";
import { defineActivity } from "./step";

/**
 * States in which a record's operation is meant to run; a failed one may still be compensating; an
 * active one may have a change or an adoption under way.
 */
const WATCHED_STATES: InterconnectState[] = ["requested", "provisioning", "tearing-down", "failed", "active"];
const TERMINATE_WAIT_MS = 10_000;

export const watchdogScan = defineActivity("watchdogScan", "read", async (_input, ctx) => {
  const client = df.getClient(ctx.invocation);
  const operations: WatchedOperationRow[] = [];
  for (const state of WATCHED_STATES) {
    let continuationToken: string | undefined;
    do {
      const page = await ctx.deps.store.interconnects.list({ state, top: 1000, ...(continuationToken ? { continuationToken } : {}) });
      for (const record of page.items) {
        const row = await watched(client, record);
        if (row !== undefined) operations.push(row);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
  return { operations };
});

async function watched(client: DurableClient, record: StoredInterconnect): Promise<WatchedOperationRow | undefined> {
  const op = record.currentOperation;
  // The health watch is eternal by design and kept alive by its own keeper: no deadline to miss.
  if (op === undefined || op.kind === "watch") return undefined;
  const inPlace = op.kind === "change" || op.kind === "adopt";
  if (inPlace !== (record.state === "active")) return undefined;
  const status = await findInstance(client, op.instanceId, { showInput: inPlace });
  const running = status !== undefined && !isFinished(status);
  if (inPlace) {
    // An ended one is ended on the record once (op.stalled then says how), whatever rounds see it after.
    if (!running && !(endedUnfinished(record, status) && op.stalled === undefined)) return undefined;
  } else if (!running) {
    // Ended or absent: orphaned, which the record view shows and a request resolves; not the watchdog's to decide.
    return undefined;
  }
  const input = status?.input;
  return {
    name: record.name,
    state: record.state,
    kind: op.kind,
    instanceId: op.instanceId,
    attempt: record.attempt,
    runtimeStatus: status ? String(status.runtimeStatus) : ABSENT,
    startedAt: op.startedAt,
    customStatus: status?.customStatus ?? null,
    lastUpdatedTime: status?.lastUpdatedTime ? new Date(status.lastUpdatedTime).toISOString() : null,
    spec: record.spec,
    bgpPlan: record.bgpPlan ?? null,
    ...(record.resources.owned ? { owned: record.resources.owned } : {}),
    ...(record.resources.names ? { names: record.resources.names } : {}),
    ...(record.resources.virtualCircuitId ? { virtualCircuitId: record.resources.virtualCircuitId } : {}),
    ...(inPlace ? { input: input !== null && typeof input === "object" ? (input as Record<string, unknown>) : null } : {}),
  };
}

/**
 * A change or adoption that will never finish by itself: its instance is gone, was terminated, or
 * failed without saying so on the record (a change that fails writes its failure there; an adoption
 * has nothing left that may fail once its record exists). Completed ones finished.
 */
function endedUnfinished(record: StoredInterconnect, status: DurableOrchestrationStatus | undefined): boolean {
  if (status === undefined) return true;
  const runtime = String(status.runtimeStatus);
  if (runtime === "Terminated" || runtime === "Canceled") return true;
  if (runtime !== "Failed") return false;
  return record.currentOperation?.kind === "adopt" || !record.failure;
}

export const watchdogRecover = defineActivity("watchdogRecover", "read", async (input, ctx) => {
  const { stalledInstanceId, stall, restart } = input;
  const name = input.opContext.interconnect;
  const repo = ctx.deps.store.interconnects;
  const client = df.getClient(ctx.invocation);
  const current = await repo.getOrThrow(name);
  const op = current.currentOperation;
  // A restart that already claimed the record (this activity ran before a crash) only needs its start.
  const claimedBefore = restart !== null && op?.instanceId === restart.instanceId;
  if (!claimedBefore && op?.instanceId !== stalledInstanceId) return { outcome: "superseded" as const };

  const recovery =
    restart === null ? "none: flagged for a person (see docs/api.md, stalled operations)" : `restarted as ${restart.instanceId}`;
  // Flagged once per stalled operation, however many rounds (overlapping ones included) find it.
  if (!claimedBefore && op !== undefined && op.stalled === undefined) {
    await repo.update(name, current.etag, () => ({ currentOperation: { ...op, stalled: { ...stall, recovery } } }));
    await ctx.deps.store.audit.append(
      {
        interconnect: name,
        step: "watchdog",
        phase: restart === null ? "failed" : "retrying",
        actor: "watchdog",
        instanceId: stalledInstanceId,
        operation: op.kind,
        message: `Operation ${stalledInstanceId} stalled: ${stall.reason}; ${recovery}.`,
        details: {
          stalled: true,
          since: stall.since,
          detectedAt: stall.detectedAt,
          ...(restart ? { restartedAs: restart.instanceId } : {}),
        },
      },
      { key: `watchdog\n${stalledInstanceId}`, onDuplicate: "skip" },
    );
  }
  if (restart === null) return { outcome: "flagged" as const };

  if (!claimedBefore) {
    // The restart takes over the stalled run's turn (or place) on the VNet and VCN before that run is
    // stopped, so a run queued behind never sees a dead holder and slips in between.
    // A change or an adoption takes no turn: it builds nothing on the VNet or the VCN.
    if (restart.kind === "provision" || restart.kind === "teardown") {
      await ctx.deps.store.turns.join({
        owner: name,
        operation: restart.kind,
        instanceId: restart.instanceId,
        networks: turnNetworks(current.spec),
      });
    }
    await terminate(client, stalledInstanceId, `stalled (${stall.reason}); restarted as ${restart.instanceId} by the watchdog`);
    await repo.modify(name, (fresh) => {
      if (fresh.currentOperation?.instanceId !== stalledInstanceId)
        throw new Error(`the record moved on to ${fresh.currentOperation?.instanceId ?? "no operation"} meanwhile`);
      return {
        attempt: restart.attempt,
        currentOperation: { kind: restart.kind, instanceId: restart.instanceId, startedAt: new Date().toISOString() },
        // A compensation that stalled is finished by a teardown: failed → tearing-down.
        ...(restart.kind === "teardown" && fresh.state !== "tearing-down" ? { state: "tearing-down" as const } : {}),
      };
    });
  }
  // As a DELETE does: an instance of this id that has ended is a leftover of a lost claim, and is replaced.
  const existing = await findInstance(client, restart.instanceId);
  if (existing === undefined || isFinished(existing)) {
    await client.startNew(restart.orchestrator, { instanceId: restart.instanceId, input: restart.input });
  }
  return { outcome: "restarted" as const };
});

/** Terminate and wait until the task hub shows it terminal: the fresh operation must not race the old one's last activity. */
async function terminate(client: DurableClient, instanceId: string, reason: string): Promise<void> {
  const status = await findInstance(client, instanceId);
  if (status === undefined || isFinished(status)) return;
  await client.terminate(instanceId, encodeURIComponent(reason));
  const until = Date.now() + TERMINATE_WAIT_MS;
  while (Date.now() < until) {
    const now = await findInstance(client, instanceId);
    if (now === undefined || isFinished(now)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${instanceId} did not stop within ${TERMINATE_WAIT_MS / 1000} s of its termination; the watchdog tries again on its next round`,
  );
}
