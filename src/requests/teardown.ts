import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes } from "../domain/errors";
import { teardownInstanceId } from "../domain/names";
import type { InterconnectChange, StoredInterconnect } from "../store";
import { TEARDOWN_ORCHESTRATOR, type TeardownInput } from "../workflows/names";
import { requestRow, type Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { findInstance, isFinished, stoppedOperation, terminateAndWait } from "./durable";
import { operationRunning, runningOperation } from "./busy";
import { joinQueue, withdrawQueued } from "./network-turn";
import { REQUEST_TIMING } from "./timing";

export interface TeardownRequest {
  name: string;
  reason: string;
  caller: Caller;
  /** The ITSM requester when the request came through the queue. */
  requestedBy?: string;
  /** "api", "queue" or "itsm" (a ticket's decommission event): recorded in the audit row. */
  channel: "api" | "queue" | "itsm";
}

const CHANNEL_WORDS: Record<TeardownRequest["channel"], string> = {
  api: "the REST API",
  queue: "the teardown queue",
  itsm: "an ITSM ticket",
};

export interface TeardownOutcome {
  /**
   * started: this request started the teardown; existing: a teardown that is running was returned,
   * nothing new started; restarted: the record's teardown was not running (terminated, failed,
   * purged, or completed without reaching deleted), and this request started a new one over it;
   * cancelled: the provisioning was still queued for its turn on the VNet and VCN, so it built nothing:
   * it was taken out of the queue and the interconnect is deleted at once (instanceId is that provisioning).
   */
  outcome: "started" | "existing" | "restarted" | "cancelled";
  instanceId: string;
  record: StoredInterconnect;
  /** The provisioning this request stopped, if one was running. */
  stoppedProvisioning?: string;
}

/**
 * What the teardown orchestrator is started with. stoppedProvisioning names the provisioning this
 * request terminated: an activity of it may still be finishing a create, so the teardown must wait
 * until that instance is terminal before it removes anything (activity provisioningInstanceState).
 */
export type TeardownStartInput = TeardownInput & { stoppedProvisioning?: string };

/**
 * DELETE and the teardown queue both land here. The record write (with its ETag) is the lock: of two
 * racing requests exactly one moves the record to tearing-down and starts the teardown; the other
 * re-reads and returns that teardown.
 */
export async function requestTeardown(deps: RequestDeps, client: DurableClient, request: TeardownRequest): Promise<TeardownOutcome> {
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  for (let round = 1; ; round++) {
    const record = await deps.store.interconnects.get(request.name);
    if (!record) throw notFound(request.name, "does not exist");
    if (record.state === "deleted") throw notFound(request.name, `was already deleted (at ${record.stateChangedAt})`);
    const op = record.currentOperation;
    if (record.state === "requested" && op?.kind === "provision") {
      const cancelled = await cancelIfQueued(deps, client, record, op.instanceId, request);
      if (cancelled === "changed") continue;
      if (cancelled) return cancelled;
    }
    // A change may be half-way through a step that cannot be undone (a circuit PUT), an adoption through
    // its record and tags: neither is stopped, it is waited for.
    const inPlace = await runningOperation(client, record, ["change", "adopt"]);
    if (inPlace) throw operationRunning(record, inPlace, "DELETE again");
    let stoppedTeardown: string | undefined;
    if (record.state === "tearing-down" && op?.kind === "teardown") {
      stoppedTeardown = stoppedOperation(op, await findInstance(client, op.instanceId), Date.now(), timing.stalledStartMs);
      if (stoppedTeardown === undefined) return { outcome: "existing", instanceId: op.instanceId, record };
    }
    const attempt = record.attempt + 1;
    const instanceId = teardownInstanceId(record.name, attempt);
    const running =
      op?.kind === "provision" &&
      (["requested", "provisioning"].includes(record.state) || (record.state === "failed" && (await compensating(client, op.instanceId))))
        ? op.instanceId
        : undefined;
    let claimed: StoredInterconnect;
    try {
      claimed = await claim(deps, record, attempt, instanceId, request, stoppedTeardown !== undefined);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCodes.PRECONDITION_FAILED && round < timing.raceRetries) continue;
      throw err;
    }
    // The teardown takes over the stopped provisioning's turn on the VNet and VCN (or joins their queue)
    // before that is stopped: a run queued behind must not see a dead holder and slip in between.
    try {
      await joinQueue(deps, record.name, record.spec, "teardown", instanceId);
    } catch (err) {
      // The record says tearing-down from now on: the provisioning must not go on building under it while
      // the caller waits out a 503's Retry-After, and the DELETE sent again no longer sees it to stop.
      if (running) await stopBeforeRetry(deps, client, record.name, running, request, err);
      throw err;
    }
    // Started even when the provisioning has not stopped yet (the teardown waits for it): refusing here
    // would leave the record tearing-down with nothing running it.
    const stopped = running
      ? await terminateAndWait(client, running, `Stopped by a teardown request: ${request.reason}`, {
          waitMs: timing.terminateWaitMs,
          pollMs: timing.terminatePollMs,
        })
      : true;
    await deps.store.audit.append({
      interconnect: record.name,
      ...requestRow(request.caller),
      instanceId,
      operation: "teardown",
      message:
        `Teardown requested through ${CHANNEL_WORDS[request.channel]} from state "${record.state}": ${request.reason}` +
        (stoppedTeardown !== undefined
          ? ` The earlier teardown ${op?.instanceId ?? "?"} is not running (${stoppedTeardown}); a new one starts from what exists on the clouds.`
          : "") +
        (running
          ? ` The running provisioning ${running} was ${stopped ? "terminated" : "asked to terminate and has not stopped yet; the teardown waits until it has"}; the teardown removes what it had built.`
          : ""),
      details: {
        fromState: record.state,
        ...(stoppedTeardown !== undefined ? { restartedOver: op?.instanceId ?? null, earlierRuntimeStatus: stoppedTeardown } : {}),
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        ...(running ? { stoppedProvisioning: running, provisioningStopped: stopped } : {}),
      },
    });
    // Started unless the task hub runs it already. One that has ended is a leftover whose claim on the
    // record was lost (storage that loses acknowledged writes: Azurite on kill -9); it never owned the
    // record, and the start replaces it (the task hub overwrites an instance that is not running).
    const existing = await findInstance(client, instanceId);
    if (existing === undefined || isFinished(existing)) {
      const input = inputFor(deps, request, request.caller.actor, running);
      // An adopted interconnect's resources keep the names their builder gave them.
      if (record.resources.names) input.names = record.resources.names;
      await client.startNew(TEARDOWN_ORCHESTRATOR, { instanceId, input });
    }
    return {
      outcome: stoppedTeardown !== undefined ? "restarted" : "started",
      instanceId,
      record: claimed,
      ...(running ? { stoppedProvisioning: running } : {}),
    };
  }
}

