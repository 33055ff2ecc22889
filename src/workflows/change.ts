import type { OrchestrationContext } from "durable-functions";
import { permanent, type CircuitSettings, type VirtualCircuitSettings } from "../contracts";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import type { AdoptedNames } from "../domain/resources";
import type { WorkflowBgpPlan, WorkflowSpec, WorkflowTiming } from "./names";
import { readTiming } from "./input";
import { pollUntil } from "./poll";
import { updateRecord } from "./record";
import { WorkflowRun, type Flow } from "./run";
import { opContextOf, scopesOf } from "./scopes";
import { awaitVerified } from "./verify";

/** day2-operations.md §3.3, then the tags, FastPath and the record. */
export const CHANGE_STEPS = [
  "record",
  "precheck",
  "circuit",
  "provider-key",
  "virtual-circuit",
  "fastpath",
  "tags",
  "verification",
  "commit",
] as const;

export type ChangeKindName = "bandwidth" | "circuitSku" | "tags" | "fastPath" | "record";

export interface ChangeInput {
  name: string;
  actor: string;
  ticketRef?: string;
  /** The record's spec when the change was accepted, and the spec it becomes. */
  from: WorkflowSpec;
  to: WorkflowSpec;
  kinds: ChangeKindName[];
  bgpPlan: WorkflowBgpPlan;
  /** An adopted interconnect's own ARM names (its record's resources.names). */
  names?: AdoptedNames;
  timing?: WorkflowTiming;
}

export interface ChangeOutput {
  changed: ChangeKindName[];
}

const gbpsShape = (gbps: number) => `${gbps} Gbps`;

/**
 * Change an active interconnect in place. Each step reads first and writes only what differs, so a
 * replay or a re-delivered step repeats nothing. Nothing is rolled back: a bandwidth increase or an
 * UnlimitedData circuit cannot be undone; a failure leaves the record's spec as it was (so the health
 * watch shows what differs) and its `failure` says what was done and what is left.
 */
