import type { AzureScope, CircuitObservation, OciScope, VirtualCircuitObservation } from "../contracts";
import { ensureThenAwait, found } from "./ensure";
import type { WorkflowBgpPlan, WorkflowSpec, WorkflowTiming } from "./names";
import { pollUntil } from "./poll";
import type { PreflightFacts } from "./preflight";
import type { RemovableKind } from "./removal-graph";
import type { Flow, WorkflowRun } from "./run";

/** What the provisioning's steps share: the run, where it builds, and what it has started so far. */
export interface Build {
  run: WorkflowRun;
  spec: WorkflowSpec;
  bgpPlan: WorkflowBgpPlan;
  facts: PreflightFacts;
  azure: AzureScope;
  oci: OciScope;
  /** The spec's tags, for every create (the activities add the interconnect tag). */
  tags: { tags?: Record<string, string> };
  /** What this run started, in the order it did: compensation removes exactly these. */
  touched: RemovableKind[];
}

const timing = (b: Build): WorkflowTiming => b.run.timing;

/** DESIGN.md step 3: the DRG named in the spec, or ours, AVAILABLE. */
export function drgAvailable(b: Build): Flow<string> {
  const { run, oci, facts } = b;
  return ensureThenAwait(run, {
    step: "drg",
    what: "DRG",
    ...(facts.existingDrg ? { existing: { id: facts.existingDrg.id, ready: facts.existingDrg.lifecycleState === "AVAILABLE" } } : {}),
    ensure: function* () {
      b.touched.push("drg");
      return yield* run.call("drg", "ociEnsureDrg", { oci, ...b.tags });
    },
    idOf: (d) => d.drgId,
    ready: (d) => d.found && d.lifecycleState === "AVAILABLE",
    until: {
      wait: "drg",
      waitingFor: "the DRG to be AVAILABLE",
      deadlineMinutes: timing(b).drgDeadlineMinutes,
      observe: (id) => run.call("drg", "ociGetDrg", { oci, drgId: id }),
      describe: (d) => (d.found ? `DRG ${d.lifecycleState}` : "DRG not found"),
      broken: (d) =>
        !d.found
          ? "the DRG disappeared"
          : ["TERMINATING", "TERMINATED"].includes(d.lifecycleState)
            ? `the DRG is ${d.lifecycleState}`
            : undefined,
    },
  });
}

/** DESIGN.md step 3: the DRG's attachment to the VCN (the existing DRG's own, or ours), ATTACHED. */
export function drgAttached(b: Build, drgId: string): Flow<string> {
  const { run, oci } = b;
  const vcnId = b.spec.oci.vcnId;
  const existing = b.facts.existingDrg?.vcnAttachment ?? null;
  return ensureThenAwait(run, {
    step: "drg-attachment",
    what: "DRG attachment",
    ...(existing ? { existing: { id: existing.id, ready: existing.lifecycleState === "ATTACHED" } } : {}),
    ensure: function* () {
      b.touched.push("drg-attachment");
      return yield* run.call("drg-attachment", "ociEnsureDrgAttachment", { oci, drgId, vcnId, ...b.tags });
    },
    idOf: (a) => a.drgAttachmentId,
    ready: (a) => a.found && a.lifecycleState === "ATTACHED",
    until: {
      wait: "drgAttachment",
      waitingFor: "the DRG attachment to be ATTACHED",
      deadlineMinutes: timing(b).drgDeadlineMinutes,
      observe: (id) => run.call("drg-attachment", "ociGetDrgAttachment", { oci, vcnId, drgId, drgAttachmentId: id }),
      describe: (a) => (a.found ? `DRG attachment ${a.lifecycleState}` : "DRG attachment not found"),
      broken: (a) =>
        !a.found
          ? "the DRG attachment disappeared"
          : ["DETACHING", "DETACHED"].includes(a.lifecycleState)
            ? `the DRG attachment is ${a.lifecycleState}`
            : undefined,
    },
  });
}

/** DESIGN.md step 4: the circuit, provider "Oracle Cloud FastConnect" (billing starts). */
export function* circuitCreated(b: Build): Flow<CircuitObservation & { found: true }> {
  const { run, azure, spec, facts } = b;
  b.touched.push("circuit");
  const sku = spec.azure.circuitSku ?? { tier: "Standard", family: "MeteredData" };
  const input = {
    azure,
    location: spec.azure.location,
    peeringLocation: spec.azure.peeringLocation,
    bandwidthInMbps: facts.bandwidthInMbps,
    sku,
  };
  return found("circuit", "circuit", yield* run.call("circuit", "azureEnsureCircuit", { ...input, ...b.tags }));
}

/**
 * DESIGN.md step 5, at once after the circuit (which must not bill a minute longer than needed alone):
 * the virtual circuit with its service key, the DRG, the bandwidth shape, the two cross-connect mappings.
 */
