import { type AzureScope, type CircuitObservation, type DeleteOutcome, type GatewayObservation, type OciScope, type ResourceOwnership, permanent } from "../contracts";
import { WorkflowStepError } from "./failure";
import { pollUntil } from "./poll";
import type { Flow, WorkflowRun } from "./run";
import type { WaitName } from "./waits";

/** Resource kinds in the only safe removal order (DESIGN.md "Teardown, in this order only"). */
export const REMOVAL_ORDER = ["connection", "virtual-circuit", "circuit", "route-rules", "drg-attachment", "drg", "gateway", "gateway-subnet"] as const;
export type RemovableKind = (typeof REMOVAL_ORDER)[number];

/** An ARM deployment still running on the gateway. */
const GATEWAY_BUILDING = ["Updating", "Creating"];
/** ARM states after an operation ended: seen after a delete was accepted, the delete failed. */
const SETTLED = ["Succeeded", "Failed"];

/** Virtual circuit states on the way out (not billing any more, or about to stop). */
const LEAVING_VC = ["TERMINATING", "TERMINATED"];
/** Rounds of "our virtual circuit appeared again" before the removal gives up. */
const MAX_VC_ROUNDS = 3;

const deprovisioned = (o: CircuitObservation) => !o.found || (o.serviceProviderProvisioningState === "NotProvisioned" && o.peeringCount === 0);

/** Status steps of a removal; "circuit-deprovisioning" is the wait for Azure to catch up with Oracle. */
export const REMOVAL_STEPS = [
  "connection",
  "virtual-circuit",
  "circuit-deprovisioning",
  "circuit",
  "route-rules",
  "drg-attachment",
  "drg",
  "gateway",
  "gateway-subnet",
] as const;

export interface RemovalTarget {
  azure: AzureScope;
  virtualNetworkName: string;
  oci: OciScope;
  vcnId: string;
  routeTableId?: string;
  virtualCircuitId?: string;
  drgId?: string;
  drgAttachmentId?: string;
  /**
   * Which shared resources this service created. Unknown (a run that stopped before pre-flight
   * recorded it): the activities then find only resources with our derived names, which are ours;
   * the GatewaySubnet, whose name is not ours, is then kept.
   */
  owned?: ResourceOwnership;
  /**
   * A provisioning was stopped for this teardown: while the circuit deprovisions, look for our
   * virtual circuit by name and remove it again if one of its activities created it late.
   */
  watchLateVirtualCircuit?: boolean;
  /** When this service started the gateway's deployment (ISO), if known: its build is waited out before the delete. */
  gatewayStartedAt?: string;
  /** What to remove; teardown passes all of REMOVAL_ORDER, compensation what its run started. */
  include: readonly RemovableKind[];
}

/**
 * The one teardown routine (teardown orchestrator and provisioning compensation). Every step reads
 * what exists and tolerates "not found", so it works from any state a provisioning can stop in.
 */
