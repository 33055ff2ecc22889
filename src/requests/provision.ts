import type { DurableClient } from "durable-functions";
import type { BgpPlan } from "../domain/bgp-plan";
import { DomainError, ErrorCodes } from "../domain/errors";
import { failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import { provisionInstanceId } from "../domain/names";
import { parseInterconnectSpec, type InterconnectSpec } from "../domain/spec";
import type { JsonObject, StoredInterconnect } from "../store";
import { PROVISION_ORCHESTRATOR, type ProvisionInput } from "../workflows/names";
import { releaseUnlessRecorded, reserveBgpPlan } from "./bgp-allocation";
import { joinQueue } from "./network-turn";
import { requestRow, type Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { findInstance, isFinished, stoppedOperation } from "./durable";
import { planExpectation } from "./plan-reference";
import { sameSpec } from "./spec-identity";
import { raceBackoffMs, REQUEST_TIMING } from "./timing";

export interface ProvisionOutcome {
  /**
   * started: this request started the provisioning; existing: the running (or, for an active
   * interconnect, the completed) provisioning is returned, nothing new started; restarted: the
   * record's provisioning was not running (terminated, failed, purged or never started), and this
   * request started a new attempt over it, which picks up from what exists on the clouds.
   */
  outcome: "started" | "existing" | "restarted";
  instanceId: string;
  record: StoredInterconnect;
}

/** Validates the spec and the BGP plan, then starts the provisioning, or returns the one already running. */
export async function requestProvisioning(
  deps: RequestDeps,
  client: DurableClient,
  body: unknown,
  caller: Caller,
  planId?: string,
): Promise<ProvisionOutcome> {
  const spec = parseInterconnectSpec(body, { catalog: deps.catalog });
  const plan = planId === undefined ? undefined : await planExpectation(client, planId, spec);
  const timing = deps.requestTiming ?? REQUEST_TIMING;
  for (let round = 1; ; round++) {
    const existing = await deps.store.interconnects.get(spec.name);
    // A provisioning that failed leaving nothing on the clouds (pre-flight, or compensated) is replaced like a deleted one.
    const replaceable = existing === undefined || existing.state === "deleted" || failedProvisioningLeftNothing(existing);
    if (existing && !replaceable) {
      const reused = await reuseExisting(deps, client, existing, spec, round);
      if (reused) return reused;
      continue;
    }
    const attempt = (existing?.attempt ?? 0) + 1;
    const { plan: bgpPlan, held } = await reserveBgpPlan(deps, spec, attempt);
    let created: StoredInterconnect;
    try {
      created = await deps.store.interconnects.create({ name: spec.name, spec, bgpPlan });
    } catch (err) {
      await releaseUnlessRecorded(deps, held);
      // Another request created it first: decide again against what it wrote.
      if (err instanceof DomainError && err.code === ErrorCodes.CONFLICT && round < timing.raceRetries) continue;
      throw err;
    }
    // From here the record holds the blocks: a request that fails now leaves a "requested" record that a repeat starts.
    // create() kept the attempt of a deleted record it replaced, so `attempt` is new to the task hub either way.
    const record = await claim(deps, created, attempt);
    await deps.store.audit.append({
      interconnect: spec.name,
      ...requestRow(caller),
      instanceId: provisionInstanceId(spec.name, attempt),
      operation: "provision",
      message: !existing
        ? "Provisioning requested."
        : existing.state === "deleted"
          ? `Provisioning requested again (attempt ${attempt}) after the earlier interconnect was deleted.`
          : `Provisioning requested again (attempt ${attempt}) after the earlier one failed at "${existing.failure?.step ?? "?"}" leaving nothing on the clouds.`,
      details: { bgpPlan: toJson(bgpPlan) },
    });
    return start(deps, client, record, {
      name: spec.name,
      spec,
      bgpPlan,
      actor: caller.actor,
      ...(caller.ticketRef ? { ticketRef: caller.ticketRef } : {}),
      attempt,
      ...(plan ? { plan } : {}),
      timing: deps.timing,
    });
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

/** Starts the attempt's instance unless the task hub has it: deterministic ids make a second startNew for the same attempt detectable before it happens. */
async function start(
  deps: RequestDeps,
  client: DurableClient,
  record: StoredInterconnect,
  input: ProvisionInput,
  outcome: "started" | "restarted" = "started",
): Promise<ProvisionOutcome> {
  const instanceId = provisionInstanceId(record.name, input.attempt);
  const status = await findInstance(client, instanceId);
  if (status === undefined) {
    await joinQueue(deps, record.name, input.spec, "provision", instanceId);
    await client.startNew(PROVISION_ORCHESTRATOR, { instanceId, input });
    return { outcome, instanceId, record };
  }
  // Another request claimed this attempt and started it between our claim and here (it cannot have ended: it owns the record).
  if (isFinished(status))
    throw conflict(
      record,
      `its provisioning instance ${instanceId} already ended (runtimeStatus ${String(status.runtimeStatus)}); request it again`,
      String(status.runtimeStatus),
    );
  return { outcome: "existing", instanceId, record };
}

/**
 * The name is taken. Same spec while requested/provisioning/active: the existing operation while it
 * runs, a new attempt when nothing runs it. Anything else: a 409 that says what to do. Undefined: the
 * record was changing under us; decide again.
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
    throw conflict(
      existing,
      `it is being torn down${op ? ` (operation ${op.instanceId})` : ""}; wait until it is deleted, then provision it again`,
    );
  }
  if (existing.state === "failed") {
    throw conflict(
      existing,
      `its provisioning failed${existing.failure ? ` at step "${existing.failure.step}": ${existing.failure.message}` : ""}; DELETE it (tearing down what was built), then provision it again`,
    );
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
    return start(deps, client, record, inputFrom(deps, record, spec, attempt));
  }
  // Active: its provisioning completed, which is what the caller wants to hear about.
  if (existing.state === "active") return { outcome: "existing", instanceId: op.instanceId, record: existing };
  const stopped = stoppedOperation(op, await findInstance(client, op.instanceId), Date.now(), timing.stalledStartMs);
  if (stopped === undefined) return { outcome: "existing", instanceId: op.instanceId, record: existing };
  // Nothing runs it (terminated, failed, purged, or its starter died): a new attempt picks up from what exists.
  const attempt = existing.attempt + 1;
  const record = await deps.store.interconnects.update(existing.name, existing.etag, () => ({
    attempt,
    currentOperation: { kind: "provision", instanceId: provisionInstanceId(existing.name, attempt), startedAt: new Date().toISOString() },
  }));
  await deps.store.audit.append({
    interconnect: existing.name,
    step: "request",
    phase: "info",
    actor: "system",
    instanceId: provisionInstanceId(existing.name, attempt),
    operation: "provision",
    message: `Provisioning restarted (attempt ${attempt}): the earlier provisioning ${op.instanceId} is not running (${stopped}) while the record says "${existing.state}"; the new one picks up from what exists on the clouds.`,
    details: { restartedOver: op.instanceId, earlierRuntimeStatus: stopped },
  });
  return start(deps, client, record, inputFrom(deps, record, spec, attempt), "restarted");
}

function inputFrom(deps: RequestDeps, record: StoredInterconnect, spec: InterconnectSpec, attempt: number): ProvisionInput {
  // The stalled-start path: who asked first is in the audit; the orchestration runs as the system.
  const ownedBefore = record.resources.owned;
  return {
    name: record.name,
    spec,
    bgpPlan: record.bgpPlan as BgpPlan,
    actor: "system",
    attempt,
    ...(ownedBefore ? { ownedBefore } : {}),
    timing: deps.timing,
  };
}

function conflict(existing: StoredInterconnect, why: string, runtimeStatus?: string): DomainError {
  return new DomainError(ErrorCodes.CONFLICT, `Interconnect "${existing.name}" cannot be provisioned now: ${why}.`, {
    details: {
      name: existing.name,
      state: existing.state,
      currentOperation: existing.currentOperation ?? null,
      ...(runtimeStatus ? { runtimeStatus } : {}),
    },
  });
}

function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
