import type { OrchestrationContext } from "durable-functions";
import { type AzureScope, type CircuitObservation, type GatewayObservation, type InterconnectResources, type OpContext, type StepFailureSummary, type VirtualCircuitObservation, permanent } from "../contracts";
import { COMPENSATION_REMOVED_EVERYTHING, CREATED_NOTHING } from "../domain/failed-provisioning";
import { ORACLE_BGP_ASN } from "../domain/skus";
import { summarize, workflowFailed, WorkflowStepError } from "./failure";
import { readProvisionInput } from "./input";
import { pollUntil } from "./poll";
import { preflight, PREFLIGHT_STEP, type PreflightFacts } from "./preflight";
import { updateRecord } from "./record";
import { REMOVAL_STEPS, removeResources, type RemovableKind } from "./remove";
import { defined, WorkflowRun, type Flow } from "./run";
import { peeringTableGaps, type PeeringTablesByPath } from "./verify";

export const PROVISION_STEPS = [
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
  "activate",
] as const;

export interface ProvisionOutput {
  state: "active";
  resources: InterconnectResources;
}

/**
 * Provision an interconnect (DESIGN.md steps 1-9).
 *
 * Parallelism: the ExpressRoute gateway (20-45 min, the longest pole) is started right after
 * pre-flight and then built by Azure while this orchestration walks the OCI and circuit chain; its
 * completion is awaited only when the connection needs it. Its health is read once between the
 * steps of that chain (before the attachment, before the circuit, after the provider), so a failed
 * gateway stops the run before a billing circuit exists, or at least minutes, not the gateway's
 * whole window, after. Both chains live in
 * one orchestration, so one custom status tells the whole story and a failure stops everything
 * before compensation runs (no branch keeps building behind a compensation).
 */