export function* virtualCircuitCreated(b: Build, drgId: string): Flow<VirtualCircuitObservation & { found: true }> {
  const { run, azure, oci, facts, bgpPlan } = b;
  b.touched.push("virtual-circuit");
  const mapping = (path: "primary" | "secondary") => ({
    customerBgpPeeringIp: bgpPlan[path].customerBgpPeeringIp,
    oracleBgpPeeringIp: bgpPlan[path].oracleBgpPeeringIp,
  });
  const observed = yield* run.call("virtual-circuit", "ociEnsureVirtualCircuit", {
    oci,
    azure,
    providerServiceId: facts.providerServiceId,
    bandwidthShapeName: facts.bandwidthShapeName,
    drgId,
    crossConnectMappings: [mapping("primary"), mapping("secondary")],
    ...b.tags,
  });
  return found("virtual-circuit", "virtual circuit", observed);
}

/** DESIGN.md step 2, awaited: the gateway Succeeded, counted from its start. */
export function* gatewaySucceeded(b: Build, startedAt: Date, gatewayRef: { gatewayId?: string }): Flow<void> {
  const { run, azure } = b;
  yield* pollUntil(run, {
    step: "gateway-ready",
    wait: "gateway",
    waitingFor: "the ExpressRoute gateway to be Succeeded",
    deadlineMinutes: timing(b).gatewayDeadlineMinutes,
    startedAt,
    observe: () => run.call("gateway-ready", "azureGetGateway", { azure, ...gatewayRef }),
    describe: (g) => (g.found ? `gateway ${g.provisioningState}` : "gateway not found"),
    done: (g) => g.found && g.provisioningState === "Succeeded",
    broken: (g) => (!g.found ? "the gateway disappeared" : g.provisioningState === "Failed" ? "the gateway deployment Failed" : undefined),
  });
}

/** DESIGN.md step 8: the connection gateway ⇄ circuit (FastPath where the SKU allows), Connected. */
export function connected(b: Build, gatewayId: string, circuit: CircuitObservation & { found: true }): Flow<string> {
  const { run, azure, spec, facts } = b;
  return ensureThenAwait(run, {
    step: "connection",
    what: "connection",
    ensure: function* () {
      b.touched.push("connection");
      const input = {
        azure,
        location: spec.azure.location,
        gatewayId,
        circuitId: circuit.circuitId,
        expressRouteGatewayBypass: facts.expressRouteGatewayBypass,
      };
      return yield* run.call("connection", "azureEnsureConnection", { ...input, ...b.tags });
    },
    idOf: (c) => c.connectionId,
    ready: (c) => c.found && c.provisioningState === "Succeeded" && c.connectionStatus === "Connected",
    until: {
      wait: "connection",
      waitingFor: "the connection to be Connected",
      deadlineMinutes: timing(b).connectionDeadlineMinutes,
      observe: () => run.call("connection", "azureGetConnection", { azure }),
      describe: (c) => (c.found ? `connection ${c.provisioningState}/${c.connectionStatus}` : "connection not found"),
      broken: (c) =>
        !c.found ? "the connection disappeared" : c.provisioningState === "Failed" ? "the connection deployment Failed" : undefined,
    },
  });
}

/**
 * The optional end-to-end probe, once the interconnect is verified: the connection monitor (TCP to the
 * VCN address's port, ICMP) in the Network Watcher pre-flight found, Succeeded. Returns its id.
 */
export function connectionMonitorCreated(b: Build): Flow<string> {
  const { run, spec, facts } = b;
  const monitor = spec.monitor;
  const networkWatcher = facts.networkWatcher;
  if (monitor === undefined || networkWatcher === null) throw new Error("connectionMonitorCreated: the spec has no monitor");
  const subscriptionId = spec.azure.subscriptionId;
  return ensureThenAwait(run, {
    step: "monitor",
    what: "connection monitor",
    ensure: function* () {
      b.touched.push("connection-monitor");
      return yield* run.call("monitor", "azureEnsureConnectionMonitor", { subscriptionId, networkWatcher, monitor, ...b.tags });
    },
    idOf: (m) => m.connectionMonitorId,
    ready: (m) => m.found && m.provisioningState === "Succeeded",
    until: {
      wait: "connectionMonitor",
      waitingFor: "the connection monitor to be Succeeded",
      deadlineMinutes: timing(b).connectionDeadlineMinutes,
      observe: (id) =>
        run.call("monitor", "azureGetConnectionMonitor", { subscriptionId, connectionMonitorId: id, region: networkWatcher.location }),
      describe: (m) => (m.found ? `connection monitor ${m.provisioningState}` : "connection monitor not found"),
      broken: (m) =>
        !m.found ? "the connection monitor disappeared" : m.provisioningState === "Failed" ? "the connection monitor is Failed" : undefined,
    },
  });
}
