import type {
  AzureScope,
  CircuitObservation,
  ConnectionMonitorObservation,
  ConnectionObservation,
  DrgAttachmentObservation,
  DrgObservation,
  GatewayObservation,
  OciScope,
  ResourceOwnership,
  VirtualCircuitObservation,
  VcnSummary,
  VirtualNetworkSummary,
} from "../contracts";
import { routeRuleId, type SharedKind } from "../domain/sharing";
import type { WorkflowTiming } from "./names";
import type { ActivityCall } from "./run";
import type { WaitName } from "./waits";

/**
 * What removing an interconnect means, as data: one node per resource kind (and per wait that stands
 * between two of them), each saying which nodes must be done before it may start, which activities
 * delete and observe it, how "gone" and "delete failed" read, and which wait profile and deadline
 * apply. The remover (remove.ts) walks this graph, starting every node whose prerequisites are done
 * at once. The edges are the safe order of DESIGN.md "Teardown": connection → virtual circuit →
 * circuit NotProvisioned → circuit; the gateway only after its connection, the GatewaySubnet after
 * the gateway; route rules before the DRG attachment, the DRG after its attachment and the virtual
 * circuit that uses it. Nothing else links the Azure and the OCI side. The end-to-end probe's connection
 * monitor, when there is one, goes before everything.
 *
 * The shared kinds (route rules, DRG attachment, DRG, gateway with its public IP, GatewaySubnet) name
 * their usage rows (`shared`): their delete activity takes this interconnect off them first, deletes
 * only what the domain's removalDecision allows (src/domain/sharing.ts) and asks the live cloud once
 * more, all in one call (`release`). The rows of what was removed go in one call at the end.
 */

/** Resource kinds a removal may include (teardown: all; compensation: what its run started). */
export const REMOVABLE_KINDS = [
  "connection-monitor",
  "connection",
  "virtual-circuit",
  "circuit",
  "route-rules",
  "drg-attachment",
  "drg",
  "gateway",
  "gateway-subnet",
] as const;
export type RemovableKind = (typeof REMOVABLE_KINDS)[number];

export type RemovalStep = RemovableKind | "circuit-deprovisioning" | "sweep";

export interface RemovalTarget {
  azure: AzureScope;
  virtualNetworkName: string;
  oci: OciScope;
  vcnId: string;
  routeTableId?: string;
  virtualCircuitId?: string;
  drgId?: string;
  drgAttachmentId?: string;
  gatewayId?: string;
  gatewayPublicIpId?: string;
  gatewaySubnetId?: string;
  /** The VNet prefixes routed to the DRG (one route-rule usage row each). */
  routedPrefixes?: string[];
  /**
   * Which shared resources this interconnect created, as its record says: the creator of a resource
   * that has no usage row (recorded before usage rows existed, or by a step that failed before recording). Unknown (a run that stopped before pre-flight
   * recorded it): the activities then find only resources with our derived names, which are ours;
   * the GatewaySubnet, whose name is not ours, is then kept.
   */
  owned?: ResourceOwnership;
  /**
   * A provisioning was stopped for this removal: one of its activities may create our virtual circuit
   * after it was removed. While the circuit deprovisions, and once more at the end (sweep), it is looked
   * for by name, and removed again with its circuit.
   */
  watchLateVirtualCircuit?: boolean;
  /** When this service started the gateway's deployment (ISO), if known: its build is waited out before the delete. */
  gatewayStartedAt?: string;
  /**
   * The end-to-end probe (spec.monitor): its connection monitor's id when recorded, and the region whose
   * Network Watcher holds it (found there by our derived name otherwise). Absent: the spec has no probe.
   */
  connectionMonitor?: { id?: string; region: string };
  include: readonly RemovableKind[];
}

/** A wait for a cloud state, polled on the profile of `wait` (waits.ts). */
export interface Watch<O> {
  wait: WaitName;
  waitingFor: string;
  observe: (target: RemovalTarget) => ActivityCall;
  describe: (observed: O) => string;
  done: (observed: O) => boolean;
  /**
   * The cloud accepted the delete and then failed it (the resource is there and no longer being
   * deleted, e.g. a circuit's ConflictError surfaced by the delete LRO): delete again.
   */
  deleteFailed?: (observed: O) => boolean;
}