export function* provisionInterconnect(context: OrchestrationContext): Flow<ProvisionOutput> {
  const input = readProvisionInput(context.df.getInput());
  const { spec, bgpPlan, timing } = input;
  const op: OpContext = { interconnect: input.name, instanceId: context.df.instanceId, operation: "provision", actor: input.actor };
  if (input.ticketRef !== undefined) op.ticketRef = input.ticketRef;
  const run = new WorkflowRun(context, op, timing, PROVISION_STEPS);
  const azure = { subscriptionId: spec.azure.subscriptionId, resourceGroup: spec.azure.resourceGroup };
  const oci = { region: spec.oci.region, compartmentId: spec.oci.compartmentId };
  const touched: RemovableKind[] = [];
  const resources: InterconnectResources = {};
  /** When this run started its own gateway: compensation waits out the deployment from there. */
  const started: { gateway?: string } = {};
  /** The spec's tags go on everything this run creates (the activities add the interconnect tag). */
  const tags = defined({ tags: spec.tags });

  try {
    yield* run.step("record", "provisioning started", () => updateRecord(run, "record", { failure: null }, "provisioning"));
    const facts = yield* run.step("preflight", "checking both clouds before anything billable exists", () => preflight(run, spec, bgpPlan, input.plan));
    Object.assign(resources, {
      virtualNetworkId: facts.virtualNetwork.id,
      routeTableId: facts.vcn.defaultRouteTableId,
      routedPrefixes: facts.virtualNetwork.addressPrefixes,
      owned: facts.owned,
    } satisfies InterconnectResources);
    if (facts.existingDrg) resources.drgId = facts.existingDrg.id;
    yield* updateRecord(run, "preflight", { resources });

    // The longest pole first: started now, awaited at "gateway-ready".
    let gatewayStartedAt = run.now();
    const gatewayHealth = new GatewayHealth();
    if (facts.virtualNetwork.expressRouteGateway?.provisioningState === "Succeeded") gatewayHealth.succeeded = true;
    const gatewaySubnetId = yield* run.step("gateway-subnet", "GatewaySubnet for the ExpressRoute gateway", function* () {
      if (facts.virtualNetwork.gatewaySubnet !== null) return facts.virtualNetwork.gatewaySubnet.id;
      touched.push("gateway-subnet");
      const subnet = yield* run.call("gateway-subnet", "azureEnsureGatewaySubnet", {
        azure,
        virtualNetworkName: spec.azure.virtualNetwork.name,
        addressPrefix: spec.azure.virtualNetwork.gatewaySubnetPrefix,
      });
      return subnet.subnetId;
    });
    resources.gatewaySubnetId = gatewaySubnetId;
    const gatewayId = yield* run.step("gateway", "starting the ExpressRoute gateway (built in parallel)", function* () {
      const existing = facts.virtualNetwork.expressRouteGateway;
      if (existing !== null) return existing.id;
      touched.push("gateway");
      gatewayStartedAt = run.now();
      started.gateway = run.nowIso();
      const gateway = yield* run.call("gateway", "azureEnsureGateway", {
        azure,
        location: spec.azure.location,
        virtualNetworkName: spec.azure.virtualNetwork.name,
        gatewaySubnetId,
        ...facts.newGateway,
        ...tags,
      });
      if (!gateway.found) throw new WorkflowStepError("gateway", permanent("NOT_FOUND", "the gateway was not found right after it was created"));
      gatewayHealth.assess(gateway, "right after it was started");
      return gateway.gatewayId;
    });
    resources.gatewayId = gatewayId;
    const gatewayRef = facts.owned.gateway ? {} : { gatewayId };
    const checkGateway = (before: string) => gatewayHealth.check(run, azure, gatewayRef, before);

    const drgId = yield* run.step("drg", "the DRG", () => drgStep(run, facts, oci, spec.oci.drgId, touched, tags));
    resources.drgId = drgId;
    resources.drgAttachmentId = yield* run.step("drg-attachment", "attaching the DRG to the VCN", function* () {
      yield* checkGateway("the DRG attachment");
      return yield* attachmentStep(run, facts, oci, drgId, spec.oci.vcnId, touched, tags);
    });

    const circuit = yield* run.step("circuit", "the ExpressRoute circuit (billing starts)", function* () {
      yield* checkGateway("the circuit; no circuit is created");
      touched.push("circuit");
      const sku = spec.azure.circuitSku ?? { tier: "Standard", family: "MeteredData" };
      const input = { azure, location: spec.azure.location, peeringLocation: spec.azure.peeringLocation, bandwidthInMbps: facts.bandwidthInMbps, sku };
      const observed = yield* run.call("circuit", "azureEnsureCircuit", { ...input, ...tags });
      if (!observed.found) throw new WorkflowStepError("circuit", permanent("NOT_FOUND", "the circuit was not found right after it was created"));
      return observed;
    });
    resources.circuitId = circuit.circuitId;
    resources.serviceKeyMasked = circuit.serviceKeyMasked;

    // At once: a circuit must not bill a minute longer than needed without its virtual circuit.
    const virtualCircuit = yield* run.step("virtual-circuit", "the FastConnect virtual circuit with the service key", function* () {
      touched.push("virtual-circuit");
      const observed = yield* run.call("virtual-circuit", "ociEnsureVirtualCircuit", {
        oci,
        azure,
        providerServiceId: facts.providerServiceId,
        bandwidthShapeName: facts.bandwidthShapeName,
        drgId,
        crossConnectMappings: [
          { customerBgpPeeringIp: bgpPlan.primary.customerBgpPeeringIp, oracleBgpPeeringIp: bgpPlan.primary.oracleBgpPeeringIp },
          { customerBgpPeeringIp: bgpPlan.secondary.customerBgpPeeringIp, oracleBgpPeeringIp: bgpPlan.secondary.oracleBgpPeeringIp },
        ],
        ...tags,
      });
      if (!observed.found) throw new WorkflowStepError("virtual-circuit", permanent("NOT_FOUND", "the virtual circuit was not found right after it was created"));
      return observed;
    });
    resources.virtualCircuitId = virtualCircuit.virtualCircuitId;
    yield* updateRecord(run, "virtual-circuit", { resources });

    const vcRef = { virtualCircuitId: virtualCircuit.virtualCircuitId };
    const vcCreatedAt = run.now();
    yield* run.step("provider", "waiting for Oracle to provision both sides", () =>
      pollUntil(run, {
        step: "provider",
        wait: "provider",
        waitingFor: "virtual circuit PROVISIONED + provider ACTIVE + BGP UP and circuit Provisioned with AzurePrivatePeering",
        deadlineMinutes: timing.providerDeadlineMinutes,
        startedAt: vcCreatedAt,
        initiallyObserved: describeProvider({ vc: virtualCircuit, er: null }),
        // Azure learns Provisioned from Oracle, so the circuit is read only once Oracle's side is done.
        observe: function* () {
          const vc = yield* run.call("provider", "ociGetVirtualCircuit", { oci, ...vcRef });
          const er = oracleSideUp(vc) ? yield* run.call("provider", "azureGetCircuit", { azure }) : null;
          return { vc, er };
        },
        describe: describeProvider,
        done: ({ vc, er }) =>
          oracleSideUp(vc) &&
          er !== null &&
          er.found &&
          er.serviceProviderProvisioningState === "Provisioned" &&
          er.privatePeering?.provisioningState === "Succeeded" &&
          er.privatePeering.peerASN === ORACLE_BGP_ASN,
        broken: ({ vc, er }) => {
          if (!vc.found) return "the virtual circuit disappeared";
          if (vc.lifecycleState === "FAILED" || vc.lifecycleState === "INACTIVE") return `the virtual circuit is ${vc.lifecycleState}${vc.reason ? `: ${vc.reason}` : ""}`;
          if (er === null) return undefined;
          if (!er.found) return "the circuit disappeared";
          const peering = er.privatePeering;
          // Only the provider creates this peering, with Oracle's ASN: another ASN is someone's hand-made peering, whose BGP never reaches the VCN.
          if (peering && peering.provisioningState === "Succeeded" && peering.peerASN !== ORACLE_BGP_ASN) {
            return `AzurePrivatePeering has peer ASN ${peering.peerASN ?? "none"}, not Oracle's ${ORACLE_BGP_ASN}: it was not created by the provider`;
          }
          if (peering && peering.primaryPeerAddressPrefix !== null && peering.primaryPeerAddressPrefix !== bgpPlan.primary.cidr) {
            return `the provider configured AzurePrivatePeering with ${peering.primaryPeerAddressPrefix}, expected ${bgpPlan.primary.cidr}`;
          }
          if (peering && peering.secondaryPeerAddressPrefix !== null && peering.secondaryPeerAddressPrefix !== bgpPlan.secondary.cidr) {
            return `the provider configured AzurePrivatePeering with ${peering.secondaryPeerAddressPrefix}, expected ${bgpPlan.secondary.cidr}`;
          }
          return undefined;
        },
      }),
    );

    yield* run.step("route-rules", "VCN route rules: VNet prefixes → DRG", function* () {
      yield* checkGateway("the route rules");
      touched.push("route-rules");
      yield* run.call("route-rules", "ociEnsureRouteRules", {
        region: oci.region,
        routeTableId: facts.vcn.defaultRouteTableId,
        drgId,
        destinations: facts.virtualNetwork.addressPrefixes,
      });
    });

    yield* run.step("gateway-ready", "waiting for the ExpressRoute gateway", function* () {
      if (gatewayHealth.succeeded) return;
      yield* pollUntil(run, {
        step: "gateway-ready",
        wait: "gateway",
        waitingFor: "the ExpressRoute gateway to be Succeeded",
        deadlineMinutes: timing.gatewayDeadlineMinutes,
        startedAt: gatewayStartedAt,
        observe: () => run.call("gateway-ready", "azureGetGateway", { azure, ...gatewayRef }),
        describe: (g) => (g.found ? `gateway ${g.provisioningState}` : "gateway not found"),
        done: (g) => g.found && g.provisioningState === "Succeeded",
        broken: (g) => (!g.found ? "the gateway disappeared" : g.provisioningState === "Failed" ? "the gateway deployment Failed" : undefined),
      });
    });

    const connection = yield* run.step("connection", "connecting the gateway to the circuit", function* () {
      touched.push("connection");
      const created = yield* run.call("connection", "azureEnsureConnection", {
        azure,
        location: spec.azure.location,
        gatewayId,
        circuitId: circuit.circuitId,
        expressRouteGatewayBypass: facts.expressRouteGatewayBypass,
        ...tags,
      });
      const connected = (c: typeof created) => c.found && c.provisioningState === "Succeeded" && c.connectionStatus === "Connected";
      if (connected(created)) return created;
      return yield* pollUntil(run, {
        step: "connection",
        wait: "connection",
        waitingFor: "the connection to be Connected",
        deadlineMinutes: timing.connectionDeadlineMinutes,
        observe: () => run.call("connection", "azureGetConnection", { azure }),
        describe: (c) => (c.found ? `connection ${c.provisioningState}/${c.connectionStatus}` : "connection not found"),
        done: connected,
        broken: (c) => (!c.found ? "the connection disappeared" : c.provisioningState === "Failed" ? "the connection deployment Failed" : undefined),
      });
    });
    if (connection.found) resources.connectionId = connection.connectionId;

    yield* run.step("verification", "checking ARP and route tables on both device paths", () =>
      pollUntil(run, {
        step: "verification",
        wait: "verification",
        waitingFor: "the Oracle peers in the ARP tables and the VCN prefixes in the route tables",
        deadlineMinutes: timing.verificationDeadlineMinutes,
        observe: function* (): Flow<PeeringTablesByPath> {
          const [primary, secondary] = yield* run.readPair(
            "verification",
            ["azureReadPeeringTables", { azure, devicePath: "primary" }],
            ["azureReadPeeringTables", { azure, devicePath: "secondary" }],
          );
          return { primary, secondary };
        },
        describe: (t) => peeringTableGaps(bgpPlan, facts.vcn.cidrBlocks, t).join("; ") || "both paths verified",
        done: (t) => peeringTableGaps(bgpPlan, facts.vcn.cidrBlocks, t).length === 0,
      }),
    );

    yield* run.step("activate", "the interconnect is active", () => updateRecord(run, "activate", { resources }, "active"));
    return { state: "active", resources };
  } catch (error) {
    const failure = summarize(error, run.currentStatus().step);
    const { sentence: compensation, leftNothing } = yield* compensate(run, input, touched, resources, failure, started.gateway);
    // What this run created is gone: a later teardown of this record must not remove a shared resource
    // (the GatewaySubnet above all) that another interconnect may have created since.
    if (leftNothing && resources.owned) resources.owned = { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false };
    const reason = `${failure.step}: ${failure.code}: ${failure.message}${compensation}`;
    let recordNote = "";
    try {
      yield* updateRecord(run, "record", { resources, failure: { ...failure, message: failure.message + compensation } }, "failed");
    } catch (recordError) {
      recordNote = `; the record could not be marked failed: ${summarize(recordError, "record").message}`;
    }
    throw workflowFailed(`provisioning of ${input.name} failed at ${reason}${recordNote}`);
  }
}

