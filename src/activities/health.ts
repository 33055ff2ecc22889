/**
 * The health watch's activities: load what to watch, read both clouds, save the health (an audit row
 * and an alert event on transitions only), the two GET+PUT refreshes AUTO_REPAIR may run, and starting
 * the watch of an interconnect (one instance per interconnect, by id).
 */
import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { desiredSnapshot } from "../domain/desired-snapshot";
import { networkKeyOf } from "../domain/network-queue";
import { HEALTH_WATCH_ORCHESTRATOR, HEALTH_WATCH_STOP_EVENT, healthWatchInstanceId } from "../domain/names";
import type { BgpPlan } from "../domain/bgp-plan";
import type { InterconnectSpec } from "../domain/spec";
import type { OperationKind, StoredInterconnect } from "../store";
import { findInstance, isFinished } from "./durable-instance";
import type { HealthLoad, HealthTargets } from "../contracts";
import { observeControlPlane, observeRoutes, refreshFailedCircuit, refreshFailedConnection } from "./health-reads";
import { defineActivity } from "./step";

/** Operations that change an active interconnect under the watch's eyes. */
const PAUSING: ReadonlySet<OperationKind> = new Set<OperationKind>(["change", "teardown"]);

export const healthLoad = defineActivity("healthLoad", "read", async (input, ctx): Promise<HealthLoad> => {
  const record = await ctx.deps.store.interconnects.get(input.name);
  if (!record || record.state !== "active") return { watching: false, state: record?.state ?? "absent" };
  const targets = targetsOf(record);
  const desired =
    record.desired ??
    desiredSnapshot({ spec: record.spec, bgpPlan: requireBgpPlan(record), resources: record.resources }, new Date().toISOString());
  const vcnQueue = input.vcnQueue
    ? (await ctx.deps.store.turns.list([networkKeyOf({ kind: "vcn", id: targets.vcnId })])).map((r) => ({
        owner: r.owner,
        operation: r.operation,
        instanceId: r.instanceId,
        since: r.since,
        holds: r.holds,
      }))
    : undefined;
  const op = record.currentOperation;
  // The record keeps its last operation; it holds the interconnect only while its instance runs. A
  // provisioning or an adoption is active only in its last step, which starts this very watch: no pause.
  const status = op && PAUSING.has(op.kind) ? await findInstance(df.getClient(ctx.invocation), op.instanceId) : undefined;
  const busy = op && status !== undefined && !isFinished(status) ? { kind: op.kind, instanceId: op.instanceId } : undefined;
  return {
    watching: true,
    targets,
    desired,
    ...(record.health ? { health: record.health } : {}),
    settings: ctx.deps.health,
    ...(vcnQueue ? { vcnQueue } : {}),
    operationId: op?.instanceId ?? null,
    ...(busy ? { busy } : {}),
  };
});

export const healthObserveControlPlane = defineActivity("healthObserveControlPlane", "read", async (input, ctx) =>
  observeControlPlane(ctx.azure(input.targets.subscriptionId), ctx.oci(input.targets.region), input.targets),
);

export const healthObserveRoutes = defineActivity("healthObserveRoutes", "read", async (input, ctx) =>
  observeRoutes(
    ctx.azure(input.targets.subscriptionId),
    ctx.oci(input.targets.region),
    input.targets,
    input.drgRouteTableId,
    input.peeringPresent,
  ),
);

/**
 * Writes the health only while the record is active (a teardown that began meanwhile owns it now). A
 * transition leaves one audit row and one structured log event, `InterconnectHealthChanged`, which an
 * Application Insights alert rule can fire on (traces where message has that name).
 */
export const healthSave = defineActivity("healthSave", "read", async (input, ctx) => {
  let saved = true;
  let outdated = false;
  await ctx.deps.store.interconnects.modify(input.name, (current) => {
    if (current.state !== "active") {
      saved = false;
      return {};
    }
    // A change committed during this check moved the desired snapshot on: this check compared with the old
    // one, so its findings (a bandwidth "drift" among them) are not saved; the next check compares with the new.
    if (current.desired !== undefined && current.desired.takenAt !== input.desired.takenAt) {
      outdated = true;
      return {};
    }
    // An operation that began during this check (a change's BGP flap, its bandwidth half-way) is no finding.
    if (input.operationId !== undefined && (current.currentOperation?.instanceId ?? null) !== input.operationId) {
      outdated = true;
      return {};
    }
    return { health: input.health, desired: input.desired };
  });
  if (outdated) return { saved, outdated };
  if (!saved || !input.transition) return { saved };
  const t = input.transition;
  const findings = input.health.findings.map((f) => `${f.code}:${f.subject}`);
  const message = `health ${t.from ?? "unknown"} → ${t.to}${t.raised.length ? `; raised ${t.raised.join(", ")}` : ""}${t.cleared.length ? `; cleared ${t.cleared.join(", ")}` : ""}`;
  const written = await ctx.deps.store.audit.append(
    {
      interconnect: input.name,
      step: "health",
      phase: "info",
      actor: "system",
      instanceId: ctx.opContext.instanceId,
      operation: "watch",
      message,
      details: {
        from: t.from ?? null,
        to: t.to,
        raised: t.raised.join(","),
        cleared: t.cleared.join(","),
        findings: findings.join(","),
        checkedAt: input.health.checkedAt,
      },
      // A redelivered call (the host killed after the write) writes the transition once, as auditAppend does.
    },
    ctx.opContext.callKey === undefined ? undefined : { key: `${ctx.opContext.instanceId}\n${ctx.opContext.callKey}`, onDuplicate: "skip" },
  );
  // The alert event goes with the row: a redelivered call raises no second alert.
  if (written !== undefined) logTransition(ctx.invocation, input.name, input.health.status, t, input.health.findings);
  return { saved };
});