export interface RemovalNode<O = unknown> {
  step: RemovalStep;
  title: string;
  /** Nodes that must be done (or not part of this removal) before this one starts. */
  after: readonly RemovalStep[];
  deadline: (t: WorkflowTiming) => number;
  /** Part of this removal (teardown's include, what this service owns). */
  applies: (target: RemovalTarget) => boolean;
  /**
   * Idempotent; "deleted", "in-use" and "kept" (by the usage rows it released) end the node, "deleting"
   * goes to `gone`, "conflict" is retried, "busy" waits in `settle`.
   */
  remove?: (target: RemovalTarget) => ActivityCall;
  /** How the accepted delete is seen through; absent: "deleting" is enough. */
  gone?: Watch<O>;
  /**
   * The delete step removes more than the watched resource (the gateway step also deletes the
   * gateway's public IP, which ARM frees only once the gateway is gone): named here, the step is
   * called again after the resource is gone until it answers "deleted".
   */
  untilDeleted?: string;
  /**
   * The wait when the delete answered "busy" (the gateway's deployment still running: ARM refuses its
   * delete meanwhile), counted from `startedAt` with the `sinceStart` profile when the start is known;
   * the delete is called again once it is done.
   */
  settle?: Watch<O> & { startedAt: (target: RemovalTarget) => string | undefined; sinceStart: WaitName };
  /** A read the delete needs first; NOT_FOUND keeps the node, saying `missing`. */
  prerequisiteRead?: {
    call: (target: RemovalTarget) => ActivityCall | undefined;
    apply: (target: RemovalTarget, read: unknown) => RemovalTarget;
    missing: string;
  };
  /** A node with no delete: only its wait (the circuit catching up with Oracle; the final sweep). */
  only?: Watch<O>;
  /**
   * How this node meets a virtual circuit created late by a stopped provisioning (target.watchLateVirtualCircuit):
   * "while-waiting" also looks for it at each poll (the circuit would never deprovision); "sweep" is that look.
   * One seen is removed again with what depends on it.
   */
  lateVirtualCircuit?: "while-waiting" | "sweep";
  /** Kept on purpose when one of these was kept (the GatewaySubnet of a gateway that is kept). */
  keptWith?: readonly RemovalStep[];
  /**
   * The usage rows this node's resources have (none when their ids are unknown): released by the delete
   * (`released`), or on their own when the node is kept with another.
   */
  shared?: (target: RemovalTarget) => SharedRef[];
}

/** A usage row of a resource this removal may remove, and whether the record says this interconnect created it. */
export interface SharedRef {
  kind: SharedKind;
  resourceId: string;
  createdBySelf: boolean;
}

/** ARM states after an operation ended: seen after a delete was accepted, the delete failed. */
const SETTLED = ["Succeeded", "Failed"];
/** An ARM deployment still running on the gateway. */
const GATEWAY_BUILDING = ["Updating", "Creating"];

const includes = (kind: RemovableKind) => (t: RemovalTarget) => t.include.includes(kind);
/** Whether the record says this interconnect created it; unknown (no pre-flight recorded it): only derived names are looked for, which are ours. */
const createdBySelf = (t: RemovalTarget, key: keyof ResourceOwnership) => t.owned === undefined || t.owned[key];
/** A shared kind is part of the removal when its usage row is known, or when the record says we created it (found by derived name). */
const shared = (kind: RemovableKind, key: keyof ResourceOwnership, refs: (t: RemovalTarget) => SharedRef[]) => (t: RemovalTarget) =>
  t.include.includes(kind) && (refs(t).length > 0 || createdBySelf(t, key));
const ref = (kind: SharedKind, resourceId: string | undefined, self: boolean): SharedRef[] =>
  resourceId === undefined ? [] : [{ kind, resourceId, createdBySelf: self }];
/** The delete's `release`: the node's usage rows, when it has any. */
const released = (refs: SharedRef[]) => (refs.length > 0 ? { release: refs } : {});
const vcRef = (t: RemovalTarget) => (t.virtualCircuitId === undefined ? {} : { virtualCircuitId: t.virtualCircuitId });
const drgRef = (t: RemovalTarget) => (t.drgId !== undefined ? { drgId: t.drgId } : {});
const attachmentRef = (t: RemovalTarget) => ({
  vcnId: t.vcnId,
  ...(t.drgAttachmentId !== undefined ? { drgAttachmentId: t.drgAttachmentId } : {}),
  ...drgRef(t),
});
const gatewayRef = (t: RemovalTarget) => ({
  ...(t.gatewayId !== undefined ? { gatewayId: t.gatewayId } : {}),
  ...(t.gatewayPublicIpId !== undefined ? { publicIpId: t.gatewayPublicIpId } : {}),
});

const routeRuleRefs = (t: RemovalTarget): SharedRef[] =>
  t.routeTableId === undefined || t.drgId === undefined
    ? []
    : (t.routedPrefixes ?? []).map((d) => ({
        kind: "route-rule",
        resourceId: routeRuleId(t.routeTableId!, d, t.drgId!),
        createdBySelf: true,
      }));
