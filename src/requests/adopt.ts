import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { parseAdoptionRequest } from "../domain/adoption";
import { DomainError, ErrorCodes } from "../domain/errors";
import { adoptInstanceId } from "../domain/names";
import { ADOPT_ORCHESTRATOR } from "../workflows/names";
import type { AdoptInput } from "../workflows/adopt";
import { requestRow, type Caller } from "./caller";
import type { RequestDeps } from "./deps";
import { findInstance, isFinished } from "./durable";

export interface AdoptOutcome {
  outcome: "started" | "existing";
  instanceId: string;
  name: string;
}

/**
 * POST /api/interconnects/adoptions: the name must be free (no record, or a deleted one). The record is
 * written by the adoption itself, only once the chain is verified, so a refused adoption leaves nothing;
 * the instance id (adopt-<name>-<attempt>) makes a repeated request find the adoption under way.
 */
export async function requestAdoption(deps: RequestDeps, client: DurableClient, body: unknown, caller: Caller): Promise<AdoptOutcome> {
  const request = parseAdoptionRequest(body);
  const record = await deps.store.interconnects.get(request.name);
  if (record && record.state !== "deleted") {
    throw new DomainError(
      ErrorCodes.CONFLICT,
      `Interconnect "${request.name}" exists (${record.state}); adopt under another name, or DELETE it first.`,
      { details: { name: request.name } },
    );
  }
  const attempt = (record?.attempt ?? 0) + 1;
  for (let n = attempt; ; n++) {
    const instanceId = adoptInstanceId(request.name, n);
    const status = await findInstance(client, instanceId);
    if (status !== undefined && !isFinished(status)) return { outcome: "existing", instanceId, name: request.name };
    if (status !== undefined) continue;
    const input: AdoptInput = {
      request,
      actor: caller.actor,
      ...(caller.ticketRef ? { ticketRef: caller.ticketRef } : {}),
      catalog: deps.catalog,
      timing: deps.timing,
    };
    await client.startNew(ADOPT_ORCHESTRATOR, { instanceId, input });
    await deps.store.audit.append({
      interconnect: request.name,
      ...requestRow(caller),
      instanceId,
      operation: "adopt",
      message: `Adoption requested of ${request.azure.circuitId ?? request.oci.virtualCircuitId ?? "?"}; granted: ${request.grant.join(", ") || "nothing"}`,
      details: { granted: request.grant.join(",") },
    });
    return { outcome: "started", instanceId, name: request.name };
  }
}

export interface AdoptionFound {
  instanceId: string;
  status: DurableOrchestrationStatus;
}

/**
 * The adoption under way under this name, or the last one: what a client that detached follows, also
 * before the adoption writes its record. A live record adopted (or re-adopted by the watchdog) names its
 * instance; otherwise the ids are tried from where requestAdoption starts, and the last that exists is it.
 */
export async function latestAdoption(deps: RequestDeps, client: DurableClient, name: string): Promise<AdoptionFound | undefined> {
  const record = await deps.store.interconnects.get(name);
  if (record && record.state !== "deleted") {
    const op = record.currentOperation;
    if (op?.kind !== "adopt") return undefined;
    const status = await findInstance(client, op.instanceId);
    return status ? { instanceId: op.instanceId, status } : undefined;
  }
  let found: AdoptionFound | undefined;
  for (let n = (record?.attempt ?? 0) + 1; ; n++) {
    const instanceId = adoptInstanceId(name, n);
    const status = await findInstance(client, instanceId);
    if (status === undefined) return found;
    found = { instanceId, status };
  }
}
