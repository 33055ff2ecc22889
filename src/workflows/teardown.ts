import type { OrchestrationContext } from "durable-functions";
import { type OpContext, permanent } from "../contracts";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import { readTeardownInput } from "./input";
import type { WorkflowSpec } from "./names";
import { updateRecord } from "./record";
import { pollUntil } from "./poll";
import { REMOVAL_ORDER, REMOVAL_STEPS, removeResources, type RemovalTarget } from "./remove";
import { defined, WorkflowRun, type Flow } from "./run";

export const TEARDOWN_STEPS = ["record", "stopped-provisioning", ...REMOVAL_STEPS, "sweep", "deleted"] as const;

/** Rounds of "a late virtual circuit appeared: remove it and its circuit again" before giving up. */
const MAX_SWEEPS = 3;

export interface TeardownOutput {
  state: "deleted";
  kept: string[];
}

/**
 * Tear an interconnect down in the only safe order, from whatever state it is in (active, failed,
 * or a provisioning stopped half-way): the record says what was built; every step also reads the
 * clouds and tolerates "not found".
 */
export function* teardownInterconnect(context: OrchestrationContext): Flow<TeardownOutput> {
  const input = readTeardownInput(context.df.getInput());
  const op: OpContext = { interconnect: input.name, instanceId: context.df.instanceId, operation: "teardown", actor: input.actor };
  if (input.ticketRef !== undefined) op.ticketRef = input.ticketRef;
  const run = new WorkflowRun(context, op, input.timing, TEARDOWN_STEPS);

  try {
    const record = yield* run.step("record", `teardown requested: ${input.reason}`, function* () {
      const snapshot = yield* run.call("record", "recordRead", { name: input.name });
      if (!snapshot.found) throw new WorkflowStepError("record", permanent("NOT_FOUND", `no interconnect named ${input.name}`));
      if (snapshot.state !== "tearing-down") {
        yield* updateRecord(run, "record", { failure: null }, "tearing-down");
      }
      return snapshot;
    });
    const spec = readSpec(record.spec);
    const r = record.resources;
    if (input.stoppedProvisioning !== undefined) yield* waitForStop(run, input.stoppedProvisioning);
    const target: RemovalTarget = {
      azure: { subscriptionId: spec.azure.subscriptionId, resourceGroup: spec.azure.resourceGroup },
      virtualNetworkName: spec.azure.virtualNetwork.name,
      oci: { region: spec.oci.region, compartmentId: spec.oci.compartmentId },
      vcnId: spec.oci.vcnId,
      ...defined({
        routeTableId: r.routeTableId,
        virtualCircuitId: r.virtualCircuitId,
        drgId: r.drgId,
        drgAttachmentId: r.drgAttachmentId,
        owned: r.owned,
        watchLateVirtualCircuit: input.stoppedProvisioning !== undefined ? true : undefined,
      }),
      include: REMOVAL_ORDER,
    };
    const removed = yield* removeResources(run, target);
    const swept = input.stoppedProvisioning !== undefined ? yield* sweepLateVirtualCircuit(run, target) : [];
    const kept = [...removed.kept, ...swept];
    yield* run.step("deleted", "everything removed", () =>
      // A finished teardown answers any earlier failure (the trigger may have moved a failed record to
      // tearing-down itself, so the clearing at the start does not always run).
      updateRecord(run, "deleted", { failure: null }, "deleted"),
    );
    return { state: "deleted", kept };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    let recordNote = "";
    if (!(failure.step === "record" && failure.code === "NOT_FOUND")) {
      try {
        yield* updateRecord(run, "record", { failure }, "failed");
      } catch (recordError) {
        recordNote = `; the record could not be marked failed: ${summarize(recordError, "record").message}`;
      }
    }
    throw workflowFailed(`teardown of ${input.name} failed at ${failure.step}: ${failure.code}: ${failure.message}${recordNote}`);
  }
}

/**
 * A DELETE during provisioning terminates the provisioning, but an activity it started may still be
 * creating (OCI retries for tens of seconds): removing before it stopped races it. Bounded: a
 * terminate that does not take is no reason to leave everything billing, and the sweep catches a
 * late virtual circuit.
 */
function* waitForStop(run: WorkflowRun, instanceId: string): Flow<void> {
  yield* run.step("stopped-provisioning", `waiting for the stopped provisioning ${instanceId} to end`, function* () {
    try {
      yield* pollUntil(run, {
        step: "stopped-provisioning",
        wait: "provisioningStop",
        waitingFor: `provisioning ${instanceId} to be terminal`,
        deadlineMinutes: run.timing.stoppedProvisioningDeadlineMinutes,
        observe: () => run.call("stopped-provisioning", "provisioningInstanceState", { instanceId }),
        describe: (s) => `provisioning ${s.runtimeStatus}`,
        done: (s) => s.terminal,
      });
    } catch (error) {
      if (!(error instanceof WorkflowStepError && error.failure.code === "DEADLINE_EXCEEDED")) throw error;
      yield* run.audit("stopped-provisioning", "skipped", `${error.failure.message}; removing anyway, the sweep looks for late resources`);
    }
  });
}

/**
 * After everything is removed, look for our virtual circuit once more: one created late by a stopped
 * provisioning's activity (that had read the service key before the circuit went) would bill
 * unseen. Found: remove it and any circuit, in the safe order, and look again.
 */
function* sweepLateVirtualCircuit(run: WorkflowRun, target: RemovalTarget): Flow<string[]> {
  const kept: string[] = [];
  for (let round = 1; ; round++) {
    const late = yield* run.step("sweep", "looking for a virtual circuit created after its removal", () =>
      run.call("sweep", "ociGetVirtualCircuit", { oci: target.oci }),
    );
    if (!late.found || late.lifecycleState === "TERMINATED") return kept;
    if (round > MAX_SWEEPS) {
      throw new WorkflowStepError("sweep", permanent("LATE_VIRTUAL_CIRCUIT", `virtual circuit ${late.virtualCircuitId} keeps reappearing (${late.lifecycleState}) after ${MAX_SWEEPS} removals`));
    }
    yield* run.audit("sweep", "retrying", `virtual circuit ${late.virtualCircuitId} (${late.lifecycleState}) appeared after its removal; removing it and its circuit again`);
    const again = yield* removeResources(run, { ...target, virtualCircuitId: late.virtualCircuitId, include: ["virtual-circuit", "circuit"] });
    kept.push(...again.kept);
  }
}

/** The stored spec, with the fields teardown needs checked (a record written by an older version may lack some). */
function readSpec(raw: unknown): WorkflowSpec {
  const spec = raw as Partial<WorkflowSpec> | null;
  const ok =
    spec !== null &&
    typeof spec === "object" &&
    typeof spec.azure?.subscriptionId === "string" &&
    typeof spec.azure.resourceGroup === "string" &&
    typeof spec.azure.virtualNetwork?.name === "string" &&
    typeof spec.oci?.region === "string" &&
    typeof spec.oci.compartmentId === "string" &&
    typeof spec.oci.vcnId === "string";
  if (!ok) throw new WorkflowStepError("record", permanent("RECORD_INVALID", "the stored spec lacks azure.subscriptionId/resourceGroup/virtualNetwork.name or oci.region/compartmentId/vcnId"));
  return spec as WorkflowSpec;
}