export function* removeResources(run: WorkflowRun, target: RemovalTarget): Flow<{ kept: string[] }> {
  const has = (kind: RemovableKind) => target.include.includes(kind);
  const { azure, oci } = target;
  const t = run.timing;
  const kept: string[] = [];
  const isOwned = (key: keyof ResourceOwnership) => target.owned === undefined || target.owned[key];

  if (has("connection")) {
    yield* run.step("connection", "removing the connection gateway ⇄ circuit", function* () {
      yield* deleteAndWait(run, "connection", t.connectionDeadlineMinutes, () => run.call("connection", "azureDeleteConnection", { azure }), {
        wait: "connectionDeletion",
        waitingFor: "the connection to be deleted",
        observe: () => run.call("connection", "azureGetConnection", { azure }),
        gone: (o) => !o.found,
        deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
        describe: (o) => (o.found ? `connection ${o.provisioningState}/${o.connectionStatus}` : "connection gone"),
      });
    });
  }

  let vcRef: { virtualCircuitId?: string } = target.virtualCircuitId === undefined ? {} : { virtualCircuitId: target.virtualCircuitId };
  for (let round = 1; ; round++) {
    if (has("virtual-circuit")) {
      const ref = vcRef;
      yield* run.step("virtual-circuit", "removing the FastConnect virtual circuit", function* () {
        yield* deleteAndWait(run, "virtual-circuit", t.deprovisionDeadlineMinutes, () => run.call("virtual-circuit", "ociDeleteVirtualCircuit", { oci, ...ref }), {
          wait: "virtualCircuitTermination",
          waitingFor: "the virtual circuit to be TERMINATED",
          observe: () => run.call("virtual-circuit", "ociGetVirtualCircuit", { oci, ...ref }),
          gone: (o) => !o.found || o.lifecycleState === "TERMINATED",
          deleteFailed: (o) => o.found && o.lifecycleState !== "TERMINATING",
          describe: (o) => (o.found ? `virtual circuit ${o.lifecycleState}` : "virtual circuit gone"),
        });
      });
    }
    if (!has("circuit")) break;
    const late = yield* run.step("circuit-deprovisioning", "waiting for Azure to show the provider deprovisioned the circuit", function* () {
      const seen = yield* pollUntil(run, {
        step: "circuit-deprovisioning",
        wait: "circuitDeprovisioning",
        waitingFor: "the circuit to show NotProvisioned and no peerings",
        deadlineMinutes: t.deprovisionDeadlineMinutes,
        observe: function* () {
          const circuit = yield* run.call("circuit-deprovisioning", "azureGetCircuit", { azure });
          // A stopped provisioning's activity may create our virtual circuit after it was removed:
          // the circuit would then never deprovision. Looked up by name while the circuit waits.
          const vc = target.watchLateVirtualCircuit === true && !deprovisioned(circuit) ? yield* run.call("circuit-deprovisioning", "ociGetVirtualCircuit", { oci }) : null;
          return { circuit, vc: vc !== null && vc.found && !LEAVING_VC.includes(vc.lifecycleState) ? vc : null };
        },
        done: (o) => deprovisioned(o.circuit) || o.vc !== null,
        describe: ({ circuit: o, vc }) =>
          (o.found ? `circuit ${o.serviceProviderProvisioningState}, ${o.peeringCount} peering(s)` : "circuit gone") +
          (vc !== null ? `; virtual circuit ${vc.virtualCircuitId} ${vc.lifecycleState} appeared` : ""),
      });
      return seen.vc;
    });
    if (late === null) break;
    if (round >= MAX_VC_ROUNDS) {
      throw new WorkflowStepError("virtual-circuit", permanent("LATE_VIRTUAL_CIRCUIT", `virtual circuit ${late.virtualCircuitId} (${late.lifecycleState}) appeared again after ${round} removals`));
    }
    yield* run.audit("virtual-circuit", "retrying", `virtual circuit ${late.virtualCircuitId} (${late.lifecycleState}) appeared after its removal (a stopped provisioning); removing it again`);
    vcRef = { virtualCircuitId: late.virtualCircuitId };
  }

  if (has("circuit")) {
    yield* run.step("circuit", "removing the ExpressRoute circuit (billing stops)", function* () {
      yield* deleteAndWait(run, "circuit", t.deprovisionDeadlineMinutes, () => run.call("circuit", "azureDeleteCircuit", { azure }), {
        wait: "circuitDeletion",
        waitingFor: "the circuit to be deleted",
        observe: () => run.call("circuit", "azureGetCircuit", { azure }),
        gone: (o) => !o.found,
        // ARM answers 202 and fails the delete later (ConflictError while the provider state propagates).
        deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
        describe: (o) => (o.found ? `circuit ${o.provisioningState}, provider ${o.serviceProviderProvisioningState}` : "circuit gone"),
      });
    });
  }

  if (has("route-rules")) {
    yield* run.step("route-rules", "removing our VCN route rules to the DRG", function* () {
      const routeTableId = target.routeTableId ?? (yield* defaultRouteTableId(run, oci.region, target.vcnId));
      if (routeTableId === null) {
        kept.push("route-rules: the VCN no longer exists");
        return;
      }
      yield* deleteAndWait(run, "route-rules", t.drgDeadlineMinutes, () => run.call("route-rules", "ociRemoveRouteRules", { region: oci.region, routeTableId }));
    });
  }

  if (has("drg-attachment") && isOwned("drgAttachment")) {
    const ref = {
      vcnId: target.vcnId,
      ...(target.owned && target.drgAttachmentId !== undefined ? { drgAttachmentId: target.drgAttachmentId } : {}),
      ...(target.owned && target.drgId !== undefined ? { drgId: target.drgId } : {}),
    };
    yield* run.step("drg-attachment", "detaching the DRG from the VCN", function* () {
      yield* deleteAndWait(run, "drg-attachment", t.drgDeadlineMinutes, () => run.call("drg-attachment", "ociDeleteDrgAttachment", { oci, ...ref }), {
        wait: "drgAttachmentDetaching",
        waitingFor: "the DRG attachment to be DETACHED",
        observe: () => run.call("drg-attachment", "ociGetDrgAttachment", { oci, ...ref }),
        gone: (o) => !o.found || o.lifecycleState === "DETACHED",
        deleteFailed: (o) => o.found && o.lifecycleState !== "DETACHING",
        describe: (o) => (o.found ? `DRG attachment ${o.lifecycleState}` : "DRG attachment gone"),
      });
    });
  }

  if (has("drg") && isOwned("drg")) {
    const ref = target.owned && target.drgId !== undefined ? { drgId: target.drgId } : {};
    yield* run.step("drg", "removing the DRG", function* () {
      yield* deleteAndWait(run, "drg", t.drgDeadlineMinutes, () => run.call("drg", "ociDeleteDrg", { oci, ...ref }), {
        wait: "drgTermination",
        waitingFor: "the DRG to be TERMINATED",
        observe: () => run.call("drg", "ociGetDrg", { oci, ...ref }),
        gone: (o) => !o.found || o.lifecycleState === "TERMINATED",
        deleteFailed: (o) => o.found && o.lifecycleState !== "TERMINATING",
        describe: (o) => (o.found ? `DRG ${o.lifecycleState}` : "DRG gone"),
      });
    });
  }

  if (has("gateway") && isOwned("gateway")) {
    yield* run.step("gateway", "removing the ExpressRoute gateway and its public IP if nothing else uses them", function* () {
      const observe = () => run.call("gateway", "azureGetGateway", { azure });
      const describe = (o: GatewayObservation) => (o.found ? `gateway ${o.provisioningState}` : "gateway gone");
      const building = (o: GatewayObservation) => o.found && GATEWAY_BUILDING.includes(o.provisioningState);
      // ARM refuses to delete a gateway whose deployment runs (409 AnotherOperationInProgress), and a
      // compensation after an early failure meets one 20-45 minutes before it is done: wait it out.
      const before = yield* observe();
      if (building(before)) {
        yield* pollUntil(run, {
          step: "gateway",
          ...(target.gatewayStartedAt === undefined ? { wait: "gatewaySettling" as const } : { wait: "gateway" as const, startedAt: new Date(target.gatewayStartedAt) }),
          waitingFor: "the ExpressRoute gateway's deployment to finish before it can be deleted",
          deadlineMinutes: t.gatewayDeadlineMinutes,
          initiallyObserved: describe(before),
          observe,
          describe,
          done: (o) => !building(o),
        });
      }
      // Called until it answers "deleted": once the gateway is gone, the same step removes its public IP.
      const outcome = yield* deleteAndWait(run, "gateway", t.gatewayDeadlineMinutes, () => run.call("gateway", "azureDeleteGateway", { azure }), {
        wait: "gatewayDeletion",
        waitingFor: "the gateway to be deleted",
        observe,
        gone: (o) => !o.found,
        deleteFailed: (o) => o.found && SETTLED.includes(o.provisioningState),
        describe,
        untilDeleted: "the gateway's public IP",
      });
      if (outcome.status === "in-use") kept.push(`gateway: ${outcome.message ?? "another connection uses it"}`);
    });
  }

  if (has("gateway-subnet") && target.owned?.gatewaySubnet === true && !kept.some((k) => k.startsWith("gateway:"))) {
    yield* run.step("gateway-subnet", "removing the GatewaySubnet if nothing uses it", function* () {
      const outcome = yield* deleteAndWait(
        run,
        "gateway-subnet",
        t.gatewaySubnetDeadlineMinutes,
        () => run.call("gateway-subnet", "azureDeleteGatewaySubnet", { azure, virtualNetworkName: target.virtualNetworkName }),
        {
          wait: "gatewaySubnetDeletion",
          waitingFor: "the GatewaySubnet to be deleted",
          observe: () => run.call("gateway-subnet", "azureReadVirtualNetwork", { azure, virtualNetworkName: target.virtualNetworkName }),
          gone: (o) => o.gatewaySubnet === null,
          describe: (o) => (o.gatewaySubnet === null ? "GatewaySubnet gone" : `GatewaySubnet ${o.gatewaySubnet.addressPrefix} still there`),
        },
      );
      if (outcome.status === "in-use") kept.push(`gateway-subnet: ${outcome.message ?? "something uses it"}`);
    });
  }
  return { kept };
}

