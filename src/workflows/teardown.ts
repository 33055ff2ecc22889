import type { OrchestrationContext } from "durable-functions";
import type { OpContext } from "../activities/contracts";
import { permanent, summarize } from "./failure";
import { readTeardownInput } from "./input";
import type { WorkflowSpec } from "./names";
import { updateRecord } from "./record";
import { REMOVAL_ORDER, REMOVAL_STEPS, removeResources } from "./remove";
import { defined, WorkflowRun, type Flow } from "./run";

export const TEARDOWN_STEPS = ["record", ...REMOVAL_STEPS, "deleted"] as const;

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
      if (!snapshot.found) throw permanent("record", "NOT_FOUND", `no interconnect named ${input.name}`);
      if (snapshot.state !== "tearing-down") {
        yield* updateRecord(run, "record", { message: `tearing down: ${input.reason}`, failure: null }, "tearing-down");
      }
      return snapshot;
    });
    const spec = readSpec(record.spec);
    const r = record.resources;
    const { kept } = yield* removeResources(run, {
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
      }),
      include: REMOVAL_ORDER,
    });
    yield* run.step("deleted", "everything removed", () =>
      updateRecord(run, "deleted", { message: kept.length > 0 ? `deleted; kept ${kept.join("; ")}` : "deleted" }, "deleted"),
    );
    return { state: "deleted", kept };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    let recordNote = "";
    if (!(failure.step === "record" && failure.code === "NOT_FOUND")) {
      try {
        yield* updateRecord(run, "record", { failure, message: "teardown failed" }, "failed");
      } catch (recordError) {
        recordNote = `; the record could not be marked failed: ${summarize(recordError, "record").message}`;
      }
    }
    throw new Error(`teardown of ${input.name} failed at ${failure.step}: ${failure.code}: ${failure.message}${recordNote}`);
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
  if (!ok) throw permanent("record", "RECORD_INVALID", "the stored spec lacks azure.subscriptionId/resourceGroup/virtualNetwork.name or oci.region/compartmentId/vcnId");
  return spec as WorkflowSpec;
}
