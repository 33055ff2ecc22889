/**
 * The activity boundary for orchestration tests: a scripted model of both clouds as the activities
 * report them (contracts/ shapes), driven by the harness clock with the default simulated
 * durations of the brief. It enforces the clouds' own ordering rules (a provider circuit cannot be
 * deleted before the provider deprovisioned it; a DRG cannot go while attached), so a wrong
 * teardown order shows up as a failure, not as a silently green test.
 */
import {
  isActivityName,
  stepFailureError,
  type ActivityName,
  type AuditEntry,
  type DeleteOutcome,
  type StepFailure,
} from "../../src/contracts";
import { canTransition, type InterconnectState } from "../../src/domain/lifecycle";
import { removalDecision, routeRuleId, type SharedKind } from "../../src/domain/sharing";

const MIN = 60_000;

/** The deletes of shared resources, which release their usage rows first when asked (release). */
const SHARED_DELETES: readonly string[] = [
  "ociRemoveRouteRules",
  "ociDeleteDrgAttachment",
  "ociDeleteDrg",
  "azureDeleteGateway",
  "azureDeleteGatewaySubnet",
];
type UsageRefIn = { kind: SharedKind; resourceId: string; createdBySelf: boolean };

export interface FakeOptions {
  providerNeverProvisions?: boolean;
  /** The provider takes this long after PROVISIONING to bring BGP up (default 1 min). */
  bgpUpAfterMinutes?: number;
  /** Circuit deletes refused with a conflict this many times even when deprovisioned (ARM's propagation lag). */
  extraCircuitDeleteConflicts?: number;
  vnetPrefixes?: string[];
  vcnCidrs?: string[];
  existingGatewaySubnet?: boolean;
  /** The gateway's deployment takes this long (default 30 min, the emulator's default). */
  gatewayCreateMinutes?: number;
  /** The gateway's deployment turns Failed this long after it started. */
  gatewayFailsAfterMinutes?: number;
  /** Accepted circuit deletes that fail a minute later, leaving the circuit Failed (the delete LRO's ConflictError). */
  circuitDeletesFailingLate?: number;
  /** The AzurePrivatePeering's peer ASN (default Oracle's 31898; another = a peering someone made by hand). */
  peerAsn?: number;
  /** The VCN prefixes reach Azure's route tables from another peer (next hop, AS path), not through Oracle. */
  routesFromElsewhere?: boolean;
  /** Live DRG attachments of the VCN before we start (someone else's DRG). */
  vcnDrgAttachments?: { id: string; drgId: string; displayName: string; lifecycleState: string }[];
  /** A stopped provisioning's activity creates our virtual circuit again this long after the first one was deleted. */
  lateVirtualCircuitMinutes?: number;
}

interface Timed {
  createdAt: number;
  deletedAt?: number;
}

export class FakeClouds {
  readonly audit: AuditEntry[] = [];
  /** The health watch as the task hub would see it: started once the interconnect is active, stopped by a teardown. */
  watch = { running: false, starts: 0, stops: 0 };
  /** When the provisioning a teardown stopped becomes terminal (ms); unset = it never existed. */
  provisioningEndsAt: number | undefined;
  private lateVcCreated = false;
  /** Failures to throw on the next calls of an activity, in order. */
  readonly failNext = new Map<string, StepFailure[]>();
  record: {
    state: InterconnectState;
    spec: unknown;
    bgpPlan: unknown;
    resources: Record<string, unknown>;
    operationId: string | null;
    failure?: unknown;
  } | null = null;
  /** The record after each recordUpdate, in order. */
  readonly recordHistory: { state: InterconnectState; failure?: unknown; resources: Record<string, unknown> }[] = [];
  gatewaySubnet: Timed | null = null;
  gateway: Timed | null = null;
  drg: Timed | null = null;
  attachment: Timed | null = null;
  circuit: (Timed & { deleteConflicts: number; failed?: boolean }) | null = null;
  vc: (Timed & { mappings: { oracleBgpPeeringIp: string }[] }) | null = null;
  connection: Timed | null = null;
  /** The gateway's public IP: ARM frees it only once the gateway is gone. */
  publicIp: Timed | null = null;
  routeRules: string[] = [];
  /** What resourceUsageRead reports: resources other interconnects' records name. */
  uses: { resourceId: string; interconnect: string }[] = [];
  /** What networkTurnTake answers, in order (then "granted"): a queued run's looks at the VNet/VCN queue. */
  readonly turnAnswers: unknown[] = [];
  /** How often the run gave its turn back (networkTurnRelease). */
  turnReleases = 0;
  /** Gateway deletes that found its deployment running (answered "busy"). */
  deletesWhileBuilding = 0;
  /** The usage rows (kind|resourceId → users, creator), as the store keeps them. */
  readonly usage = new Map<string, { users: string[]; createdBy?: string }>();