function* drgStep(
  run: WorkflowRun,
  facts: PreflightFacts,
  oci: { region: string; compartmentId: string },
  givenDrgId: string | undefined,
  touched: RemovableKind[],
  tags: { tags?: Record<string, string> },
): Flow<string> {
  let drgId: string;
  const startedAt = run.now();
  if (givenDrgId !== undefined && facts.existingDrg !== null) {
    drgId = givenDrgId;
    if (facts.existingDrg.lifecycleState === "AVAILABLE") return drgId;
  } else {
    touched.push("drg");
    const drg = yield* run.call("drg", "ociEnsureDrg", { oci, ...tags });
    if (!drg.found) throw new WorkflowStepError("drg", permanent("NOT_FOUND", "the DRG was not found right after it was created"));
    if (drg.lifecycleState === "AVAILABLE") return drg.drgId;
    drgId = drg.drgId;
  }
  yield* pollUntil(run, {
    step: "drg",
    wait: "drg",
    startedAt,
    waitingFor: "the DRG to be AVAILABLE",
    deadlineMinutes: run.timing.drgDeadlineMinutes,
    observe: () => run.call("drg", "ociGetDrg", { oci, drgId }),
    describe: (d) => (d.found ? `DRG ${d.lifecycleState}` : "DRG not found"),
    done: (d) => d.found && d.lifecycleState === "AVAILABLE",
    broken: (d) => (!d.found ? "the DRG disappeared" : ["TERMINATING", "TERMINATED"].includes(d.lifecycleState) ? `the DRG is ${d.lifecycleState}` : undefined),
  });
  return drgId;
}