const attachmentRefs = (t: RemovalTarget) => ref("drg-attachment", t.drgAttachmentId, createdBySelf(t, "drgAttachment"));
const drgRefs = (t: RemovalTarget) => ref("drg", t.drgId, createdBySelf(t, "drg"));
const gatewayRefs = (t: RemovalTarget) =>
  t.gatewayId === undefined
    ? []
    : [
        ...ref("gateway", t.gatewayId, createdBySelf(t, "gateway")),
        ...ref("gateway-public-ip", t.gatewayPublicIpId, createdBySelf(t, "gateway")),
      ];
const gatewaySubnetRefs = (t: RemovalTarget) => ref("gateway-subnet", t.gatewaySubnetId, t.owned?.gatewaySubnet === true);

export const deprovisioned = (o: CircuitObservation) =>
  !o.found || (o.serviceProviderProvisioningState === "NotProvisioned" && o.peeringCount === 0);
const describeGateway = (o: GatewayObservation) => (o.found ? `gateway ${o.provisioningState}` : "gateway gone");

const monitorRef = (t: RemovalTarget) => ({
  subscriptionId: t.azure.subscriptionId,
  region: t.connectionMonitor?.region ?? "",
  ...(t.connectionMonitor?.id !== undefined ? { connectionMonitorId: t.connectionMonitor.id } : {}),
});

/** The end-to-end probe goes first: it would report the teardown itself as an outage. */
const connectionMonitor: RemovalNode<ConnectionMonitorObservation> = {
  step: "connection-monitor",
  title: "removing the end-to-end probe (connection monitor)",
  after: [],
  deadline: (t) => t.connectionDeadlineMinutes,
  applies: (t) => t.include.includes("connection-monitor") && t.connectionMonitor !== undefined,
  remove: (t) => ({ name: "azureDeleteConnectionMonitor", input: monitorRef(t) }),
  gone: {
    wait: "connectionMonitorDeletion",
    waitingFor: "the connection monitor to be deleted",
    observe: (t) => ({ name: "azureGetConnectionMonitor", input: monitorRef(t) }),
    done: (o) => !o.found,
    deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
    describe: (o) => (o.found ? `connection monitor ${o.provisioningState}` : "connection monitor gone"),
  },
};

const connection: RemovalNode<ConnectionObservation> = {
  step: "connection",
  title: "removing the connection gateway ⇄ circuit",
  after: ["connection-monitor"],
  deadline: (t) => t.connectionDeadlineMinutes,
  applies: includes("connection"),
  remove: (t) => ({ name: "azureDeleteConnection", input: { azure: t.azure } }),
  gone: {
    wait: "connectionDeletion",
    waitingFor: "the connection to be deleted",
    observe: (t) => ({ name: "azureGetConnection", input: { azure: t.azure } }),
    done: (o) => !o.found,
    deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
    describe: (o) => (o.found ? `connection ${o.provisioningState}/${o.connectionStatus}` : "connection gone"),
  },
};

const virtualCircuit: RemovalNode<VirtualCircuitObservation> = {
  step: "virtual-circuit",
  title: "removing the FastConnect virtual circuit",
  after: ["connection"],
  deadline: (t) => t.deprovisionDeadlineMinutes,
  applies: includes("virtual-circuit"),
  remove: (t) => ({ name: "ociDeleteVirtualCircuit", input: { oci: t.oci, ...vcRef(t) } }),
  gone: {
    wait: "virtualCircuitTermination",
    waitingFor: "the virtual circuit to be TERMINATED",
    observe: (t) => ({ name: "ociGetVirtualCircuit", input: { oci: t.oci, ...vcRef(t) } }),
    done: (o) => !o.found || o.lifecycleState === "TERMINATED",
    deleteFailed: (o) => o.found && o.lifecycleState !== "TERMINATING",
    describe: (o) => (o.found ? `virtual circuit ${o.lifecycleState}` : "virtual circuit gone"),
  },
};

/** Azure learns from Oracle that the provider deprovisioned, minutes later; the circuit delete fails before. */
const circuitDeprovisioning: RemovalNode<CircuitObservation> = {
  step: "circuit-deprovisioning",
  title: "waiting for Azure to show the provider deprovisioned the circuit",
  after: ["virtual-circuit"],
  deadline: (t) => t.deprovisionDeadlineMinutes,
  applies: includes("circuit"),
  lateVirtualCircuit: "while-waiting",
  only: {
    wait: "circuitDeprovisioning",
    waitingFor: "the circuit to show NotProvisioned and no peerings",
    observe: (t) => ({ name: "azureGetCircuit", input: { azure: t.azure } }),
    done: deprovisioned,
    describe: (o) => (o.found ? `circuit ${o.serviceProviderProvisioningState}, ${o.peeringCount} peering(s)` : "circuit gone"),
  },
};

