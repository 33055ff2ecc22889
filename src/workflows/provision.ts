import type { OrchestrationContext } from "durable-functions";
import { permanent, type AzureScope, type GatewayObservation, type InterconnectResources, type StepFailureSummary } from "../contracts";
import { COMPENSATION_REMOVED_EVERYTHING, CREATED_NOTHING } from "../domain/failed-provisioning";
import { armResourceId, resourceNames } from "../domain/names";
import { ownedAcrossAttempts, RESOURCE_FIELDS } from "../domain/resources";
import { routeRuleId } from "../domain/sharing";
import { found } from "./ensure";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import { startHealthWatch } from "./health-watch";
import { awaitTurn, QUEUE_STEP, releaseTurn } from "./network-turn";
import { readProvisionInput } from "./input";
import { preflight, PREFLIGHT_STEP } from "./preflight";
import {
  circuitCreated,
  connected,
  connectionMonitorCreated,
  drgAttached,
  drgAvailable,
  gatewaySucceeded,
  virtualCircuitCreated,
  type Build,
} from "./provision-steps";
import { awaitProvider } from "./provider-wait";
import { updateRecord } from "./record";
import { REMOVAL_STEPS, removeResources, type RemovableKind } from "./remove";
import { defined, WorkflowRun, type Flow } from "./run";
import { opContextOf, removalTargetOf, scopesOf } from "./scopes";
import { recordUse, releaseNetworks } from "./usage";
import { awaitVerified } from "./verify";

export const PROVISION_STEPS = [
  QUEUE_STEP,
  "record",
  "preflight",
  "gateway-subnet",
  "gateway",
  "drg",
  "drg-attachment",
  "circuit",
  "virtual-circuit",
  "provider",
  "route-rules",
  "gateway-ready",
  "connection",
  "verification",
  "monitor",
  "activate",
] as const;

export type ProvisionOutput =
  | { state: "active"; resources: InterconnectResources }
  /** Cancelled (or replaced) while it waited for its turn: it built nothing and left the record alone. */
  | { state: "superseded" };

/**
 * Provision an interconnect (DESIGN.md steps 1-9).
 *
 * Parallelism: the ExpressRoute gateway (20-45 min, the longest pole) is started right after
 * pre-flight and then built by Azure while this orchestration walks the OCI and circuit chain; its
 * completion is awaited only when the connection needs it. Its health is read once between the
 * steps of that chain (before the attachment, before the circuit, before the route rules), so a
 * failed gateway stops the run before a billing circuit exists, or at least minutes, not the
 * gateway's whole window, after. Both chains live in one orchestration, so one custom status tells
 * the whole story and a failure stops everything before compensation runs (no branch keeps
 * building behind a compensation).
 */