  constructor(private readonly o: FakeOptions = {}) {
    if (o.existingGatewaySubnet) this.gatewaySubnet = { createdAt: 0 };
  }

  readonly boundary = (name: string, input: unknown, now: Date): unknown => {
    const queued = this.failNext.get(name);
    const next = queued?.shift();
    if (next) throw stepFailureError(next);
    if (!isActivityName(name)) throw new Error(`unknown activity ${name}`);
    this.lateVirtualCircuit(now.getTime());
    return this.handle(name, input as Record<string, unknown>, now.getTime());
  };

  private lateVirtualCircuit(now: number): void {
    const after = this.o.lateVirtualCircuitMinutes;
    if (after === undefined || this.lateVcCreated || this.vc?.deletedAt === undefined || now < this.vc.deletedAt + after * MIN) return;
    this.lateVcCreated = true;
    this.vc = { createdAt: this.vc.deletedAt + after * MIN, mappings: this.vc.mappings };
  }

  private alive(r: Timed | null, now: number, goneAfterMs: number): r is Timed {
    return r !== null && (r.deletedAt === undefined || now < r.deletedAt + goneAfterMs);
  }

  private vcState(now: number): { lifecycleState: string; providerState: string; bgpSessionState: string } | null {
    const vc = this.vc;
    if (!this.alive(vc, now, 2 * MIN)) return null;
    if (vc.deletedAt !== undefined) return { lifecycleState: "TERMINATING", providerState: "INACTIVE", bgpSessionState: "DOWN" };
    const age = now - vc.createdAt;
    if (this.o.providerNeverProvisions || age < MIN)
      return { lifecycleState: "PENDING_PROVIDER", providerState: "INACTIVE", bgpSessionState: "DOWN" };
    if (age < 4 * MIN) return { lifecycleState: "PROVISIONING", providerState: "INACTIVE", bgpSessionState: "DOWN" };
    const bgpUp = age >= (4 + (this.o.bgpUpAfterMinutes ?? 1)) * MIN;
    return { lifecycleState: "PROVISIONED", providerState: "ACTIVE", bgpSessionState: bgpUp ? "UP" : "DOWN" };
  }

  /** Azure's view of the provider: lags 5 min behind the virtual circuit's disappearance. */
  private providerState(now: number): { sp: string; peering: boolean } {
    const vc = this.vc;
    if (vc === null) return { sp: "NotProvisioned", peering: false };
    if (vc.deletedAt !== undefined) {
      return now < vc.deletedAt + 7 * MIN ? { sp: "Deprovisioning", peering: true } : { sp: "NotProvisioned", peering: false };
    }
    const state = this.vcState(now);
    if (state?.lifecycleState === "PROVISIONED") return { sp: "Provisioned", peering: true };
    if (state?.lifecycleState === "PROVISIONING") return { sp: "Provisioning", peering: false };
    return { sp: "NotProvisioned", peering: false };
  }

  /** A delete that ARM accepted and then failed leaves the circuit Failed, not deleting. */
  private settleCircuitDelete(now: number): void {
    const c = this.circuit;
    if (c?.deletedAt === undefined || now < c.deletedAt + MIN || this.circuitDeleteFailures >= (this.o.circuitDeletesFailingLate ?? 0))
      return;
    this.circuitDeleteFailures++;
    delete c.deletedAt;
    c.failed = true;
  }

  private circuitDeleteFailures = 0;

  private circuitObservation(now: number) {
    this.settleCircuitDelete(now);
    if (!this.alive(this.circuit, now, MIN)) return { found: false };
    const { sp, peering } = this.providerState(now);
    return {
      found: true,
      circuitId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/erc-erp-prod",
      provisioningState: this.circuit.deletedAt !== undefined ? "Deleting" : this.circuit.failed ? "Failed" : "Succeeded",
      serviceProviderProvisioningState: sp,
      circuitProvisioningState: "Enabled",
      serviceKeyMasked: "0000abcd-****-****-****-************",
      privatePeering: peering
        ? {
            name: "AzurePrivatePeering",
            peeringType: "AzurePrivatePeering",
            provisioningState: "Succeeded",
            peerASN: this.o.peerAsn ?? 31898,
            primaryPeerAddressPrefix: "192.168.100.0/30",
            secondaryPeerAddressPrefix: "192.168.100.4/30",
            vlanId: 33,
          }
        : null,
      peeringCount: peering ? 1 : 0,
    };
  }

