import type { DurableClient } from "durable-functions";
import type { BgpPlan } from "../domain/bgp-plan";
import { DomainError, ErrorCodes } from "../domain/errors";
import { provisionInstanceId } from "../domain/names";
import { parseInterconnectSpec, type InterconnectSpec } from "../domain/spec";
import type { JsonObject, StoredInterconnect } from "../store";
import { PROVISION_ORCHESTRATOR, type ProvisionInput } from "../workflows/names";
import { releaseUnlessRecorded, reserveBgpPlan } from "./bgp-allocation";
import type { Caller } from "./caller";
import type { TriggerDeps } from "./deps";
import { findInstance } from "./durable";
import { sameSpec } from "./spec-identity";

export interface ProvisionOutcome {
  /** started: this request started the orchestration; existing: an identical request already had. */
  outcome: "started" | "existing";
  instanceId: string;
  record: StoredInterconnect;
}

/**
 * A starter that crashed between writing the record and starting the orchestration leaves a record
 * that points at an instance nobody started; after this grace period a repeated request starts it.
 * Shorter would let the loser of a race start the winner's instance a second time.
 */
const STALLED_START_MS = 15_000;
const RACE_RETRIES = 6;

/** Validates the spec and the BGP plan, then starts the provisioning, or returns the one already running. */
export async function requestProvisioning(deps: TriggerDeps, client: DurableClient, body: unknown, caller: Caller): Promise<ProvisionOutcome> {
  const spec = parseInterconnectSpec(body, { catalog: deps.catalog });
  for (let round = 1; ; round++) {
    const existing = await deps.store.interconnects.get(spec.name);
    if (existing && existing.state !== "deleted") {
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
      if (err instanceof DomainError && err.code === ErrorCodes.CONFLICT && round < RACE_RETRIES) continue;
      throw err;
    }
    // From here the record holds the blocks: a request that fails now leaves a "requested" record that a repeat starts.
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

async function claim(deps: TriggerDeps, created: StoredInterconnect, attempt: number): Promise<StoredInterconnect> {
  const instanceId = provisionInstanceId(created.name, attempt);
  return deps.store.interconnects.update(created.name, created.etag, () => ({
    attempt,
    currentOperation: { kind: "provision", instanceId, startedAt: new Date().toISOString() },
    failure: null,
  }));
}

async function start(client: DurableClient, record: StoredInterconnect, input: ProvisionInput): Promise<ProvisionOutcome> {
  const instanceId = provisionInstanceId(record.name, input.attempt);
  // Deterministic ids make a second startNew for the same attempt detectable before it happens.
  if ((await findInstance(client, instanceId)) === undefined) {
    await client.startNew(PROVISION_ORCHESTRATOR, { instanceId, input });
  }
  return { outcome: "started", instanceId, record };
}

/**
 * The name is taken. Same spec while requested/provisioning/active: the existing operation (and, for a
 * start that stalled, start it now). Anything else: a 409 that says what to do. Undefined: the record
 * was changing under us; decide again.
 */
async function reuseExisting(
  deps: TriggerDeps,
  client: DurableClient,
  existing: StoredInterconnect,
  spec: InterconnectSpec,
  round: number,
): Promise<ProvisionOutcome | undefined> {
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
    if (round < RACE_RETRIES && Date.now() - Date.parse(existing.updatedAt) < STALLED_START_MS) {
      await new Promise((resolve) => setTimeout(resolve, 250 * round));
      return undefined;
    }
    const attempt = existing.attempt + 1;
    const record = await deps.store.interconnects.update(existing.name, existing.etag, () => ({
      attempt,
      currentOperation: { kind: "provision", instanceId: provisionInstanceId(existing.name, attempt), startedAt: new Date().toISOString() },
    }));
    return start(client, record, inputFrom(deps, record, spec, attempt));
  }
  if (existing.state === "requested" && Date.now() - Date.parse(op.startedAt) >= STALLED_START_MS) {
    const started = await start(client, existing, inputFrom(deps, existing, spec, existing.attempt));
    return { ...started, outcome: "existing" };
  }
  return { outcome: "existing", instanceId: op.instanceId, record: existing };
}

function inputFrom(deps: TriggerDeps, record: StoredInterconnect, spec: InterconnectSpec, attempt: number): ProvisionInput {
  // The stalled-start path: who asked first is in the audit; the orchestration runs as the system.
  return { name: record.name, spec, bgpPlan: record.bgpPlan as BgpPlan, actor: "system", attempt, timing: deps.timing };
}

function conflict(existing: StoredInterconnect, why: string): DomainError {
  return new DomainError(ErrorCodes.CONFLICT, `Interconnect "${existing.name}" cannot be provisioned now: ${why}.`, {
    details: { name: existing.name, state: existing.state, currentOperation: existing.currentOperation ?? null },
  });
}

function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