const circuit: RemovalNode<CircuitObservation> = {
  step: "circuit",
  title: "removing the ExpressRoute circuit (billing stops)",
  after: ["circuit-deprovisioning"],
  deadline: (t) => t.deprovisionDeadlineMinutes,
  applies: includes("circuit"),
  remove: (t) => ({ name: "azureDeleteCircuit", input: { azure: t.azure } }),
  gone: {
    wait: "circuitDeletion",
    waitingFor: "the circuit to be deleted",
    observe: (t) => ({ name: "azureGetCircuit", input: { azure: t.azure } }),
    done: (o) => !o.found,
    // ARM answers 202 and fails the delete later (ConflictError while the provider state propagates).
    deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
    describe: (o) => (o.found ? `circuit ${o.provisioningState}, provider ${o.serviceProviderProvisioningState}` : "circuit gone"),
  },
};

const routeRules: RemovalNode = {
  step: "route-rules",
  title: "removing our VCN route rules to the DRG",
  after: ["connection-monitor"],
  deadline: (t) => t.drgDeadlineMinutes,
  applies: includes("route-rules"),
  shared: routeRuleRefs,
  // The VCN's default route table when the record does not name one.
  prerequisiteRead: {
    call: (t) => (t.routeTableId === undefined ? { name: "ociReadVcn", input: { region: t.oci.region, vcnId: t.vcnId } } : undefined),
    apply: (t, vcn) => ({ ...t, routeTableId: (vcn as VcnSummary).defaultRouteTableId }),
    missing: "the VCN no longer exists",
  },
  // With usage rows: every routed prefix, each removed only if its row allows; without: our own rules by description.
  remove: (t) => ({
    name: "ociRemoveRouteRules",
    input: {
      region: t.oci.region,
      routeTableId: t.routeTableId ?? "",
      compartmentId: t.oci.compartmentId,
      ...(routeRuleRefs(t).length > 0 ? { destinations: t.routedPrefixes!, drgId: t.drgId!, release: routeRuleRefs(t) } : {}),
    },
  }),
};

const drgAttachment: RemovalNode<DrgAttachmentObservation> = {
  step: "drg-attachment",
  title: "detaching the DRG from the VCN",
  // OCI: route rules that target the DRG go before it is detached.
  after: ["route-rules"],
  deadline: (t) => t.drgDeadlineMinutes,
  applies: shared("drg-attachment", "drgAttachment", attachmentRefs),
  shared: attachmentRefs,
  // Route rules kept for another interconnect still target the DRG through this attachment.
  keptWith: ["route-rules"],
  remove: (t) => ({
    name: "ociDeleteDrgAttachment",
    input: {
      oci: t.oci,
      ...attachmentRef(t),
      ...(t.routeTableId !== undefined ? { routeTableId: t.routeTableId } : {}),
      ...released(attachmentRefs(t)),
    },
  }),
  gone: {
    wait: "drgAttachmentDetaching",
    waitingFor: "the DRG attachment to be DETACHED",
    observe: (t) => ({ name: "ociGetDrgAttachment", input: { oci: t.oci, ...attachmentRef(t) } }),
    done: (o) => !o.found || o.lifecycleState === "DETACHED",
    deleteFailed: (o) => o.found && o.lifecycleState !== "DETACHING",
    describe: (o) => (o.found ? `DRG attachment ${o.lifecycleState}` : "DRG attachment gone"),
  },
};

const drg: RemovalNode<DrgObservation> = {
  step: "drg",
  title: "removing the DRG",
  // The virtual circuit is attached to the DRG too.
  after: ["drg-attachment", "virtual-circuit"],
  deadline: (t) => t.drgDeadlineMinutes,
  applies: shared("drg", "drg", drgRefs),
  shared: drgRefs,
  keptWith: ["drg-attachment"],
  remove: (t) => ({ name: "ociDeleteDrg", input: { oci: t.oci, ...drgRef(t), ...released(drgRefs(t)) } }),
  gone: {
    wait: "drgTermination",
    waitingFor: "the DRG to be TERMINATED",
    observe: (t) => ({ name: "ociGetDrg", input: { oci: t.oci, ...drgRef(t) } }),
    done: (o) => !o.found || o.lifecycleState === "TERMINATED",
    deleteFailed: (o) => o.found && o.lifecycleState !== "TERMINATING",
    describe: (o) => (o.found ? `DRG ${o.lifecycleState}` : "DRG gone"),
  },
};