  private connectionObservation(now: number) {
    if (!this.alive(this.connection, now, MIN)) return { found: false };
    const ready = now >= this.connection.createdAt + 2 * MIN && this.connection.deletedAt === undefined;
    return {
      found: true,
      connectionId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/cn-erp-prod-er",
      provisioningState: this.connection.deletedAt !== undefined ? "Deleting" : ready ? "Succeeded" : "Updating",
      connectionStatus: ready ? "Connected" : "Connecting",
      expressRouteGatewayBypass: true,
    };
  }

  private gatewayObservation(now: number) {
    if (!this.alive(this.gateway, now, 20 * MIN)) return { found: false };
    const age = now - this.gateway.createdAt;
    const failed = this.o.gatewayFailsAfterMinutes !== undefined && age >= this.o.gatewayFailsAfterMinutes * MIN;
    const state =
      this.gateway.deletedAt !== undefined
        ? "Deleting"
        : failed
          ? "Failed"
          : age >= (this.o.gatewayCreateMinutes ?? 30) * MIN
            ? "Succeeded"
            : "Creating";
    return {
      found: true,
      gatewayId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/vgw-erp-prod-er",
      name: "vgw-erp-prod-er",
      provisioningState: state,
      sku: "UltraPerformance",
    };
  }

  private del(r: Timed | null, now: number, goneAfterMs: number): DeleteOutcome {
    if (!this.alive(r, now, goneAfterMs)) return { status: "deleted" };
    r.deletedAt ??= now;
    return { status: "deleting" };
  }