interface GoneSpec<T> {
  wait: WaitName;
  waitingFor: string;
  observe: () => Flow<T>;
  gone: (observed: T) => boolean;
  /**
   * The cloud accepted the delete and then failed it (the resource is there and no longer being
   * deleted, e.g. a circuit's ConflictError surfaced by the delete LRO): delete again.
   */
  deleteFailed?: (observed: T) => boolean;
  describe: (observed: T) => string;
  /**
   * The delete step removes more than the watched resource (the gateway step also deletes the
   * gateway's public IP, which ARM frees only once the gateway is gone): named here, the step is
   * called again after the resource is gone until it answers "deleted".
   */
  untilDeleted?: string;
}

/**
 * Delete, then wait until gone. "conflict" (the cloud refuses for now, e.g. the circuit's
 * ConflictError while the provider deprovisions) and a delete that was accepted and then failed are
 * both retried on durable timers, backing off, until the deadline.
 */
function* deleteAndWait<T>(run: WorkflowRun, step: string, deadlineMinutes: number, remove: () => Flow<DeleteOutcome>, gone?: GoneSpec<T>): Flow<DeleteOutcome> {
  const deadline = run.now().getTime() + deadlineMinutes * 60_000;
  const minutesLeft = () => Math.max(0, (deadline - run.now().getTime()) / 60_000);
  let interval = Math.max(1, run.timing.pollInitialIntervalSeconds);
  let watchedGone = false;
  for (;;) {
    const outcome = yield* remove();
    if (outcome.status === "deleted" || outcome.status === "in-use") {
      if (outcome.status === "in-use") yield* run.audit(step, "skipped", outcome.message ?? `${step} is in use; kept`);
      return outcome;
    }
    let waitingFor = `${step} delete to be accepted`;
    let observed = `conflict: ${outcome.message ?? "refused for now"}`;
    let why = `delete refused for now (${outcome.message ?? "conflict"})`;
    if (outcome.status === "deleting") {
      if (gone === undefined) return outcome;
      if (watchedGone) {
        waitingFor = `${gone.untilDeleted ?? step} to be deleted`;
        observed = outcome.message ?? "deleting";
        why = `${gone.untilDeleted ?? step} still being deleted`;
      } else {
        const last = yield* pollUntil(run, {
          step,
          wait: gone.wait,
          waitingFor: gone.waitingFor,
          deadlineMinutes: minutesLeft(),
          observe: gone.observe,
          describe: gone.describe,
          done: (o) => gone.gone(o) || gone.deleteFailed?.(o) === true,
        });
        if (gone.gone(last)) {
          if (gone.untilDeleted === undefined) return outcome;
          watchedGone = true;
          continue;
        }
        waitingFor = `${step} delete to be retried`;
        observed = gone.describe(last);
        why = `the delete was accepted and then failed (${observed})`;
      }
    }
    const now = run.now().getTime();
    if (now >= deadline) {
      throw new WorkflowStepError(step, permanent("DEADLINE_EXCEEDED", `could not delete ${step} within ${deadlineMinutes} min: ${why}`));
    }
    const waitSeconds = Math.min(Math.max(outcome.retryAfterSeconds ?? 0, interval), run.timing.pollMaxIntervalSeconds, (deadline - now) / 1000);
    run.note({ waitingFor, lastObserved: observed, deadline: new Date(deadline).toISOString() });
    yield* run.audit(step, "waiting", `${why}; retrying in ${Math.round(waitSeconds)}s`);
    yield run.context.df.createTimer(new Date(now + waitSeconds * 1000));
    interval = Math.min(interval * 2, Math.max(interval, run.timing.pollMaxIntervalSeconds));
  }
}

function* defaultRouteTableId(run: WorkflowRun, region: string, vcnId: string): Flow<string | null> {
  try {
    const vcn = yield* run.call("route-rules", "ociReadVcn", { region, vcnId });
    return vcn.defaultRouteTableId;
  } catch (error) {
    if (error instanceof WorkflowStepError && error.failure.code === "NOT_FOUND") return null;
    throw error;
  }
}