function* attachmentStep(
  run: WorkflowRun,
  facts: PreflightFacts,
  oci: { region: string; compartmentId: string },
  drgId: string,
  vcnId: string,
  touched: RemovableKind[],
  tags: { tags?: Record<string, string> },
): Flow<string> {
  let attachmentId: string;
  const startedAt = run.now();
  const existing = facts.existingDrg?.vcnAttachment ?? null;
  if (existing !== null) {
    attachmentId = existing.id;
    if (existing.lifecycleState === "ATTACHED") return attachmentId;
  } else {
    touched.push("drg-attachment");
    const attachment = yield* run.call("drg-attachment", "ociEnsureDrgAttachment", { oci, drgId, vcnId, ...tags });
    if (!attachment.found) throw new WorkflowStepError("drg-attachment", permanent("NOT_FOUND", "the DRG attachment was not found right after it was created"));
    if (attachment.lifecycleState === "ATTACHED") return attachment.drgAttachmentId;
    attachmentId = attachment.drgAttachmentId;
  }
  yield* pollUntil(run, {
    step: "drg-attachment",
    wait: "drgAttachment",
    startedAt,
    waitingFor: "the DRG attachment to be ATTACHED",
    deadlineMinutes: run.timing.drgDeadlineMinutes,
    observe: () => run.call("drg-attachment", "ociGetDrgAttachment", { oci, vcnId, drgId, drgAttachmentId: attachmentId }),
    describe: (a) => (a.found ? `DRG attachment ${a.lifecycleState}` : "DRG attachment not found"),
    done: (a) => a.found && a.lifecycleState === "ATTACHED",
    broken: (a) => (!a.found ? "the DRG attachment disappeared" : ["DETACHING", "DETACHED"].includes(a.lifecycleState) ? `the DRG attachment is ${a.lifecycleState}` : undefined),
  });
  return attachmentId;
}