function logTransition(
  invocation: InvocationContext,
  name: string,
  status: string,
  t: { from?: string | undefined; raised: string[]; cleared: string[] },
  findings: { code: string; subject: string; severity: string; action: string }[],
): void {
  const event = {
    event: "InterconnectHealthChanged",
    interconnect: name,
    from: t.from ?? null,
    to: status,
    raised: t.raised,
    cleared: t.cleared,
    findings: findings.map((f) => ({ code: f.code, subject: f.subject, severity: f.severity, action: f.action })),
  };
  const line = `InterconnectHealthChanged ${JSON.stringify(event)}`;
  if (status === "down") invocation.error(line);
  else if (status === "degraded") invocation.warn(line);
  else invocation.info(line);
}

export const healthRefreshCircuit = defineActivity("healthRefreshCircuit", "mutation", async (input, ctx) => ({
  outcome: await refreshFailedCircuit(ctx.azure(input.targets.subscriptionId), input.targets, ctx.addSecret),
}));

export const healthRefreshConnection = defineActivity("healthRefreshConnection", "mutation", async (input, ctx) => ({
  outcome: await refreshFailedConnection(ctx.azure(input.targets.subscriptionId), input.targets),
}));

/** Starts the watch unless it runs already (its fixed instance id makes this the only watch of the interconnect). */
export const healthWatchEnsure = defineActivity("healthWatchEnsure", "read", async (input, ctx) => {
  const client = df.getClient(ctx.invocation);
  const instanceId = healthWatchInstanceId(input.name);
  const status = await findInstance(client, instanceId);
  if (status !== undefined && !isFinished(status)) return { instanceId, started: false, runtimeStatus: String(status.runtimeStatus) };
  await client.startNew(HEALTH_WATCH_ORCHESTRATOR, { instanceId, input: { name: input.name } });
  return { instanceId, started: true, runtimeStatus: "Pending" };
});

/** Wakes the watch with its stop event (a teardown began); a watch that is not running needs nothing. */
export const healthWatchStop = defineActivity("healthWatchStop", "read", async (input, ctx) => {
  const client = df.getClient(ctx.invocation);
  const instanceId = healthWatchInstanceId(input.name);
  const status = await findInstance(client, instanceId);
  if (status === undefined || isFinished(status)) return { instanceId, signalled: false };
  await client.raiseEvent(instanceId, HEALTH_WATCH_STOP_EVENT, { reason: "teardown" });
  return { instanceId, signalled: true };
});

function targetsOf(record: StoredInterconnect): HealthTargets {
  const r = record.resources;
  const spec: InterconnectSpec = record.spec;
  const need = (value: string | undefined, field: string): string => {
    if (!value) throw new Error(`interconnect ${record.name} is active but its record has no resources.${field}`);
    return value;
  };
  return {
    interconnect: record.name,
    subscriptionId: spec.azure.subscriptionId,
    resourceGroup: spec.azure.resourceGroup,
    virtualNetworkName: spec.azure.virtualNetwork.name,
    gatewayId: need(r.gatewayId, "gatewayId"),
    region: spec.oci.region,
    virtualCircuitId: need(r.virtualCircuitId, "virtualCircuitId"),
    drgId: need(r.drgId, "drgId"),
    drgAttachmentId: need(r.drgAttachmentId, "drgAttachmentId"),
    vcnId: spec.oci.vcnId,
    routeTableId: need(r.routeTableId, "routeTableId"),
    ...(r.names ? { names: r.names } : {}),
    ...(r.connectionMonitorId ? { connectionMonitorId: r.connectionMonitorId } : {}),
  };
}

function requireBgpPlan(record: StoredInterconnect): BgpPlan {
  if (!record.bgpPlan) throw new Error(`interconnect ${record.name} is active but its record has no bgpPlan`);
  return record.bgpPlan;
}