export function* provisionInterconnect(context: OrchestrationContext): Flow<ProvisionOutput> {
  const input = readProvisionInput(context.df.getInput());
  const { spec, bgpPlan, timing } = input;
  const run = new WorkflowRun(context, opContextOf(input, "provision", context.df.instanceId), timing, PROVISION_STEPS);
  const { azure, oci } = scopesOf(spec);
  /** What this run started, in the order it did: compensation removes exactly these. */
  const touched: RemovableKind[] = [];
  /** The shared kinds whose usage rows name this interconnect: compensation releases them even when it did not create them. */
  const used: RemovableKind[] = [];
  const resources: InterconnectResources = {};
  /** When this run started its own gateway (ISO): the gateway's wait, and compensation, count from there. */
  let gatewayStartedAt: string | undefined;
  /** The spec's tags go on everything this run creates (the activities add the interconnect tag). */
  const tags = defined({ tags: spec.tags });

  try {
    // 0. Its turn on the VNet and VCN: no other run builds or tears down there meanwhile.
    const turn = yield* run.step(QUEUE_STEP, "waiting for its turn on the VNet and the VCN", () => awaitTurn(run, spec));
    if (!turn) return { state: "superseded" };
    // 1. Pre-flight, before anything billable exists.
    yield* run.step("record", "provisioning started", () => updateRecord(run, "record", { failure: null }, "provisioning"));
    const facts = yield* run.step("preflight", "checking both clouds before anything billable exists", () =>
      preflight(run, spec, bgpPlan, input.plan),
    );
    const vnet = facts.virtualNetwork;
    Object.assign(resources, {
      virtualNetworkId: vnet.id,
      routeTableId: facts.vcn.defaultRouteTableId,
      routedPrefixes: vnet.addressPrefixes,
      owned: ownedAcrossAttempts(facts.owned, input.ownedBefore),
    });
    if (facts.existingDrg) resources.drgId = facts.existingDrg.id;
    yield* updateRecord(run, "preflight", { resources });
    const preflightDoneAt = run.nowIso();

    // 2. The gateway, the longest pole: started now, awaited at "gateway-ready".
    resources.gatewaySubnetId = yield* run.step("gateway-subnet", "GatewaySubnet for the ExpressRoute gateway", function* () {
      if (vnet.gatewaySubnet !== null) return vnet.gatewaySubnet.id;
      touched.push("gateway-subnet");
      const subnet = yield* run.call("gateway-subnet", "azureEnsureGatewaySubnet", {
        azure,
        virtualNetworkName: spec.azure.virtualNetwork.name,
        addressPrefix: spec.azure.virtualNetwork.gatewaySubnetPrefix,
      });
      return subnet.subnetId;
    });
    const gatewayHealth = new GatewayHealth(vnet.expressRouteGateway?.provisioningState === "Succeeded");
    const gatewayIp = yield* run.step("gateway", "starting the ExpressRoute gateway (built in parallel)", function* () {
      const existing = vnet.expressRouteGateway;
      if (existing !== null) return { gatewayId: existing.id, publicIpId: existing.publicIpId };
      touched.push("gateway");
      gatewayStartedAt = run.nowIso();
      const location = spec.azure.location;
      const started = yield* run.call("gateway", "azureEnsureGateway", {
        azure,
        location,
        virtualNetworkName: spec.azure.virtualNetwork.name,
        gatewaySubnetId: resources.gatewaySubnetId!,
        ...facts.newGateway,
        ...tags,
      });
      const gateway = found("gateway", "gateway", started);
      gatewayHealth.assess(gateway, "right after it was started");
      const ip = `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}/providers/Microsoft.Network/publicIPAddresses/${resourceNames(input.name).gatewayPublicIp}`;
      return { gatewayId: gateway.gatewayId, publicIpId: gateway.publicIpId ?? ip };
    });
    const gatewayId = gatewayIp.gatewayId;
    resources.gatewayId = gatewayId;
    if (gatewayIp.publicIpId !== undefined) resources.gatewayPublicIpId = gatewayIp.publicIpId;
    const owned = resources.owned!;
    yield* recordUse(
      run,
      "gateway",
      [
        { kind: "virtual-network", resourceId: vnet.id, created: false },
        { kind: "vcn", resourceId: facts.vcn.id, created: false },
        { kind: "route-table", resourceId: facts.vcn.defaultRouteTableId, created: false },
        { kind: "gateway-subnet", resourceId: resources.gatewaySubnetId, created: owned.gatewaySubnet },
        { kind: "gateway", resourceId: gatewayId, created: owned.gateway },
        { kind: "gateway-public-ip", resourceId: resources.gatewayPublicIpId, created: owned.gateway },
      ],
      used,
    );
    const gatewayRef = facts.owned.gateway ? {} : { gatewayId };
    const checkGateway = (before: string) => gatewayHealth.check(run, azure, gatewayRef, before);

    // 3. The DRG (or the one named in the spec) and its attachment to the VCN.
    const build: Build = { run, spec, bgpPlan, facts, azure, oci, tags, touched };
    const drgId = yield* run.step("drg", "the DRG", () => drgAvailable(build));
    resources.drgId = drgId;
    resources.drgAttachmentId = yield* run.step("drg-attachment", "attaching the DRG to the VCN", function* () {
      yield* checkGateway("the DRG attachment");
      return yield* drgAttached(build, drgId);
    });
    yield* recordUse(
      run,
      "drg-attachment",
      [
        { kind: "drg", resourceId: drgId, created: owned.drg },
        { kind: "drg-attachment", resourceId: resources.drgAttachmentId, created: owned.drgAttachment },
      ],
      used,
    );

    // 4. The circuit (billing starts), and 5. at once its virtual circuit with the service key.
    const circuit = yield* run.step("circuit", "the ExpressRoute circuit (billing starts)", function* () {
      yield* checkGateway("the circuit; no circuit is created");
      // On the record before it exists (its ARM id follows from its name): a DELETE that stops this run
      // while the circuit is being created still leaves its id, and what was built before it, on the record.
      resources.circuitId = armResourceId(azure, "expressRouteCircuits", resourceNames(input.name).circuit);
      yield* updateRecord(run, "circuit", { resources });
      return yield* circuitCreated(build);
    });
    resources.circuitId = circuit.circuitId;
    resources.serviceKeyMasked = circuit.serviceKeyMasked;
    const virtualCircuit = yield* run.step("virtual-circuit", "the FastConnect virtual circuit with the service key", () =>
      virtualCircuitCreated(build, drgId),
    );
    resources.virtualCircuitId = virtualCircuit.virtualCircuitId;
    yield* updateRecord(run, "virtual-circuit", { resources });

    // 6. Oracle provisions both sides.
    const since = run.now();
    yield* run.step("provider", "waiting for Oracle to provision both sides", () =>
      awaitProvider(run, { azure, oci, virtualCircuit, since, bgpPlan }),
    );

    // 7. Route rules: VNet prefixes → DRG.
    yield* run.step("route-rules", "VCN route rules: VNet prefixes → DRG", function* () {
      yield* checkGateway("the route rules");
      touched.push("route-rules");
      const rules = yield* run.call("route-rules", "ociEnsureRouteRules", {
        region: oci.region,
        routeTableId: facts.vcn.defaultRouteTableId,
        drgId,
        destinations: vnet.addressPrefixes,
      });
      const created = rules.created ?? rules.destinations;
      yield* recordUse(
        run,
        "route-rules",
        rules.destinations.map((d) => ({
          kind: "route-rule",
          resourceId: routeRuleId(facts.vcn.defaultRouteTableId, d, drgId),
          created: created.includes(d),
        })),
        used,
      );
    });

    // 8. The gateway done, the connection gateway ⇄ circuit, Connected.
    yield* run.step("gateway-ready", "waiting for the ExpressRoute gateway", function* () {
      if (!gatewayHealth.succeeded) yield* gatewaySucceeded(build, new Date(gatewayStartedAt ?? preflightDoneAt), gatewayRef);
    });
    resources.connectionId = yield* run.step("connection", "connecting the gateway to the circuit", () =>
      connected(build, gatewayId, circuit),
    );

    // 9. Verify both device paths, then the interconnect is active.
    yield* run.step("verification", "checking ARP and route tables on both device paths", () =>
      awaitVerified(run, azure, bgpPlan, facts.vcn.cidrBlocks),
    );
    // The optional end-to-end probe, on a path now known to work (so its first results mean something).
    if (spec.monitor !== undefined) {
      resources.connectionMonitorId = yield* run.step("monitor", "the end-to-end probe (Connection Monitor, TCP and ICMP)", () =>
        connectionMonitorCreated(build),
      );
    }
    yield* run.step("activate", "the interconnect is active", () => updateRecord(run, "activate", { resources }, "active"));
    yield* releaseTurn(run);
    yield* startHealthWatch(run, input.name);
    return { state: "active", resources };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    const { sentence: compensation, leftNothing } = yield* compensate(run, input, { touched, used }, resources, failure, gatewayStartedAt);
    // What this run created is gone: a later teardown of this record must not remove a shared resource
    // (the GatewaySubnet above all) that another interconnect may have created since.
    if (leftNothing && resources.owned) resources.owned = { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false };
    const reason = `${failure.step}: ${failure.code}: ${failure.message}${compensation}`;
    // A failed record lists what still exists: after a compensation that removed everything, only the customer's own VNet and route table.
    const message = failure.message + compensation;
    const recordNote = leftNothing
      ? yield* markFailed(run, defined({ owned: resources.owned }), { ...failure, message }, REMOVED_BY_COMPENSATION)
      : yield* markFailed(run, resources, { ...failure, message });
    // After the compensation: what it removed was still this run's to touch alone.
    yield* releaseTurn(run);
    throw workflowFailed(`provisioning of ${input.name} failed at ${reason}${recordNote}`);
  }
}