export function* changeInterconnect(context: OrchestrationContext): Flow<ChangeOutput> {
  const input = readChangeInput(context.df.getInput());
  const { from, to } = input;
  const run = new WorkflowRun(context, opContextOf(input, "change", context.df.instanceId), input.timing, CHANGE_STEPS);
  const { azure, oci } = scopesOf(to);
  const has = (k: ChangeKindName) => input.kinds.includes(k);
  const circuitChanges = has("bandwidth") || has("circuitSku");
  const targetMbps = to.bandwidthGbps * 1000;
  const targetShape = gbpsShape(to.bandwidthGbps);
  const targetSku = to.azure.circuitSku ?? { tier: "Standard" as const, family: "MeteredData" as const };
  const done: string[] = [];

  try {
    const virtualCircuitId = yield* run.step("record", `change requested: ${input.kinds.join(", ")}`, function* () {
      const record = yield* run.call("record", "recordRead", { name: input.name });
      if (!record.found || record.state !== "active" || record.operationId !== context.df.instanceId) {
        throw new WorkflowStepError(
          "record",
          permanent(
            "CONFLICT",
            `the interconnect is ${record.found ? `${record.state}, owned by ${record.operationId ?? "nothing"}` : "gone"}`,
          ),
        );
      }
      return record.resources.virtualCircuitId;
    });
    // By the id the record holds: an adopted virtual circuit has its builder's display name, not ours.
    const vcRef = { oci, ...(virtualCircuitId ? { virtualCircuitId } : {}) };

    const before = yield* run.step("precheck", "reading both sides before changing anything", function* () {
      const { circuit, bandwidthsOfferedMbps } = yield* run.call("precheck", "azureReadCircuitSettings", { azure });
      const vc = yield* run.call("precheck", "ociReadVirtualCircuitSettings", vcRef);
      if (!circuit.found) throw refused("precheck", "CIRCUIT_NOT_FOUND", "the circuit does not exist");
      if (!vc.found) throw refused("precheck", "VIRTUAL_CIRCUIT_NOT_FOUND", "the virtual circuit does not exist");
      if (circuitChanges && circuit.provisioningState !== "Succeeded") {
        throw refused(
          "precheck",
          "CIRCUIT_NOT_READY",
          `the circuit's last write is ${circuit.provisioningState}, not Succeeded; refresh it (GET + PUT of the same body) first`,
        );
      }
      if (has("bandwidth")) {
        if (!bandwidthsOfferedMbps.includes(targetMbps))
          throw refused("precheck", "BANDWIDTH_NOT_OFFERED", `Azure's provider does not offer ${targetMbps} Mbps`);
        if (!vc.shapesOffered.includes(targetShape))
          throw refused("precheck", "BANDWIDTH_NOT_OFFERED", `OCI's provider offers no shape ${targetShape}`);
      }
      return { circuit, vc };
    });

    if (circuitChanges) {
      yield* run.step("circuit", `the circuit to ${targetMbps} Mbps, ${targetSku.tier}_${targetSku.family}`, function* () {
        const startedAt = run.now();
        const started = yield* run.call("circuit", "azureUpdateCircuit", { azure, bandwidthInMbps: targetMbps, sku: targetSku });
        yield* pollUntil(run, {
          step: "circuit",
          wait: "circuitUpdate",
          waitingFor: `the circuit Succeeded at ${targetMbps} Mbps, ${targetSku.tier}_${targetSku.family}`,
          deadlineMinutes: run.timing.connectionDeadlineMinutes,
          startedAt,
          initiallyObserved: describeCircuit(started),
          observe: function* () {
            return (yield* run.call("circuit", "azureReadCircuitSettings", { azure })).circuit;
          },
          describe: describeCircuit,
          done: (c) =>
            c.found &&
            c.provisioningState === "Succeeded" &&
            c.bandwidthInMbps === targetMbps &&
            c.sku.tier === targetSku.tier &&
            c.sku.family === targetSku.family,
          // Azure's documented failure: no capacity on the port (or the write failed). Retrying changes nothing.
          broken: (c) =>
            !c.found
              ? "the circuit disappeared"
              : c.provisioningState === "Failed"
                ? "the circuit's update Failed (no capacity on its port for the new bandwidth, or the write was refused)"
                : undefined,
        });
        done.push(`circuit ${targetMbps} Mbps ${targetSku.tier}_${targetSku.family}`);
      });
    }

    if (has("bandwidth")) {
      yield* run.step("provider-key", "the provider's view of the service key at the new bandwidth", function* () {
        yield* pollUntil(run, {
          step: "provider-key",
          wait: "providerKeyShape",
          waitingFor: `the provider key's bandwidth shape ${targetShape}`,
          deadlineMinutes: run.timing.providerDeadlineMinutes,
          observe: () =>
            run.call("provider-key", "ociReadProviderKey", {
              azure,
              region: oci.region,
              providerServiceId: before.vc.found ? before.vc.providerServiceId : "",
            }),
          describe: (k) => (k.found ? `provider key shape ${k.bandwidthShapeName ?? "none"}` : "provider key not found"),
          done: (k) => k.found && k.bandwidthShapeName === targetShape,
        });
      });
      yield* run.step("virtual-circuit", `the virtual circuit to ${targetShape}`, function* () {
        const startedAt = run.now();
        const started = yield* run.call("virtual-circuit", "ociUpdateVirtualCircuitShape", { ...vcRef, bandwidthShapeName: targetShape });
        yield* awaitVirtualCircuit(run, "virtual-circuit", vcRef, targetShape, startedAt, started);
        done.push(`virtual circuit ${targetShape}`);
      });
    }

    if (has("fastPath")) {
      const fastPath = to.azure.gateway?.fastPath === true;
      yield* run.step("fastpath", `FastPath ${fastPath ? "on" : "off"} on the connection`, function* () {
        const startedAt = run.now();
        const started = yield* run.call("fastpath", "azureSetConnectionFastPath", { azure, fastPath });
        yield* pollUntil(run, {
          step: "fastpath",
          wait: "connectionUpdate",
          waitingFor: `the connection Succeeded and Connected with FastPath ${fastPath ? "on" : "off"}`,
          deadlineMinutes: run.timing.connectionDeadlineMinutes,
          startedAt,
          initiallyObserved: started.found ? `connection ${started.provisioningState}/${started.connectionStatus}` : "connection not found",
          observe: () => run.call("fastpath", "azureGetConnection", { azure }),
          describe: (c) =>
            c.found ? `connection ${c.provisioningState}/${c.connectionStatus}, FastPath ${c.expressRouteGatewayBypass}` : "gone",
          done: (c) =>
            c.found &&
            c.provisioningState === "Succeeded" &&
            c.connectionStatus === "Connected" &&
            c.expressRouteGatewayBypass === fastPath,
          broken: (c) =>
            !c.found ? "the connection disappeared" : c.provisioningState === "Failed" ? "the connection's update Failed" : undefined,
        });
        done.push(`FastPath ${fastPath ? "on" : "off"}`);
      });
    }

    if (has("tags")) {
      const removed = Object.keys(from.tags ?? {}).filter((k) => !(k in (to.tags ?? {})));
      const tags = to.tags ?? {};
      yield* run.step("tags", "the spec's tags on the circuit and the virtual circuit", function* () {
        yield* run.call("tags", "azureUpdateCircuitTags", { azure, tags, removed });
        yield* run.call("tags", "ociUpdateVirtualCircuitTags", { ...vcRef, tags, removed });
        done.push("tags");
      });
    }

    if (circuitChanges) {
      yield* run.step("verification", "circuit, provider key and virtual circuit agree; BGP up on both paths", function* () {
        const [{ circuit }, vc] = yield* run.readPair(
          "verification",
          ["azureReadCircuitSettings", { azure }],
          ["ociReadVirtualCircuitSettings", vcRef],
        );
        const disagree = verificationGaps(circuit, vc, targetMbps, targetShape, targetSku);
        if (has("bandwidth") && vc.found) {
          const key = yield* run.call("verification", "ociReadProviderKey", {
            azure,
            region: oci.region,
            providerServiceId: vc.providerServiceId,
          });
          if (!key.found || key.bandwidthShapeName !== targetShape)
            disagree.push(`provider key shape ${key.found ? (key.bandwidthShapeName ?? "none") : "not found"}, expected ${targetShape}`);
        }
        if (disagree.length > 0) throw refused("verification", "CHANGE_NOT_VERIFIED", disagree.join("; "));
        const vcn = yield* run.call("verification", "ociReadVcn", { region: oci.region, vcnId: to.oci.vcnId });
        yield* awaitVerified(run, azure, input.bgpPlan, vcn.cidrBlocks);
      });
    }

    yield* run.step("commit", "the record's spec follows the verified change", () =>
      run.call("commit", "recordCommitChange", {
        name: input.name,
        expectedOperationId: context.df.instanceId,
        spec: to as unknown as Record<string, unknown>,
      }),
    );
    return { changed: input.kinds };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    const what = done.length > 0 ? `; done and kept (not rolled back): ${done.join(", ")}` : "; no change step completed";
    const needsNew =
      failure.step === "circuit" && has("bandwidth")
        ? "; this needs a new interconnect: provision one at the new bandwidth (another name), move the traffic, then DELETE this one"
        : "";
    const message = `${failure.message}${needsNew}${what}; the record keeps the spec it had`;
    const code = needsNew ? "NEEDS_NEW_INTERCONNECT" : failure.code;
    let recordNote = "";
    try {
      yield* updateRecord(run, "record", { failure: { step: failure.step, code, message } });
    } catch (recordError) {
      recordNote = `; the record could not be marked: ${summarize(recordError, "record").message}`;
    }
    throw workflowFailed(`change of ${input.name} failed at ${failure.step}: ${code}: ${message}${recordNote}`);
  }
}

