/**
 * The watchdog's answer to a change or adoption that ended without finishing and is not restarted:
 * say on the record what happened, truthfully, so the interconnect is operable again and its owner
 * knows what each side was left in. Nothing is rolled back (a bandwidth increase cannot be) and the
 * spec is not moved: only a verified change moves it (recordCommitChange).
 */
import * as df from "durable-functions";
import type { ActivityInput, CircuitSettings, VirtualCircuitSettings } from "../contracts";
import { HEALTH_WATCH_ORCHESTRATOR, healthWatchInstanceId } from "../domain/names";
import type { InterconnectSpec } from "../domain/spec";
import type { InterconnectFailure, JsonObject } from "../store";
import { findInstance, isFinished } from "./durable-instance";
import { defineActivity, type StepContext } from "./step";

type EndInput = ActivityInput<"watchdogEnd">;

export const watchdogEnd = defineActivity("watchdogEnd", "read", async (input, ctx) => {
  const name = input.opContext.interconnect;
  if (input.withoutRecord === true) return { outcome: await endWithoutRecord(input, ctx) };
  const ending = input.kind === "change" ? changeEnding(input) : adoptionEnding(input);
  let superseded = false;
  await ctx.deps.store.interconnects.modify(name, (fresh) => {
    const op = fresh.currentOperation;
    // A request (PATCH, DELETE) that claimed the record meanwhile wins: its operation is not this one's to end.
    if (op?.instanceId !== input.endedInstanceId) {
      superseded = true;
      return {};
    }
    if (op.stalled !== undefined) return {};
    return {
      currentOperation: { ...op, stalled: { ...input.stall, recovery: ending.recovery } },
      ...(ending.failure ? { failure: ending.failure } : {}),
    };
  });
  if (superseded) return { outcome: "superseded" as const };
  await ctx.deps.store.audit.append(
    {
      interconnect: name,
      step: "watchdog",
      phase: ending.failure ? "failed" : "info",
      actor: "watchdog",
      instanceId: input.endedInstanceId,
      operation: input.kind,
      message: `Operation ${input.endedInstanceId} ${input.stall.reason}. ${ending.message}`,
      details: { ended: true, since: input.stall.since, detectedAt: input.stall.detectedAt, ...ending.details },
    },
    { key: `watchdog\n${input.endedInstanceId}`, onDuplicate: "skip" },
  );
  // An adoption's last step is the health watch: started here (by its fixed id, so never twice).
  if (input.kind === "adopt") {
    const client = df.getClient(ctx.invocation);
    const watch = healthWatchInstanceId(name);
    const status = await findInstance(client, watch);
    if (status === undefined || isFinished(status))
      await client.startNew(HEALTH_WATCH_ORCHESTRATOR, { instanceId: watch, input: { name } });
  }
  return { outcome: "ended" as const };
});

/**
 * An adoption without a record that the watchdog will not restart (it was the watchdog's restart, or its
 * input is gone): left running it would hold the name for ever (a POST answers "existing"), so it is
 * terminated, and since there is no record to carry a failure, one audit row under the name (GET
 * /api/interconnects/{name}/audit answers without a record) says what happened and what to do.
 */
async function endWithoutRecord(input: EndInput, ctx: StepContext): Promise<"ended" | "superseded"> {
  const name = input.opContext.interconnect;
  const id = input.endedInstanceId;
  const record = await ctx.deps.store.interconnects.get(name);
  // Its record written since the scan: the records' rules judge it from the next round.
  if (record && record.state !== "deleted") return "superseded";
  const client = df.getClient(ctx.invocation);
  const mark = "ended by the watchdog, not restarted";
  const status = await findInstance(client, id, { showInput: true });
  const endedByUs = status !== undefined && isFinished(status) && String(status.output ?? "").includes(mark);
  if (status === undefined || (isFinished(status) && !endedByUs)) return "superseded";
  const step = stepOf(status.customStatus);
  if (!isFinished(status)) await client.terminate(id, encodeURIComponent(`stalled (${input.stall.reason}); ${mark}`));
  const ran = status.input as { actor?: unknown } | null;
  const why =
    ran?.actor === "watchdog"
      ? "It was already the watchdog's restart of an adoption that stalled, so it is not started a third time."
      : "Its input is no longer in the task hub, so it cannot be started again from it.";
  const changed =
    step !== undefined && TAGGED_FROM.has(step)
      ? "The service's tags may be on the circuit and the virtual circuit (nothing else was changed)."
      : "Nothing was changed on either cloud.";
  await ctx.deps.store.audit.append(
    {
      interconnect: name,
      step: "watchdog",
      phase: "failed",
      actor: "watchdog",
      instanceId: id,
      operation: "adopt",
      message:
        `Adoption ${id} stalled before it wrote its record${step ? ` (at step ${step})` : ""}: ${input.stall.reason}. ${why} ` +
        `It is terminated; no record was written. ${changed} What to do: look at what the step it stopped at reads ` +
        "(this trail's earlier rows, the clouds' activity logs), then send the same POST /api/interconnects/adoptions again: " +
        "it starts a fresh adoption that verifies the whole chain and writes the record only then.",
      details: {
        ended: true,
        withoutRecord: true,
        since: input.stall.since,
        detectedAt: input.stall.detectedAt,
        ...(step ? { atStep: step } : {}),
      },
    },
    { key: `watchdog\n${id}`, onDuplicate: "skip" },
  );
  return "ended";
}

