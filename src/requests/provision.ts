import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { BgpPlan } from "../domain/bgp-plan";
import { DomainError, ErrorCodes } from "../domain/errors";
import { provisionInstanceId } from "../domain/names";
import { parseInterconnectSpec, type InterconnectSpec } from "../domain/spec";
import type { JsonObject, StoredInterconnect } from "../store";
import { PROVISION_ORCHESTRATOR, type ProvisionInput } from "../workflows/names";
import { releaseUnlessRecorded, reserveBgpPlan } from "./bgp-allocation";
import { releaseNetworksUnlessRecorded, reserveNetworks } from "./network-reservation";
import type { Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { findInstance, isFinished } from "./durable";
import { sameSpec } from "./spec-identity";
import { raceBackoffMs, REQUEST_TIMING } from "./timing";

export interface ProvisionOutcome {
  /** started: this request started the orchestration; existing: an identical request already had. */
  outcome: "started" | "existing";
  instanceId: string;
  record: StoredInterconnect;
}

/** Validates the spec and the BGP plan, then starts the provisioning, or returns the one already running. */
export async function requestProvisioning(deps: RequestDeps, client: DurableClient, body: unknown, caller: Caller): Promise<ProvisionOutcome> {
  const spec = parseInterconnectSpec(body, { catalog: deps.catalog });
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  for (let round = 1; ; round++) {
    const existing = await deps.store.interconnects.get(spec.name);
    if (existing && existing.state !== "deleted") {
      const reused = await reuseExisting(deps, client, existing, spec, round);
      if (reused) return reused;
      continue;
    }
    const attempt = (existing?.attempt ?? 0) + 1;
    const networks = await reserveNetworks(deps, spec, attempt);
    let reserved: Awaited<ReturnType<typeof reserveBgpPlan>>;
    try {
      reserved = await reserveBgpPlan(deps, spec, attempt);
    } catch (err) {
      await releaseNetworksUnlessRecorded(deps, networks);
      throw err;
    }
    const { plan: bgpPlan, held } = reserved;
    let created: StoredInterconnect;
    try {
      created = await deps.store.interconnects.create({ name: spec.name, spec, bgpPlan });
    } catch (err) {
      await releaseUnlessRecorded(deps, held);
      await releaseNetworksUnlessRecorded(deps, networks);
      // Another request created it first: decide again against what it wrote.
      if (err instanceof DomainError && err.code === ErrorCodes.CONFLICT && round < timing.raceRetries) continue;
      throw err;
    }
    // From here the record holds the blocks: a request that fails now leaves a "requested" record that a repeat starts.
    // create() kept the attempt of a deleted record it replaced, so `attempt` is new to the task hub either way.
    const record = await claim(deps, created, attempt);
    await deps.store.audit.append({
      interconnect: spec.name,
      step: "request",
      phase: "info",
      actor: caller.actor,
      ...(caller.ticketRef ? { ticketRef: caller.ticketRef } : {}),
      instanceId: provisionInstanceId(spec.name, attempt),
      operation: "provision",
      message: existing ? `Provisioning requested again (attempt ${attempt}) after the earlier interconnect was deleted.` : "Provisioning requested.",
      details: { bgpPlan: toJson(bgpPlan) },
    });
    return start(client, record, { name: spec.name, spec, bgpPlan, actor: caller.actor, ...(caller.ticketRef ? { ticketRef: caller.ticketRef } : {}), attempt, timing: deps.timing });
  }
}

async function claim(deps: RequestDeps, created: StoredInterconnect, attempt: number): Promise<StoredInterconnect> {
  const instanceId = provisionInstanceId(created.name, attempt);
  return deps.store.interconnects.update(created.name, created.etag, () => ({
    attempt,
    currentOperation: { kind: "provision", instanceId, startedAt: new Date().toISOString() },
    failure: null,
  }));
}

/**
 * Starts the attempt's instance unless the task hub has it. Deterministic ids make a second startNew
 * for the same attempt detectable before it happens; an instance that already ended is never reported
 * as started or running.
 */
async function start(client: DurableClient, record: StoredInterconnect, input: ProvisionInput): Promise<ProvisionOutcome> {
  const instanceId = provisionInstanceId(record.name, input.attempt);
  const status = await findInstance(client, instanceId);
  if (status === undefined) {
    await client.startNew(PROVISION_ORCHESTRATOR, { instanceId, input });
    return { outcome: "started", instanceId, record };
  }
  if (isFinished(status)) throw ended(record, instanceId, status);
  return { outcome: "existing", instanceId, record };
}

/**
 * The name is taken. Same spec while requested/provisioning/active: the existing operation (and, for a
 * start that stalled, start it now), as long as its instance has not ended behind the record's back.
 * Anything else: a 409 that says what to do. Undefined: the record was changing under us; decide again.
 */
async function reuseExisting(
  deps: RequestDeps,
  client: DurableClient,
  existing: StoredInterconnect,
  spec: InterconnectSpec,
  round: number,
): Promise<ProvisionOutcome | undefined> {
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  const op = existing.currentOperation;
  if (existing.state === "tearing-down") {
    throw conflict(existing, `it is being torn down${op ? ` (operation ${op.instanceId})` : ""}; wait until it is deleted, then provision it again`);
  }
  if (existing.state === "failed") {
    throw conflict(existing, `its provisioning failed${existing.failure ? ` at step "${existing.failure.step}": ${existing.failure.message}` : ""}; DELETE it (tearing down what was built), then provision it again`);
  }
  if (!sameSpec(existing.spec, spec)) {
    throw conflict(existing, `it already exists in state "${existing.state}" with a different spec; DELETE it first or use another name`);
  }
  if (op === undefined || op.kind !== "provision") {
    // Created by a concurrent request that has not yet claimed it: give it a moment.
    if (round < timing.raceRetries && Date.now() - Date.parse(existing.updatedAt) < timing.stalledStartMs) {
      await new Promise((resolve) => setTimeout(resolve, raceBackoffMs(round)));
      return undefined;
    }
    const attempt = existing.attempt + 1;
    const record = await deps.store.interconnects.update(existing.name, existing.etag, () => ({
      attempt,
      currentOperation: { kind: "provision", instanceId: provisionInstanceId(existing.name, attempt), startedAt: new Date().toISOString() },
    }));
    return start(client, record, inputFrom(deps, record, spec, attempt));
  }
  // Active: its provisioning completed, which is what the caller wants to hear about.
  if (existing.state === "active") return { outcome: "existing", instanceId: op.instanceId, record: existing };
  const stalled = Date.now() - Date.parse(op.startedAt) >= timing.stalledStartMs;
  const status = await findInstance(client, op.instanceId);
  if (isFinished(status)) throw ended(existing, op.instanceId, status as DurableOrchestrationStatus);
  if (status === undefined && stalled) {
    if (existing.state === "requested") {
      const started = await start(client, existing, inputFrom(deps, existing, spec, existing.attempt));
      return { ...started, outcome: "existing" };
    }
    throw conflict(existing, `its provisioning instance ${op.instanceId} is not in the task hub (purged?) although the record says "${existing.state}"; DELETE it to tear down what was built, then provision it again`, "Absent");
  }
  return { outcome: "existing", instanceId: op.instanceId, record: existing };
}

function inputFrom(deps: RequestDeps, record: StoredInterconnect, spec: InterconnectSpec, attempt: number): ProvisionInput {
  // The stalled-start path: who asked first is in the audit; the orchestration runs as the system.
  return { name: record.name, spec, bgpPlan: record.bgpPlan as BgpPlan, actor: "system", attempt, timing: deps.timing };
}

function conflict(existing: StoredInterconnect, why: string, runtimeStatus?: string): DomainError {
  return new DomainError(ErrorCodes.CONFLICT, `Interconnect "${existing.name}" cannot be provisioned now: ${why}.`, {
    details: { name: existing.name, state: existing.state, currentOperation: existing.currentOperation ?? null, ...(runtimeStatus ? { runtimeStatus } : {}) },
  });
}

/** The record says requested/provisioning, but its instance is over: terminated by hand, or its last record write failed. */
function ended(existing: StoredInterconnect, instanceId: string, status: DurableOrchestrationStatus): DomainError {
  const runtimeStatus = String(status.runtimeStatus);
  return conflict(
    existing,
    `its provisioning instance ${instanceId} ended (runtimeStatus ${runtimeStatus}) while the record still says "${existing.state}", so nothing is running it; DELETE it to tear down what was built, then provision it again`,
    runtimeStatus,
  );
}

function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
