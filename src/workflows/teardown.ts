import type { OrchestrationContext } from "durable-functions";
import { permanent } from "../contracts";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import { stopHealthWatch } from "./health-watch";
import { readTeardownInput } from "./input";
import { awaitTurn, QUEUE_STEP, releaseTurn } from "./network-turn";
import type { WorkflowSpec } from "./names";
import { updateRecord } from "./record";
import { pollUntil } from "./poll";
import { REMOVABLE_KINDS, REMOVAL_STEPS, removeResources } from "./remove";
import { WorkflowRun, type Flow } from "./run";
import { opContextOf, removalTargetOf } from "./scopes";
import { releaseNetworks } from "./usage";

export const TEARDOWN_STEPS = ["record", QUEUE_STEP, "stopped-provisioning", ...REMOVAL_STEPS, "deleted"] as const;

export type TeardownOutput =
  | { state: "deleted"; kept: string[] }
  /** Replaced while it waited for its turn (a newer operation of the interconnect runs): it touched nothing. */
  | { state: "superseded" };

/**
 * Tear an interconnect down in the only safe order, from whatever state it is in (active, failed,
 * or a provisioning stopped half-way): the record says what was built; every step also reads the
 * clouds and tolerates "not found".
 */
export function* teardownInterconnect(context: OrchestrationContext): Flow<TeardownOutput> {
  const input = readTeardownInput(context.df.getInput());
  const run = new WorkflowRun(context, opContextOf(input, "teardown", context.df.instanceId), input.timing, TEARDOWN_STEPS);

  try {
    const record = yield* run.step("record", `teardown requested: ${input.reason}`, function* () {
      const snapshot = yield* run.call("record", "recordRead", { name: input.name });
      if (!snapshot.found) throw new WorkflowStepError("record", permanent("NOT_FOUND", `no interconnect named ${input.name}`));
      if (snapshot.state !== "tearing-down") {
        yield* updateRecord(run, "record", { failure: null }, "tearing-down");
      }
      return snapshot;
    });
    // An adopted interconnect's resources keep their builder's names: the record has them, whichever
    // path (a DELETE, the queue, the watchdog's restart) started this teardown with or without them.
    if (input.names === undefined && record.found && record.resources.names !== undefined) run.useNames(record.resources.names);
    yield* stopHealthWatch(run, input.name);
    const spec = readSpec(record.spec);
    // Its turn on the VNet and VCN (the turn of the provisioning it stopped passes to it): no other run builds or tears down there meanwhile.
    const turn = yield* run.step(QUEUE_STEP, "waiting for its turn on the VNet and the VCN", () => awaitTurn(run, spec));
    if (!turn) return { state: "superseded" };
    if (input.stoppedProvisioning !== undefined) yield* waitForStop(run, input.stoppedProvisioning);
    const watchLateVirtualCircuit = input.stoppedProvisioning !== undefined;
    // An adopted interconnect: only what its owner granted (resources.granted); anything else: everything.
    const include = record.resources.granted ? REMOVABLE_KINDS.filter((k) => record.resources.granted?.includes(k)) : REMOVABLE_KINDS;
    const { kept, forget } = yield* removeResources(
      run,
      removalTargetOf(spec, record.resources, include, watchLateVirtualCircuit ? { watchLateVirtualCircuit } : {}),
    );
    yield* run.step("deleted", "everything removed", function* () {
      yield* releaseNetworks(run, "deleted", { ...record.resources, vcnId: spec.oci.vcnId }, forget);
      // A finished teardown answers any earlier failure (the trigger may have moved a failed record to
      // tearing-down itself, so the clearing at the start does not always run).
      yield* updateRecord(run, "deleted", { failure: null }, "deleted");
    });
    yield* releaseTurn(run);
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
    yield* releaseTurn(run);
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
  if (!ok)
    throw new WorkflowStepError(
      "record",
      permanent(
        "RECORD_INVALID",
        "the stored spec lacks azure.subscriptionId/resourceGroup/virtualNetwork.name or oci.region/compartmentId/vcnId",
      ),
    );
  return spec as WorkflowSpec;
}