function* awaitVirtualCircuit(
  run: WorkflowRun,
  step: string,
  vcRef: { oci: { region: string; compartmentId: string }; virtualCircuitId?: string },
  shape: string,
  startedAt: Date,
  started: VirtualCircuitSettings,
): Flow<void> {
  yield* pollUntil(run, {
    step,
    wait: "virtualCircuitUpdate",
    waitingFor: `the virtual circuit PROVISIONED at ${shape} with BGP UP`,
    deadlineMinutes: run.timing.providerDeadlineMinutes,
    startedAt,
    initiallyObserved: describeVirtualCircuit(started),
    observe: () => run.call(step, "ociReadVirtualCircuitSettings", vcRef),
    describe: describeVirtualCircuit,
    done: (vc) => vc.found && vc.lifecycleState === "PROVISIONED" && vc.bgpSessionState === "UP" && vc.bandwidthShapeName === shape,
    broken: (vc) =>
      !vc.found
        ? "the virtual circuit disappeared"
        : ["FAILED", "INACTIVE"].includes(vc.lifecycleState)
          ? `it is ${vc.lifecycleState}`
          : undefined,
  });
}

export function verificationGaps(
  circuit: CircuitSettings,
  vc: VirtualCircuitSettings,
  mbps: number,
  shape: string,
  sku: { tier: string; family: string },
): string[] {
  const gaps: string[] = [];
  if (!circuit.found) return ["the circuit is gone"];
  if (!vc.found) return ["the virtual circuit is gone"];
  if (circuit.bandwidthInMbps !== mbps) gaps.push(`circuit bandwidthInMbps ${circuit.bandwidthInMbps}, expected ${mbps}`);
  if (circuit.sku.tier !== sku.tier || circuit.sku.family !== sku.family)
    gaps.push(`circuit SKU ${circuit.sku.tier}_${circuit.sku.family}, expected ${sku.tier}_${sku.family}`);
  if (vc.bandwidthShapeName !== shape) gaps.push(`virtual circuit shape ${vc.bandwidthShapeName}, expected ${shape}`);
  if (vc.bgpSessionState !== "UP") gaps.push(`virtual circuit BGP ${vc.bgpSessionState}`);
  return gaps;
}