const gatewayWatch = (t: RemovalTarget): ActivityCall => ({
  name: "azureGetGateway",
  input: { azure: t.azure, ...(t.gatewayId !== undefined ? { gatewayId: t.gatewayId } : {}) },
});

const gateway: RemovalNode<GatewayObservation> = {
  step: "gateway",
  title: "removing the ExpressRoute gateway and its public IP if nothing else uses them",
  after: ["connection"],
  deadline: (t) => t.gatewayDeadlineMinutes,
  applies: shared("gateway", "gateway", gatewayRefs),
  shared: gatewayRefs,
  // ARM refuses to delete a gateway whose deployment runs (409 AnotherOperationInProgress), and a
  // compensation after an early failure meets one 20-45 minutes before it is done: the delete says
  // "busy" (it reads the gateway anyway), and the wait is sat out here.
  settle: {
    wait: "gatewaySettling",
    waitingFor: "the ExpressRoute gateway's deployment to finish before it can be deleted",
    observe: gatewayWatch,
    describe: describeGateway,
    startedAt: (t) => t.gatewayStartedAt,
    sinceStart: "gateway",
    done: (o) => !(o.found && GATEWAY_BUILDING.includes(o.provisioningState)),
  },
  remove: (t) => ({ name: "azureDeleteGateway", input: { azure: t.azure, ...gatewayRef(t), ...released(gatewayRefs(t)) } }),
  gone: {
    wait: "gatewayDeletion",
    waitingFor: "the gateway to be deleted",
    observe: gatewayWatch,
    done: (o) => !o.found,
    deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
    describe: describeGateway,
  },
  untilDeleted: "the gateway's public IP",
};

const gatewaySubnet: RemovalNode<VirtualNetworkSummary> = {
  step: "gateway-subnet",
  title: "removing the GatewaySubnet if nothing uses it",
  after: ["gateway"],
  deadline: (t) => t.gatewaySubnetDeadlineMinutes,
  // Only one this service created (a row's creator, or the record's word when there is no row).
  applies: (t) => t.include.includes("gateway-subnet") && (gatewaySubnetRefs(t).length > 0 || t.owned?.gatewaySubnet === true),
  shared: gatewaySubnetRefs,
  keptWith: ["gateway"],
  remove: (t) => ({
    name: "azureDeleteGatewaySubnet",
    input: { azure: t.azure, virtualNetworkName: t.virtualNetworkName, ...gatewayRef(t), ...released(gatewaySubnetRefs(t)) },
  }),
  gone: {
    wait: "gatewaySubnetDeletion",
    waitingFor: "the GatewaySubnet to be deleted",
    observe: (t) => ({ name: "azureReadVirtualNetwork", input: { azure: t.azure, virtualNetworkName: t.virtualNetworkName } }),
    done: (o) => o.gatewaySubnet === null,
    describe: (o) => (o.gatewaySubnet === null ? "GatewaySubnet gone" : `GatewaySubnet ${o.gatewaySubnet.addressPrefix} still there`),
  },
};

/** The removals, in the safe order (the status's step numbers). */
const REMOVALS = [
  connectionMonitor,
  connection,
  virtualCircuit,
  circuitDeprovisioning,
  circuit,
  routeRules,
  drgAttachment,
  drg,
  gateway,
  gatewaySubnet,
] as RemovalNode[];

/** Once everything else is done: one more look for a virtual circuit a stopped provisioning created late. */
const sweep: RemovalNode<VirtualCircuitObservation> = {
  step: "sweep",
  title: "looking for a virtual circuit created after its removal",
  after: REMOVALS.map((n) => n.step),
  deadline: (t) => t.deprovisionDeadlineMinutes,
  applies: (t) => t.watchLateVirtualCircuit === true,
  lateVirtualCircuit: "sweep",
  only: {
    wait: "virtualCircuitTermination",
    waitingFor: "no virtual circuit of ours to be left",
    observe: (t) => ({ name: "ociGetVirtualCircuit", input: { oci: t.oci } }),
    done: (o) => !o.found || o.lifecycleState === "TERMINATED",
    describe: (o) => (o.found ? `virtual circuit ${o.virtualCircuitId} ${o.lifecycleState}` : "no virtual circuit"),
  },
};

/** The graph, in the safe order (the status's step numbers). */
export const REMOVAL_GRAPH: readonly RemovalNode[] = [...REMOVALS, sweep as RemovalNode];

export const REMOVAL_STEPS = REMOVAL_GRAPH.map((n) => n.step);
