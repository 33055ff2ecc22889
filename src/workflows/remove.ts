import type { AzureScope, DeleteOutcome, OciScope, ResourceOwnership } from "../activities/contracts";
import { permanent, WorkflowStepError } from "./failure";
import { pollUntil } from "./poll";
import type { Flow, WorkflowRun } from "./run";
import type { WaitName } from "./waits";

/** Resource kinds in the only safe removal order (DESIGN.md "Teardown, in this order only"). */
export const REMOVAL_ORDER = ["connection", "virtual-circuit", "circuit", "route-rules", "drg-attachment", "drg", "gateway", "gateway-subnet"] as const;
export type RemovableKind = (typeof REMOVAL_ORDER)[number];

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
        describe: (o) => (o.found ? `connection ${o.provisioningState}/${o.connectionStatus}` : "connection gone"),
      });
    });
  }

  if (has("virtual-circuit")) {
    const ref = target.virtualCircuitId === undefined ? {} : { virtualCircuitId: target.virtualCircuitId };
    yield* run.step("virtual-circuit", "removing the FastConnect virtual circuit", function* () {
      yield* deleteAndWait(run, "virtual-circuit", t.deprovisionDeadlineMinutes, () => run.call("virtual-circuit", "ociDeleteVirtualCircuit", { oci, ...ref }), {
        wait: "virtualCircuitTermination",
        waitingFor: "the virtual circuit to be TERMINATED",
        observe: () => run.call("virtual-circuit", "ociGetVirtualCircuit", { oci, ...ref }),
        gone: (o) => !o.found || o.lifecycleState === "TERMINATED",
        describe: (o) => (o.found ? `virtual circuit ${o.lifecycleState}` : "virtual circuit gone"),
      });
    });
  }

  if (has("circuit")) {
    yield* run.step("circuit-deprovisioning", "waiting for Azure to show the provider deprovisioned the circuit", function* () {
      yield* pollUntil(run, {
        step: "circuit-deprovisioning",
        wait: "circuitDeprovisioning",
        waitingFor: "the circuit to show NotProvisioned and no peerings",
        deadlineMinutes: t.deprovisionDeadlineMinutes,
        observe: () => run.call("circuit-deprovisioning", "azureGetCircuit", { azure }),
        done: (o) => !o.found || (o.serviceProviderProvisioningState === "NotProvisioned" && o.peeringCount === 0),
        describe: (o) => (o.found ? `circuit ${o.serviceProviderProvisioningState}, ${o.peeringCount} peering(s)` : "circuit gone"),
      });
    });
    yield* run.step("circuit", "removing the ExpressRoute circuit (billing stops)", function* () {
      yield* deleteAndWait(run, "circuit", t.deprovisionDeadlineMinutes, () => run.call("circuit", "azureDeleteCircuit", { azure }), {
        wait: "circuitDeletion",
        waitingFor: "the circuit to be deleted",
        observe: () => run.call("circuit", "azureGetCircuit", { azure }),
        gone: (o) => !o.found,
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
      yield* deleteAndWait(run, "route-rules", t.connectionDeadlineMinutes, () => run.call("route-rules", "ociRemoveRouteRules", { region: oci.region, routeTableId }));
    });
  }

  if (has("drg-attachment") && isOwned("drgAttachment")) {
    const ref = {
      vcnId: target.vcnId,
      ...(target.owned && target.drgAttachmentId !== undefined ? { drgAttachmentId: target.drgAttachmentId } : {}),
      ...(target.owned && target.drgId !== undefined ? { drgId: target.drgId } : {}),
    };
    yield* run.step("drg-attachment", "detaching the DRG from the VCN", function* () {
      yield* deleteAndWait(run, "drg-attachment", t.connectionDeadlineMinutes, () => run.call("drg-attachment", "ociDeleteDrgAttachment", { oci, ...ref }), {
        wait: "drgAttachmentDetaching",
        waitingFor: "the DRG attachment to be DETACHED",
        observe: () => run.call("drg-attachment", "ociGetDrgAttachment", { oci, ...ref }),
        gone: (o) => !o.found || o.lifecycleState === "DETACHED",
        describe: (o) => (o.found ? `DRG attachment ${o.lifecycleState}` : "DRG attachment gone"),
      });
    });
  }

  if (has("drg") && isOwned("drg")) {
    const ref = target.owned && target.drgId !== undefined ? { drgId: target.drgId } : {};
    yield* run.step("drg", "removing the DRG", function* () {
      yield* deleteAndWait(run, "drg", t.connectionDeadlineMinutes, () => run.call("drg", "ociDeleteDrg", { oci, ...ref }), {
        wait: "drgTermination",
        waitingFor: "the DRG to be TERMINATED",
        observe: () => run.call("drg", "ociGetDrg", { oci, ...ref }),
        gone: (o) => !o.found || o.lifecycleState === "TERMINATED",
        describe: (o) => (o.found ? `DRG ${o.lifecycleState}` : "DRG gone"),
      });
    });
  }

  if (has("gateway") && isOwned("gateway")) {
    yield* run.step("gateway", "removing the ExpressRoute gateway if nothing else uses it", function* () {
      const outcome = yield* deleteAndWait(run, "gateway", t.gatewayDeadlineMinutes, () => run.call("gateway", "azureDeleteGateway", { azure }), {
        wait: "gatewayDeletion",
        waitingFor: "the gateway to be deleted",
        observe: () => run.call("gateway", "azureGetGateway", { azure }),
        gone: (o) => !o.found,
        describe: (o) => (o.found ? `gateway ${o.provisioningState}` : "gateway gone"),
      });
      if (outcome.status === "in-use") kept.push(`gateway: ${outcome.message ?? "another connection uses it"}`);
    });
  }

  if (has("gateway-subnet") && target.owned?.gatewaySubnet === true && !kept.some((k) => k.startsWith("gateway:"))) {
    yield* run.step("gateway-subnet", "removing the GatewaySubnet if nothing uses it", function* () {
      const outcome = yield* deleteAndWait(
        run,
        "gateway-subnet",
        t.connectionDeadlineMinutes,
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
  describe: (observed: T) => string;
}

/**
 * Delete, then wait until gone. "conflict" (the cloud refuses for now, e.g. the circuit's
 * ConflictError while the provider deprovisions) is waited out on durable timers until the deadline.
 */
function* deleteAndWait<T>(run: WorkflowRun, step: string, deadlineMinutes: number, remove: () => Flow<DeleteOutcome>, gone?: GoneSpec<T>): Flow<DeleteOutcome> {
  const deadline = run.now().getTime() + deadlineMinutes * 60_000;
  let interval = Math.max(1, run.timing.pollInitialIntervalSeconds);
  for (;;) {
    const outcome = yield* remove();
    if (outcome.status === "deleted" || outcome.status === "in-use") {
      if (outcome.status === "in-use") yield* run.audit(step, "skipped", outcome.message ?? `${step} is in use; kept`);
      return outcome;
    }
    if (outcome.status === "deleting") {
      if (gone !== undefined) {
        yield* pollUntil(run, { step, deadlineMinutes: Math.max(0, (deadline - run.now().getTime()) / 60_000), done: gone.gone, ...gone });
      }
      return outcome;
    }
    const now = run.now().getTime();
    if (now >= deadline) {
      throw permanent(step, "DEADLINE_EXCEEDED", `the cloud kept refusing to delete ${step} for ${deadlineMinutes} min: ${outcome.message ?? "conflict"}`);
    }
    const waitSeconds = Math.min(Math.max(outcome.retryAfterSeconds ?? 0, interval), run.timing.pollMaxIntervalSeconds, (deadline - now) / 1000);
    run.note({ waitingFor: `${step} delete to be accepted`, lastObserved: `conflict: ${outcome.message ?? "refused for now"}`, deadline: new Date(deadline).toISOString() });
    yield* run.audit(step, "waiting", `delete refused for now (${outcome.message ?? "conflict"}); retrying in ${Math.round(waitSeconds)}s`);
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
