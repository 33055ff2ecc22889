import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes } from "../domain/errors";
import { teardownInstanceId } from "../domain/names";
import type { InterconnectChange, StoredInterconnect } from "../store";
import { TEARDOWN_ORCHESTRATOR, type TeardownInput } from "../workflows/names";
import type { Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { findInstance, terminateAndWait } from "./durable";
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

const CHANNEL_WORDS: Record<TeardownRequest["channel"], string> = { api: "the REST API", queue: "the teardown queue", itsm: "an ITSM ticket" };

export interface TeardownOutcome {
  outcome: "started" | "existing";
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
    if (record.state === "tearing-down" && op?.kind === "teardown") {
      if (Date.now() - Date.parse(op.startedAt) >= timing.stalledStartMs && (await findInstance(client, op.instanceId)) === undefined) {
        await client.startNew(TEARDOWN_ORCHESTRATOR, { instanceId: op.instanceId, input: inputFor(deps, request, "system") });
      }
      return { outcome: "existing", instanceId: op.instanceId, record };
    }
    const attempt = record.attempt + 1;
    const instanceId = teardownInstanceId(record.name, attempt);
    const running = op?.kind === "provision" && (record.state === "requested" || record.state === "provisioning") ? op.instanceId : undefined;
    let claimed: StoredInterconnect;
    try {
      claimed = await claim(deps, record, attempt, instanceId, request);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCodes.PRECONDITION_FAILED && round < timing.raceRetries) continue;
      throw err;
    }
    // Started even when the provisioning has not stopped yet (the teardown waits for it): refusing here
    // would leave the record tearing-down with nothing running it.
    const stopped = running
      ? await terminateAndWait(client, running, `Stopped by a teardown request: ${request.reason}`, { waitMs: timing.terminateWaitMs, pollMs: timing.terminatePollMs })
      : true;
    await deps.store.audit.append({
      interconnect: record.name,
      step: "request",
      phase: "info",
      actor: request.caller.actor,
      ...(request.caller.ticketRef ? { ticketRef: request.caller.ticketRef } : {}),
      instanceId,
      operation: "teardown",
      message: `Teardown requested through ${CHANNEL_WORDS[request.channel]} from state "${record.state}": ${request.reason}`
        + (running ? ` The running provisioning ${running} was ${stopped ? "terminated" : "asked to terminate and has not stopped yet; the teardown waits until it has"}; the teardown removes what it had built.` : ""),
      details: {
        fromState: record.state,
        ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        ...(running ? { stoppedProvisioning: running, provisioningStopped: stopped } : {}),
      },
    });
    if ((await findInstance(client, instanceId)) === undefined) {
      await client.startNew(TEARDOWN_ORCHESTRATOR, { instanceId, input: inputFor(deps, request, request.caller.actor, running) });
    }
    return { outcome: "started", instanceId, record: claimed, ...(running ? { stoppedProvisioning: running } : {}) };
  }
}

/**
 * "requested" cannot go straight to tearing-down in the lifecycle: a provisioning that never got
 * going is first marked failed (cancelled), then torn down, so both facts stay in the record's history.
 */
async function claim(deps: RequestDeps, record: StoredInterconnect, attempt: number, instanceId: string, request: TeardownRequest): Promise<StoredInterconnect> {
  const operation = { kind: "teardown" as const, instanceId, startedAt: new Date().toISOString() };
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

function notFound(name: string, why: string): DomainError {
  return new DomainError(ErrorCodes.NOT_FOUND, `Interconnect "${name}" ${why}.`, { details: { name } });
}