  private handle(name: ActivityName, input: Record<string, unknown>, now: number): unknown {
    if (SHARED_DELETES.includes(name) && input.release !== undefined) return this.sharedDelete(name, input, now);
    switch (name) {
      case "azureReadVirtualNetwork":
        return {
          id: "/subscriptions/s/resourceGroups/rg-erp-network/providers/Microsoft.Network/virtualNetworks/vnet-erp",
          location: "eastus",
          addressPrefixes: this.o.vnetPrefixes ?? ["10.10.0.0/16"],
          gatewaySubnet: this.alive(this.gatewaySubnet, now, 0)
            ? { id: "/subscriptions/s/.../subnets/GatewaySubnet", addressPrefix: "10.10.255.0/27" }
            : null,
          expressRouteGateway: null,
          subnets: [
            { name: "snet-app", addressPrefixes: ["10.10.1.0/24"] },
            ...(this.alive(this.gatewaySubnet, now, 0) ? [{ name: "GatewaySubnet", addressPrefixes: ["10.10.255.0/27"] }] : []),
          ],
        };
      case "azureReadProviderOffer":
        return {
          offered: input.peeringLocation === "Washington DC",
          serviceProviderName: "Oracle Cloud FastConnect",
          peeringLocations: ["Washington DC"],
          bandwidthsInMbps: [1000, 2000, 5000, 10000],
        };
      case "ociReadVcn":
        return {
          id: input.vcnId,
          compartmentId: "ocid1.compartment.oc1..aaaaaaaaerpnetwork",
          cidrBlocks: this.o.vcnCidrs ?? ["10.20.0.0/16"],
          defaultRouteTableId: "ocid1.routetable.oc1.iad.aaaaaaaaerpvcndefault",
          lifecycleState: "AVAILABLE",
          drgAttachments: this.o.vcnDrgAttachments ?? [],
        };
      case "ociReadProviderService":
        return {
          providerServiceId: "ocid1.providerservice.oc1.iad.aaaaaaaamicrosoftazure",
          providerName: "Microsoft Azure",
          bandwidthShapeNames: ["1 Gbps", "2 Gbps", "5 Gbps", "10 Gbps"],
        };
      case "ociReadDrg":
        return { id: input.drgId, lifecycleState: "AVAILABLE", vcnAttachment: null };
      case "azureEnsureGatewaySubnet":
        if (!this.alive(this.gatewaySubnet, now, 0)) this.gatewaySubnet = { createdAt: now };
        return {
          subnetId: "/subscriptions/s/.../subnets/GatewaySubnet",
          addressPrefix: input.addressPrefix,
          provisioningState: "Succeeded",
        };
      case "azureEnsureGateway":
        if (!this.alive(this.publicIp, now, 10_000)) this.publicIp = { createdAt: now };
        if (!this.alive(this.gateway, now, 20 * MIN)) this.gateway = { createdAt: now };
        return this.gatewayObservation(now);
      case "azureGetGateway":
        return this.gatewayObservation(now);
      case "ociEnsureDrg":
        if (!this.alive(this.drg, now, MIN)) this.drg = { createdAt: now };
        return this.handle("ociGetDrg", input, now);
      case "ociGetDrg":
        if (!this.alive(this.drg, now, MIN)) return { found: false };
        return {
          found: true,
          drgId: "ocid1.drg.oc1.iad.ours",
          lifecycleState: this.drg.deletedAt !== undefined ? "TERMINATING" : now >= this.drg.createdAt + MIN ? "AVAILABLE" : "PROVISIONING",
        };
      case "ociEnsureDrgAttachment":
        if (!this.alive(this.attachment, now, MIN)) this.attachment = { createdAt: now };
        return this.handle("ociGetDrgAttachment", input, now);
      case "ociGetDrgAttachment":
        if (!this.alive(this.attachment, now, MIN)) return { found: false };
        return {
          found: true,
          drgAttachmentId: "ocid1.drgattachment.oc1.iad.ours",
          lifecycleState:
            this.attachment.deletedAt !== undefined ? "DETACHING" : now >= this.attachment.createdAt + MIN ? "ATTACHED" : "ATTACHING",
        };
      case "azureEnsureCircuit":
        if (!this.alive(this.circuit, now, MIN)) this.circuit = { createdAt: now, deleteConflicts: 0 };
        return this.circuitObservation(now);
      case "azureGetCircuit":
        return this.circuitObservation(now);
      case "ociEnsureVirtualCircuit":
        if (!this.alive(this.circuit, now, 0))
          throw stepFailureError({
            code: "NOT_FOUND",
            message: "no circuit to read the service key from",
            retryable: false,
            cloud: "azure",
          });
        if (!this.alive(this.vc, now, 2 * MIN))
          this.vc = { createdAt: now, mappings: input.crossConnectMappings as { oracleBgpPeeringIp: string }[] };
        return this.handle("ociGetVirtualCircuit", input, now);
      case "ociGetVirtualCircuit": {
        const s = this.vcState(now);
        return s === null ? { found: false } : { found: true, virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.ours", reason: null, ...s };
      }
      case "ociEnsureRouteRules":
        this.routeRules = [...new Set([...this.routeRules, ...(input.destinations as string[])])];
        return { routeTableId: input.routeTableId, destinations: this.routeRules };
      case "azureEnsureConnection":
        if (!this.alive(this.gateway, now, 0) || this.gatewayObservation(now).provisioningState !== "Succeeded") {
          throw stepFailureError({ code: "GATEWAY_NOT_READY", message: "the gateway is not Succeeded", retryable: false, cloud: "azure" });
        }
        if (!this.alive(this.connection, now, MIN)) this.connection = { createdAt: now };
        return this.connectionObservation(now);
      case "azureGetConnection":
        return this.connectionObservation(now);
      case "azureReadPeeringTables": {
        const connected = this.connectionObservation(now).found && this.vcState(now)?.bgpSessionState === "UP";
        const index = input.devicePath === "primary" ? 0 : 1;
        const oracleIp = this.vc?.mappings[index]?.oracleBgpPeeringIp.split("/")[0];
        return connected && oracleIp
          ? {
              arp: [{ ipAddress: oracleIp, macAddress: "00:00:5e:00:53:01" }],
              routes: (this.o.vcnCidrs ?? ["10.20.0.0/16"]).map((network) =>
                this.o.routesFromElsewhere
                  ? { network, nextHop: "10.99.0.1", path: "65010 65020" }
                  : { network, nextHop: oracleIp, path: "31898" },
              ),
            }
          : { arp: [], routes: [] };
      }
      case "azureDeleteConnection":
        return this.del(this.connection, now, MIN);
      case "ociDeleteVirtualCircuit":
        return this.del(this.vc, now, 2 * MIN);
      case "azureDeleteCircuit": {
        this.settleCircuitDelete(now);
        if (!this.alive(this.circuit, now, MIN)) return { status: "deleted" };
        const { sp, peering } = this.providerState(now);
        if (sp !== "NotProvisioned" || peering)
          return { status: "conflict", message: "The specified dedicated circuit is not in Deprovisioned state." };
        if (this.circuit.deleteConflicts < (this.o.extraCircuitDeleteConflicts ?? 0)) {
          this.circuit.deleteConflicts++;
          return { status: "conflict", message: "ConflictError while the provider state propagates", retryAfterSeconds: 60 };
        }
        return this.del(this.circuit, now, MIN);
      }
      case "ociRemoveRouteRules": {
        const named = input.destinations as string[] | undefined;
        this.routeRules = named === undefined ? [] : this.routeRules.filter((d) => !named.includes(d));
        return { status: "deleted" };
      }
      case "ociDeleteDrgAttachment":
        if (this.routeRules.length > 0)
          throw stepFailureError({ code: "CONFLICT", message: "route rules still target the DRG", retryable: false, cloud: "oci" });
        return this.del(this.attachment, now, MIN);
      case "ociDeleteDrg":
        if (this.alive(this.attachment, now, MIN))
          throw stepFailureError({ code: "CONFLICT", message: "the DRG is still attached", retryable: false, cloud: "oci" });
        return this.del(this.drg, now, MIN);
      case "azureDeleteGateway": {
        if (this.alive(this.connection, now, MIN)) return { status: "in-use", message: "a connection uses the gateway" };
        if (this.alive(this.gateway, now, 20 * MIN)) {
          // as the activity: it reads the gateway, and never asks ARM to delete one whose deployment runs (409 AnotherOperationInProgress)
          if (this.gatewayObservation(now).provisioningState === "Creating") {
            this.deletesWhileBuilding++;
            return { status: "busy", message: "gateway Creating: its deployment runs" };
          }
          return this.del(this.gateway, now, 20 * MIN);
        }
        // as the activity: with the gateway gone, the same step removes the gateway's public IP
        return this.del(this.publicIp, now, 10_000);
      }
      case "azureDeleteGatewaySubnet":
        if (this.alive(this.gateway, now, 20 * MIN)) return { status: "in-use", message: "the gateway uses the subnet" };
        if (this.publicIp) this.publicIp.deletedAt ??= now;
        if (this.gatewaySubnet) this.gatewaySubnet.deletedAt ??= now;
        return { status: "deleted" };
      case "provisioningInstanceState": {
        const ends = this.provisioningEndsAt;
        if (ends === undefined) return { runtimeStatus: "absent", terminal: true };
        return now >= ends ? { runtimeStatus: "Terminated", terminal: true } : { runtimeStatus: "Running", terminal: false };
      }
      case "resourceUsageRead":
        return { uses: this.uses };
      case "networkTurnTake":
        return this.turnAnswers.shift() ?? { outcome: "granted" };
      case "networkTurnRelease":
        this.turnReleases += 1;
        return { networks: [], woke: [] };
      case "networkTurnSweep":
        return { released: [], woke: [] };
      case "usageAdd":
      case "usageRelease":
        return this.usageStep(name, input);
      case "recordRead":
        return this.record === null
          ? { found: false }
          : { found: true, name: (input.opContext as { interconnect: string }).interconnect, ...this.record };
      case "recordUpdate": {
        if (this.record === null) throw stepFailureError({ code: "NOT_FOUND", message: "no record", retryable: false });
        const to = input.transitionTo as InterconnectState | undefined;
        if (to !== undefined && to !== this.record.state) {
          if (!canTransition(this.record.state, to))
            throw stepFailureError({ code: "INVALID_TRANSITION", message: `${this.record.state} → ${to}`, retryable: false });
          this.record.state = to;
        }
        const patch = input.patch as { resources?: Record<string, unknown>; failure?: unknown; forget?: string[] };
        if (patch.forget)
          this.record.resources = Object.fromEntries(Object.entries(this.record.resources).filter(([k]) => !patch.forget?.includes(k)));
        if (patch.resources) this.record.resources = { ...this.record.resources, ...patch.resources };
        if (patch.failure !== undefined) this.record.failure = patch.failure;
        this.recordHistory.push({ state: this.record.state, failure: this.record.failure, resources: { ...this.record.resources } });
        return { state: this.record.state };
      }
      case "auditAppend":
        this.audit.push(input.entry as AuditEntry);
        return null;
      case "healthWatchEnsure": {
        const instanceId = `health-${String(input.name)}`;
        const started = !this.watch.running;
        this.watch = { running: true, starts: this.watch.starts + (started ? 1 : 0), stops: this.watch.stops };
        return { instanceId, started, runtimeStatus: started ? "Pending" : "Running" };
      }
      case "healthWatchStop": {
        const signalled = this.watch.running;
        this.watch = { running: false, starts: this.watch.starts, stops: this.watch.stops + (signalled ? 1 : 0) };
        return { instanceId: `health-${String(input.name)}`, signalled };
      }
    }
  }

  /**
   * As activities/usage.ts deleteShared: the delete of a shared resource releases its usage rows, decides
   * with the domain's rule on the rows as left, and deletes only then (route rules each on its own row).
   */
  private sharedDelete(name: ActivityName, input: Record<string, unknown>, now: number): unknown {
    const { release, ...rest } = input as Record<string, unknown> & { release: UsageRefIn[] };
    const self = (input.opContext as { interconnect: string }).interconnect;
    const { resources: usage } = this.usageStep("usageRelease", { opContext: input.opContext, resources: release }) as {
      resources: { sharedWith: string[]; createdBy: string | null }[];
    };
    const decisions = release.map((r, i) =>
      removalDecision(
        r.kind,
        r.resourceId,
        { users: usage[i]!.sharedWith, ...(usage[i]!.createdBy === null ? {} : { createdBy: usage[i]!.createdBy! }) },
        self,
        r.createdBySelf,
      ),
    );
    const removable = release.filter((_r, i) => decisions[i]!.remove).map((r) => r.resourceId);
    const each = name === "ociRemoveRouteRules";
    if (each ? removable.length === 0 : !decisions[0]!.remove) {
      const message = decisions.flatMap((d) => (d.remove ? [] : [d.message])).join(" ");
      return { status: "kept", message, usage };
    }
    const call = each
      ? {
          ...rest,
          destinations: (rest.destinations as string[]).filter((d) =>
            removable.includes(routeRuleId(String(rest.routeTableId), d, String(rest.drgId))),
          ),
        }
      : rest;
    return { ...(this.handle(name, call, now) as object), usage };
  }

  private usageStep(name: "usageAdd" | "usageRelease", input: Record<string, unknown>): unknown {
    const self = (input.opContext as { interconnect: string }).interconnect;
    type Ref = { kind: string; resourceId: string; created?: boolean; createdBySelf?: boolean };
    const refs = (name === "usageAdd" ? input.uses : input.resources) as Ref[];
    const seen = (r: Ref) => {
      const row = this.usage.get(`${r.kind}|${r.resourceId}`);
      return {
        kind: r.kind,
        resourceId: r.resourceId,
        sharedWith: (row?.users ?? []).filter((u) => u !== self),
        createdBy: row?.createdBy ?? null,
      };
    };
    for (const r of refs) {
      const key = `${r.kind}|${r.resourceId}`;
      const row = this.usage.get(key);
      if (name === "usageAdd") {
        const createdBy = r.created ? self : row?.createdBy;
        this.usage.set(key, { users: [...new Set([...(row?.users ?? []), self])].sort(), ...(createdBy ? { createdBy } : {}) });
        continue;
      }
      const createdBy = row?.createdBy ?? (r.createdBySelf ? self : undefined);
      if (row || createdBy)
        this.usage.set(key, { users: (row?.users ?? []).filter((u) => u !== self), ...(createdBy ? { createdBy } : {}) });
    }
    if (name === "usageAdd") return { uses: refs.map(seen) };
    const forget = input.forget as { kind: string; resourceId: string }[] | undefined;
    for (const r of forget ?? []) {
      const key = `${r.kind}|${r.resourceId}`;
      if (this.usage.get(key)?.users.length === 0) this.usage.delete(key);
    }
    return forget === undefined ? { resources: refs.map(seen) } : { resources: refs.map(seen), forgotten: forget.length };
  }

  /** What still exists (and would bill or clutter) at `now`. */
  leftovers(now: Date): string[] {
    const t = now.getTime();
    const out: string[] = [];
    if (this.alive(this.connection, t, MIN)) out.push("connection");
    if (this.vcState(t) !== null) out.push("virtual-circuit");
    if (this.alive(this.circuit, t, MIN)) out.push("circuit");
    if (this.routeRules.length > 0) out.push("route-rules");
    if (this.alive(this.attachment, t, MIN)) out.push("drg-attachment");
    if (this.alive(this.drg, t, MIN)) out.push("drg");
    if (this.alive(this.gateway, t, 20 * MIN)) out.push("gateway");
    if (this.alive(this.publicIp, t, 10_000)) out.push("public-ip");
    if (this.alive(this.gatewaySubnet, t, 0)) out.push("gateway-subnet");
    return out;
  }
}