/** What a compensation that removed everything leaves out of the record: all but the customer's own VNet and route table (and ownership). */
const REMOVED_BY_COMPENSATION = RESOURCE_FIELDS.filter((f) => !["virtualNetworkId", "routeTableId", "owned"].includes(f));
type ResourceField = (typeof RESOURCE_FIELDS)[number];

/** The record to failed with the failure; a note for the final error when even that write failed. */
function* markFailed(
  run: WorkflowRun,
  resources: InterconnectResources,
  failure: StepFailureSummary,
  forget: ResourceField[] = [],
): Flow<string> {
  try {
    yield* updateRecord(run, "record", forget.length > 0 ? { resources, failure, forget } : { resources, failure }, "failed");
    return "";
  } catch (recordError) {
    return `; the record could not be marked failed: ${summarize(recordError, "record").message}`;
  }
}

/**
 * Remove what this run started, in the safe teardown order, unless asked to keep it for
 * inspection. Returns a sentence for the failure message, ending in COMPENSATION_REMOVED_EVERYTHING
 * or CREATED_NOTHING exactly when nothing of this run remains (the triggers read that back).
 */
function* compensate(
  failedRun: WorkflowRun,
  input: ReturnType<typeof readProvisionInput>,
  { touched, used }: { touched: readonly RemovableKind[]; used: readonly RemovableKind[] },
  resources: InterconnectResources,
  failure: StepFailureSummary,
  gatewayStartedAt: string | undefined,
): Flow<{ sentence: string; leftNothing: boolean }> {
  // What it only used (another interconnect's gateway or DRG) is released too: kept for its users, never removed by this run.
  const release = used.filter((k) => !touched.includes(k));
  if (touched.length === 0 && release.length === 0) {
    // Pre-flight's own message already says nothing billable exists.
    return { sentence: failure.step === PREFLIGHT_STEP ? "" : `; ${CREATED_NOTHING}`, leftNothing: true };
  }
  const keep = input.spec.keepResourcesOnFailure === true || input.timing.keepResourcesOnFailure;
  if (keep) {
    if (touched.length === 0) return { sentence: `; ${CREATED_NOTHING}`, leftNothing: true };
    yield* failedRun.audit("compensation", "skipped", `kept for inspection: ${touched.join(", ")}`);
    return { sentence: `; resources kept for inspection: ${touched.join(", ")}`, leftNothing: false };
  }
  const removing = touched.length > 0 ? touched.join(", ") : "nothing it created (it releases what it shared)";
  const run = new WorkflowRun(failedRun.context, failedRun.op, failedRun.timing, REMOVAL_STEPS, failedRun);
  run.note({ message: `compensating after ${failure.step} failed` });
  // The record says so at once: failed, with the failure, while the removal runs (and the run's BGP blocks stay held until it is done).
  yield* markFailed(failedRun, resources, { ...failure, message: `${failure.message}; compensating: removing ${removing}` });
  yield* run.audit("compensation", "started", `removing ${removing} after ${failure.step} failed`);
  try {
    const include = [...touched, ...release];
    const { kept, leftBehind, forget } = yield* removeResources(
      run,
      removalTargetOf(input.spec, resources, include, defined({ gatewayStartedAt })),
    );
    // The networks only when this run recorded their use; the rows of what it removed in the same call.
    yield* releaseNetworks(run, "compensation", used.length > 0 ? { ...resources, vcnId: input.spec.oci.vcnId } : {}, forget);
    yield* run.audit(
      "compensation",
      "succeeded",
      `removed ${touched.join(", ") || "nothing"}${kept.length > 0 ? `; kept ${kept.join("; ")}` : ""}`,
    );
    if (leftBehind.length > 0)
      return { sentence: `; ${COMPENSATION_REMOVED_EVERYTHING}, kept ${leftBehind.join("; ")}`, leftNothing: false };
    return { sentence: `; ${touched.length === 0 ? CREATED_NOTHING : COMPENSATION_REMOVED_EVERYTHING}`, leftNothing: true };
  } catch (error) {
    const f = summarize(error, run.currentStatus().step);
    yield* run.audit("compensation", "failed", `${f.step}: ${f.code}: ${f.message}`);
    return {
      sentence: `; compensation FAILED at ${f.step} (${f.code}: ${f.message}): tear down manually or DELETE the interconnect`,
      leftNothing: false,
    };
  }
}

/**
 * The gateway track seen from the OCI/circuit track: a cheap read between steps. A gateway seen
 * Succeeded is not read again (and its wait is skipped); Failed or gone stops the run.
 */
class GatewayHealth {
  constructor(public succeeded: boolean) {}

  assess(gateway: GatewayObservation, when: string): void {
    if (!gateway.found)
      throw new WorkflowStepError("gateway", permanent("GATEWAY_FAILED", `the ExpressRoute gateway is gone (noticed ${when})`));
    if (gateway.provisioningState === "Failed")
      throw new WorkflowStepError("gateway", permanent("GATEWAY_FAILED", `the ExpressRoute gateway deployment Failed (noticed ${when})`));
    if (gateway.provisioningState === "Succeeded") this.succeeded = true;
  }

  *check(run: WorkflowRun, azure: AzureScope, gatewayRef: { gatewayId?: string }, before: string): Flow<void> {
    if (this.succeeded) return;
    const gateway = yield* run.call(run.currentStatus().step, "azureGetGateway", { azure, ...gatewayRef });
    this.assess(gateway, `before ${before}`);
  }
}
