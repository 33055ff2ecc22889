/**
 * The watchdog's hands: the record and the task hub, through the durable client binding. Whether an
 * operation is stalled, and what to start over it, is decided by the watchdog workflow.
 */
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { ActivityInput, WatchedOperationRow } from "../contracts";
import type { InterconnectState } from "../domain/lifecycle";
import { turnNetworks } from "../domain/network-queue";
import { ADOPT_INSTANCE_PREFIX, parseAdoptInstanceId } from "../domain/names";
import { ABSENT } from "../domain/stall";
import type { StoredInterconnect } from "../store";
import { findInstance, isFinished, listInstances, type ListedInstance } from "./durable-instance";
import { defineActivity, type StepContext } from "./step";

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
  const seen = new Set(operations.map((o) => o.instanceId));
  operations.push(...(await adoptionsWithoutRecord(ctx, seen)));
  return { operations };
});

const RUNNING = ["Running", "Pending"];
/** One round reads this many running adoptions at most (pages of a hundred): a bound on the round, not on the service. */
const ADOPTION_PAGE = 100;
const ADOPTION_PAGES = 10;

/**
 * The adoptions the task hub runs whose name has no record, or a deleted one: an adoption writes its
 * record only once the whole chain is verified, and until then a repeated POST finds it "existing"
 * whether it moves or not. One prefix query lists them all, and only a running adoption costs a record
 * read, never a status read per name. Ended ones are left out: a failed adoption has its problems in its
 * output and its audit trail, a terminated one was stopped by a person or by the watchdog, and a
 * repeated POST starts a fresh one over either; only a running one holds the name.
 */
async function adoptionsWithoutRecord(ctx: StepContext, seen: Set<string>): Promise<WatchedOperationRow[]> {
  const { instances, truncated } = await listInstances(ctx.invocation, {
    instanceIdPrefix: ADOPT_INSTANCE_PREFIX,
    runtimeStatus: RUNNING,
    showInput: true,
    pageSize: ADOPTION_PAGE,
    maxPages: ADOPTION_PAGES,
  });
  if (truncated) {
    ctx.invocation.warn(
      `watchdogScan: more than ${ADOPTION_PAGE * ADOPTION_PAGES} adoptions run; this round looks at the first ${ADOPTION_PAGE * ADOPTION_PAGES} by instance id`,
    );
  }
  const rows: WatchedOperationRow[] = [];
  for (const status of instances) {
    // The list is filtered by the task hub's own rows; what it answers is checked again, whatever answered.
    if (seen.has(status.instanceId) || !RUNNING.includes(status.runtimeStatus)) continue;
    const id = parseAdoptInstanceId(status.instanceId);
    if (id === undefined) continue;
    const record = await ctx.deps.store.interconnects.get(id.name);
    // A record (the adoption's own, written since the list, or another holding the name) is judged by the records' rules.
    if (record && record.state !== "deleted") continue;
    rows.push(recordlessRow(id, status, record ? "deleted" : null));
  }
  return rows;
}

/** The API's times ("s" + "Z") as the record's are written: ISO with milliseconds. */
function iso(text: string): string {
  const at = Date.parse(text);
  return Number.isFinite(at) ? new Date(at).toISOString() : text;
}

function recordlessRow(id: { name: string; attempt: number }, status: ListedInstance, state: "deleted" | null): WatchedOperationRow {
  const input = status.input;
  return {
    name: id.name,
    state,
    kind: "adopt",
    instanceId: status.instanceId,
    attempt: id.attempt,
    runtimeStatus: status.runtimeStatus,
    startedAt: iso(status.createdTime),
    customStatus: status.customStatus,
    lastUpdatedTime: iso(status.lastUpdatedTime),
    spec: null,
    bgpPlan: null,
    input: input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : null,
  };
}

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
  if (input.withoutRecord === true) {
    if (restart === null)
      throw new Error(
        `watchdogRecover: ${stalledInstanceId} has no record to flag; an adoption that is not restarted is ended (watchdogEnd)`,
      );
    return { outcome: await restartWithoutRecord(ctx, client, stalledInstanceId, stall, restart) };
  }
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
    await terminateOrThrow(client, stalledInstanceId, `stalled (${stall.reason}); restarted as ${restart.instanceId} by the watchdog`);
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