/** Stops the provisioning a teardown could not queue behind, with an audit row; the teardown starts when the DELETE is sent again. */
async function stopBeforeRetry(
  deps: RequestDeps,
  client: DurableClient,
  name: string,
  running: string,
  request: TeardownRequest,
  why: unknown,
): Promise<void> {
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  const stopped = await terminateAndWait(client, running, `Stopped by a teardown request: ${request.reason}`, {
    waitMs: timing.terminateWaitMs,
    pollMs: timing.terminatePollMs,
  }).catch(() => false);
  await deps.store.audit
    .append({
      interconnect: name,
      ...requestRow(request.caller),
      instanceId: running,
      operation: "teardown",
      message:
        `Teardown requested, but its place in the VNet and VCN queue could not be written (${why instanceof Error ? why.message : String(why)}): ` +
        `the running provisioning ${running} was ${stopped ? "terminated" : "asked to terminate"}; the teardown starts when the DELETE is sent again.`,
      details: { stoppedProvisioning: running, provisioningStopped: stopped },
    })
    .catch((err: unknown) => deps.log(`could not audit the stop of ${running}: ${err instanceof Error ? err.message : String(err)}`));
}

/**
 * A provisioning still waiting for its turn built nothing: it leaves the queue (the next in line is
 * woken), the record goes requested → deleted with the cancellation as its failure, its BGP blocks are
 * freed and its instance is stopped. Undefined when it is not queued (it has its turn, or no place):
 * then it is torn down like any running provisioning. "changed": the record moved meanwhile; decide again.
 */
