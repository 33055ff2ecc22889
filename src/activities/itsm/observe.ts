import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { findInstance } from "../durable-instance";
import { itsmActivityDeps } from "./deps";
import { observeOperationInput, observeOperationOutput, type ObserveOperationOutput } from "../../contracts/itsm";

/**
 * One look at an operation for its ticket: the record (state, resources, BGP plan, failure) and the
 * orchestration's custom status (the step, since when). Storage reads only, never a cloud call.
 */
export async function itsmObserveOperation(raw: unknown, context: InvocationContext): Promise<ObserveOperationOutput> {
  const input = observeOperationInput.parse(raw);
  const client = df.getClient(context);
  if (input.kind === "plan") {
    // A plan is no operation on the record: only its orchestration's status and output matter.
    const status = await findInstance(client, input.instanceId);
    const runtimeStatus = status ? String(status.runtimeStatus) : "Absent";
    return observeOperationOutput.parse({
      kind: "plan",
      current: true,
      runtimeStatus,
      resources: {},
      ...(runtimeStatus === "Completed" && status?.output ? { plan: status.output } : {}),
    });
  }
  const record = await itsmActivityDeps().store.interconnects.get(input.interconnect);
  const status = await findInstance(client, input.instanceId);
  const custom = status?.customStatus as { step?: unknown; since?: unknown } | null | undefined;
  return observeOperationOutput.parse({
    kind: input.kind,
    ...(record ? { state: record.state } : {}),
    current: record?.currentOperation?.instanceId === input.instanceId,
    runtimeStatus: status ? String(status.runtimeStatus) : "Absent",
    ...(typeof custom?.step === "string" ? { step: custom.step } : {}),
    ...(typeof custom?.since === "string" ? { since: custom.since } : {}),
    resources: record?.resources ?? {},
    ...(record?.bgpPlan ? { bgpPlan: record.bgpPlan } : {}),
    ...(record?.failure && record.currentOperation?.instanceId === input.instanceId ? { failure: record.failure } : {}),
  });
}