type Restart = NonNullable<ActivityInput<"watchdogRecover">["restart"]>;
type StallFinding = ActivityInput<"watchdogRecover">["stall"];

/**
 * An adoption that stalled before writing its record: nothing to flag or claim, so the restart's own
 * instance id (adopt-<name>-<n+1>, started once) is what makes two rounds, or a second run of this
 * activity, restart it once; the termination's reason, which the task hub keeps as the stalled
 * instance's output, tells a second run that the first one got as far as stopping it.
 */
async function restartWithoutRecord(
  ctx: StepContext,
  client: DurableClient,
  stalledInstanceId: string,
  stall: StallFinding,
  restart: Restart,
): Promise<"restarted" | "superseded"> {
  const name = ctx.opContext.interconnect;
  // Its record written since the scan (or a request that took the name): not record-less any more.
  if (await holdsRecord(ctx, name)) return "superseded";
  const claim = `restarted as ${restart.instanceId} by the watchdog`;
  if ((await findInstance(client, restart.instanceId)) === undefined) {
    const stalled = await findInstance(client, stalledInstanceId, { showInput: false });
    const stoppedByUs = stalled !== undefined && isFinished(stalled) && String(stalled.output ?? "").includes(claim);
    // Ended by itself, or by a person, since the scan: nothing holds the name, a repeated POST starts a fresh one.
    if (stalled === undefined || (isFinished(stalled) && !stoppedByUs)) return "superseded";
    const stopped = await terminate(client, stalledInstanceId, `stalled (${stall.reason}); ${claim}`);
    if (!stopped) {
      // The termination is in the task hub and will take; left for a next round, the restart would be
      // lost (a terminated adoption is no longer listed). The old run can only race it with what is
      // safe twice: reads, the same tags, and a record written only if absent (the loser fails with a conflict).
      ctx.invocation.warn(
        `watchdogRecover: ${stalledInstanceId} still ran ${TERMINATE_WAIT_MS / 1000} s after its termination; starting ${restart.instanceId} anyway`,
      );
    }
    // The old run wrote its record in its last moments: the record's rules take it from here.
    if (await holdsRecord(ctx, name)) return "superseded";
    await startOnce(client, restart);
  }
  await ctx.deps.store.audit.append(
    {
      interconnect: name,
      step: "watchdog",
      phase: "retrying",
      actor: "watchdog",
      instanceId: stalledInstanceId,
      operation: "adopt",
      message: `Adoption ${stalledInstanceId} stalled before it wrote its record: ${stall.reason}; terminated and ${claim} (it verifies the whole chain again and writes the record only then).`,
      details: { stalled: true, withoutRecord: true, since: stall.since, detectedAt: stall.detectedAt, restartedAs: restart.instanceId },
    },
    { key: `watchdog\n${stalledInstanceId}`, onDuplicate: "skip" },
  );
  return "restarted";
}

async function holdsRecord(ctx: StepContext, name: string): Promise<boolean> {
  const record = await ctx.deps.store.interconnects.get(name);
  return record !== undefined && record.state !== "deleted";
}

/** Started once under its fixed id: a start that lost to another (an overlapping round) finds it there. */
async function startOnce(client: DurableClient, restart: Restart): Promise<void> {
  try {
    await client.startNew(restart.orchestrator, { instanceId: restart.instanceId, input: restart.input });
  } catch (error) {
    if ((await findInstance(client, restart.instanceId)) === undefined) throw error;
  }
}

/**
 * Terminate and wait until the task hub shows it terminal: the fresh operation must not race the old
 * one's last activity. False when it still runs after the wait.
 */
async function terminate(client: DurableClient, instanceId: string, reason: string): Promise<boolean> {
  const status = await findInstance(client, instanceId);
  if (status === undefined || isFinished(status)) return true;
  await client.terminate(instanceId, encodeURIComponent(reason));
  const until = Date.now() + TERMINATE_WAIT_MS;
  while (Date.now() < until) {
    const now = await findInstance(client, instanceId);
    if (now === undefined || isFinished(now)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** As terminate, for a restart that must not start before the old run stopped: a next round tries again. */
async function terminateOrThrow(client: DurableClient, instanceId: string, reason: string): Promise<void> {
  if (await terminate(client, instanceId, reason)) return;
  throw new Error(
    `${instanceId} did not stop within ${TERMINATE_WAIT_MS / 1000} s of its termination; the watchdog tries again on its next round`,
  );
}