function describeCircuit(c: CircuitSettings): string {
  return c.found ? `circuit ${c.provisioningState}, ${c.bandwidthInMbps} Mbps, ${c.sku.tier}_${c.sku.family}` : "circuit not found";
}

function describeVirtualCircuit(vc: VirtualCircuitSettings): string {
  return vc.found
    ? `virtual circuit ${vc.lifecycleState}, ${vc.bandwidthShapeName}, BGP ${vc.bgpSessionState}`
    : "virtual circuit not found";
}

function refused(step: string, code: string, message: string): WorkflowStepError {
  return new WorkflowStepError(step, permanent(code, message));
}

function readChangeInput(raw: unknown): ChangeInput & { timing: WorkflowTiming } {
  const o = raw as Partial<ChangeInput> | null;
  if (o === null || typeof o !== "object") throw new Error("input must be an object");
  for (const f of ["name", "actor"] as const)
    if (typeof o[f] !== "string" || o[f] === "") throw new Error(`input.${f} must be a non-empty string`);
  if (typeof o.from !== "object" || typeof o.to !== "object" || !Array.isArray(o.kinds) || typeof o.bgpPlan !== "object")
    throw new Error("input.from, input.to, input.kinds and input.bgpPlan are required");
  return { ...(o as ChangeInput), timing: readTiming(o.timing) };
}