function oracleSideUp(vc: VirtualCircuitObservation): boolean {
  return vc.found && vc.lifecycleState === "PROVISIONED" && vc.providerState === "ACTIVE" && vc.bgpSessionState === "UP";
}

function describeProvider({ vc, er }: { vc: VirtualCircuitObservation; er: CircuitObservation | null }): string {
  const left = vc.found ? `virtual circuit ${vc.lifecycleState}, provider ${vc.providerState}, BGP ${vc.bgpSessionState}` : "virtual circuit not found";
  if (er === null) return `${left}; circuit not read until Oracle's side is up`;
  const right = er.found
    ? `circuit ${er.serviceProviderProvisioningState}, ${er.privatePeering ? `AzurePrivatePeering ${er.privatePeering.provisioningState}` : "no AzurePrivatePeering"}`
    : "circuit not found";
  return `${left}; ${right}`;
}

/**
 * Remove what this run started, in the safe teardown order, unless asked to keep it for
 * inspection. Returns a sentence for the failure message, ending in COMPENSATION_REMOVED_EVERYTHING
 * or CREATED_NOTHING exactly when nothing of this run remains (the triggers read that back).
 */
function* compensate(
  failedRun: WorkflowRun,
  input: ReturnType<typeof readProvisionInput>,
  touched: readonly RemovableKind[],
  resources: InterconnectResources,
  failure: StepFailureSummary,
  gatewayStartedAt: string | undefined,
): Flow<{ sentence: string; leftNothing: boolean }> {
  if (touched.length === 0) {
    // Pre-flight's own message already says nothing billable exists.
    return { sentence: failure.step === PREFLIGHT_STEP ? "" : `; ${CREATED_NOTHING}`, leftNothing: true };
  }
  const keep = input.spec.keepResourcesOnFailure === true || input.timing.keepResourcesOnFailure;
  if (keep) {
    yield* failedRun.audit("compensation", "skipped", `kept for inspection: ${touched.join(", ")}`);
    return { sentence: `; resources kept for inspection: ${touched.join(", ")}`, leftNothing: false };
  }
  const run = new WorkflowRun(failedRun.context, failedRun.op, failedRun.timing, REMOVAL_STEPS);
  run.note({ message: `compensating after ${failure.step} failed` });
  yield* run.audit("compensation", "started", `removing ${touched.join(", ")} after ${failure.step} failed`);
  try {
    const { kept } = yield* removeResources(run, {
      azure: { subscriptionId: input.spec.azure.subscriptionId, resourceGroup: input.spec.azure.resourceGroup },
      virtualNetworkName: input.spec.azure.virtualNetwork.name,
      oci: { region: input.spec.oci.region, compartmentId: input.spec.oci.compartmentId },
      vcnId: input.spec.oci.vcnId,
      ...defined({
        routeTableId: resources.routeTableId,
        virtualCircuitId: resources.virtualCircuitId,
        drgId: resources.drgId,
        drgAttachmentId: resources.drgAttachmentId,
        owned: resources.owned,
        gatewayStartedAt,
      }),
      include: touched,
    });
    yield* run.audit("compensation", "succeeded", `removed ${touched.join(", ")}`);
    return kept.length > 0
      ? { sentence: `; ${COMPENSATION_REMOVED_EVERYTHING}, kept ${kept.join("; ")}`, leftNothing: false }
      : { sentence: `; ${COMPENSATION_REMOVED_EVERYTHING}`, leftNothing: true };
  } catch (error) {
    const f = summarize(error, run.currentStatus().step);
    yield* run.audit("compensation", "failed", `${f.step}: ${f.code}: ${f.message}`);
    return { sentence: `; compensation FAILED at ${f.step} (${f.code}: ${f.message}): tear down manually or DELETE the interconnect`, leftNothing: false };
  }
}

/**
 * The gateway track seen from the OCI/circuit track: a cheap read between steps. A gateway seen
 * Succeeded is not read again (and its wait is skipped); Failed or gone stops the run.
 */
class GatewayHealth {
  succeeded = false;

  assess(gateway: GatewayObservation, when: string): void {
    if (!gateway.found) throw new WorkflowStepError("gateway", permanent("GATEWAY_FAILED", `the ExpressRoute gateway is gone (noticed ${when})`));
    if (gateway.provisioningState === "Failed") throw new WorkflowStepError("gateway", permanent("GATEWAY_FAILED", `the ExpressRoute gateway deployment Failed (noticed ${when})`));
    if (gateway.provisioningState === "Succeeded") this.succeeded = true;
  }

  *check(run: WorkflowRun, azure: AzureScope, gatewayRef: { gatewayId?: string }, before: string): Flow<void> {
    if (this.succeeded) return;
    const gateway = yield* run.call(run.currentStatus().step, "azureGetGateway", { azure, ...gatewayRef });
    this.assess(gateway, `before ${before}`);
  }
}