async function cancelIfQueued(
  deps: RequestDeps,
  client: DurableClient,
  record: StoredInterconnect,
  instanceId: string,
  request: TeardownRequest,
): Promise<TeardownOutcome | "changed" | undefined> {
  if ((await withdrawQueued(deps, client, record.name, instanceId)) !== "withdrawn") return undefined;
  const message = `Cancelled while queued for its turn on the VNet and VCN: ${request.reason}; this run created nothing`;
  let deleted: StoredInterconnect;
  try {
    // First the record: the orchestration's next look at the queue sees it and ends without touching anything.
    deleted = await deps.store.interconnects.transitionState(record.name, "deleted", record.etag, {
      failure: { step: "queue", code: "CANCELLED", message },
    });
  } catch (err) {
    if (err instanceof DomainError && err.code === ErrorCodes.PRECONDITION_FAILED) return "changed";
    throw err;
  }
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  await terminateAndWait(client, instanceId, `Cancelled while queued: ${request.reason}`, {
    waitMs: timing.terminateWaitMs,
    pollMs: timing.terminatePollMs,
  });
  await deps.store.bgpBlocks.releaseOwner(record.name, record.attempt);
  await deps.store.audit.append({
    interconnect: record.name,
    ...requestRow(request.caller),
    instanceId,
    operation: "provision",
    message: `${message}. Requested through ${CHANNEL_WORDS[request.channel]}; its place in the queue was given up and the interconnect is deleted.`,
    details: { cancelled: true, fromState: "requested", ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}) },
  });
  return { outcome: "cancelled", instanceId, record: deleted };
}

/**
 * "requested" cannot go straight to tearing-down in the lifecycle: a provisioning that never got
 * going is first marked failed (cancelled), then torn down, so both facts stay in the record's history.
 */
async function claim(
  deps: RequestDeps,
  record: StoredInterconnect,
  attempt: number,
  instanceId: string,
  request: TeardownRequest,
  restart: boolean,
): Promise<StoredInterconnect> {
  const operation = { kind: "teardown" as const, instanceId, startedAt: new Date().toISOString() };
  // Already tearing-down: only the operation changes hands (the ETag still makes one of two racing requests win).
  if (restart) return deps.store.interconnects.update(record.name, record.etag, () => ({ attempt, currentOperation: operation }));
  let current = record;
  if (current.state === "requested") {
    current = await deps.store.interconnects.transitionState(current.name, "failed", current.etag, {
      failure: { step: "request", code: "CANCELLED", message: `Cancelled before provisioning started: ${request.reason}` },
    });
  }
  const change: InterconnectChange = { attempt, currentOperation: operation };
  return deps.store.interconnects.transitionState(current.name, "tearing-down", current.etag, change);
}

function inputFor(deps: RequestDeps, request: TeardownRequest, actor: string, stoppedProvisioning?: string): TeardownStartInput {
  return {
    name: request.name,
    reason: request.reason,
    actor,
    ...(request.caller.ticketRef ? { ticketRef: request.caller.ticketRef } : {}),
    ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    ...(stoppedProvisioning ? { stoppedProvisioning } : {}),
    timing: deps.timing,
  };
}

/** A failed provisioning whose instance still runs is compensating: it is stopped like one still building. */
async function compensating(client: DurableClient, instanceId: string): Promise<boolean> {
  const status = await findInstance(client, instanceId);
  return status !== undefined && !isFinished(status);
}

function notFound(name: string, why: string): DomainError {
  return new DomainError(ErrorCodes.NOT_FOUND, `Interconnect "${name}" ${why}.`, { details: { name } });
}