/** From the tags step on, an adoption has written the service's tags on both sides. */
const TAGGED_FROM = new Set(["tags", "record", "activate"]);

function stepOf(customStatus: unknown): string | undefined {
  if (customStatus === null || typeof customStatus !== "object") return undefined;
  const step = (customStatus as { step?: unknown }).step;
  return typeof step === "string" && step ? step : undefined;
}

interface Ending {
  message: string;
  recovery: string;
  failure?: InterconnectFailure;
  details: JsonObject;
}

function changeEnding(input: EndInput): Ending {
  const left = input.left;
  const circuit = left ? describeCircuit(left.circuit) : "not read";
  const vc = left ? describeVirtualCircuit(left.virtualCircuit) : "not read";
  const from = input.change?.from as Partial<InterconnectSpec> | undefined;
  const to = input.change?.to as Partial<InterconnectSpec> | undefined;
  const reached = to && left ? targetReached(to, left.circuit, left.virtualCircuit) : undefined;
  const sides = `Azure: ${circuit}; OCI: ${vc}`;
  const target =
    to === undefined
      ? "What the change was to do is no longer in the task hub."
      : `It was to make ${describeTarget(to)}${from ? ` (from ${describeTarget(from)})` : ""}; ` +
        (reached === undefined
          ? "whether the clouds have it could not be read."
          : `${reached.circuit ? "the circuit has it" : "the circuit does not have it"}, ${reached.virtualCircuit ? "the virtual circuit has it" : "the virtual circuit does not have it"}.`);
  const whatToDo =
    to === undefined
      ? "Send the PATCH you meant again: it reads both sides first and changes only what differs."
      : "Send the same PATCH again to finish it: every step reads first and sends only what differs, and the spec follows once both sides are verified. Nothing was rolled back (a bandwidth increase cannot be).";
  const message = `${sides}. ${target} The record keeps the spec it had. ${whatToDo}`;
  return {
    message,
    recovery: "ended by the watchdog: the record keeps its spec; its failure says what each side was left in",
    failure: {
      step: "watchdog",
      code: "CHANGE_INTERRUPTED",
      message: `The change ${input.endedInstanceId} ${input.stall.reason}. ${message}`,
    },
    details: {
      circuit,
      virtualCircuit: vc,
      ...(reached ? { circuitHasTarget: reached.circuit, virtualCircuitHasTarget: reached.virtualCircuit } : {}),
    },
  };
}

function adoptionEnding(input: EndInput): Ending {
  return {
    message:
      "Its record had been written, so the chain was verified and tagged before: the interconnect is active and owns only what was granted. The health watch, its last step, is started now.",
    recovery: "ended by the watchdog: the record stands; the health watch is started",
    details: { healthWatch: healthWatchInstanceId(input.opContext.interconnect) },
  };
}

function targetReached(
  to: Partial<InterconnectSpec>,
  circuit: CircuitSettings,
  vc: VirtualCircuitSettings,
): { circuit: boolean; virtualCircuit: boolean } {
  const mbps = (to.bandwidthGbps ?? 0) * 1000;
  const sku = to.azure?.circuitSku ?? { tier: "Standard", family: "MeteredData" };
  return {
    circuit: circuit.found && circuit.bandwidthInMbps === mbps && circuit.sku.tier === sku.tier && circuit.sku.family === sku.family,
    virtualCircuit: vc.found && vc.bandwidthShapeName === `${to.bandwidthGbps ?? 0} Gbps` && vc.bgpSessionState === "UP",
  };
}

function describeTarget(spec: Partial<InterconnectSpec>): string {
  const sku = spec.azure?.circuitSku ?? { tier: "Standard", family: "MeteredData" };
  const fastPath = spec.azure?.gateway?.fastPath === true ? "FastPath on" : "FastPath off";
  return `${spec.bandwidthGbps ?? "?"} Gbps, ${sku.tier}_${sku.family}, ${fastPath}`;
}

function describeCircuit(c: CircuitSettings): string {
  return c.found
    ? `circuit ${c.provisioningState}, ${c.bandwidthInMbps} Mbps, ${c.sku.tier}_${c.sku.family}, provider ${c.serviceProviderProvisioningState}`
    : "circuit not found";
}

function describeVirtualCircuit(vc: VirtualCircuitSettings): string {
  return vc.found
    ? `virtual circuit ${vc.lifecycleState}, ${vc.bandwidthShapeName}, provider ${vc.providerState}, BGP ${vc.bgpSessionState}`
    : "virtual circuit not found";
}
