import { type Json, asObject, oneOf, optArray, optNumber, optObject, optString, optTags, reqLocation, reqString } from "../body";
import { ArmError, badRequest } from "../errors";
import type { Reply } from "../network";
import { normalizeLocation } from "../network";
import { type ArmResource, key } from "../state";
import { type Ctx, envelope, newResource, page, putReply } from "./common";
import { virtualMachineById } from "./compute";

/**
 * Network Watcher (one per subscription and region, which Azure creates in NetworkWatcherRG with the
 * first VNet) and its connection monitors (the v2 model: endpoints, test configurations, test groups;
 * api-version 2025-05-01, NetworkWatcherConnectionMonitorCreate.json). A monitor's results are Azure
 * Monitor metrics (metrics.ts), scripted by POST /admin/incidents `connectionMonitorResults`.
 */
export const NETWORK_WATCHER_TYPE = "Microsoft.Network/networkWatchers";
export const CONNECTION_MONITOR_TYPE = "Microsoft.Network/networkWatchers/connectionMonitors";

const ENDPOINT_TYPES = [
  "AzureVM",
  "AzureVNet",
  "AzureSubnet",
  "ExternalAddress",
  "MMAWorkspaceMachine",
  "MMAWorkspaceNetwork",
  "AzureArcVM",
  "AzureVMSS",
  "AzureArcNetwork",
] as const;
const PROTOCOLS = ["Tcp", "Http", "Icmp"] as const;
const FREQUENCIES = [30, 60, 300, 900, 1800];

/** What a healthy path reports until an incident scripts otherwise. */
export const PASSING_RESULT = { checksFailedPercent: 0, roundTripTimeMs: 6 };
export type MonitorResult = typeof PASSING_RESULT;

export function listNetworkWatchersInSubscription(ctx: Ctx): Reply {
  ctx.net.ensureSubscription(ctx.scope.subscriptionId);
  const prefix = `/subscriptions/${ctx.scope.subscriptionId}/`.toLowerCase();
  return page(
    ctx,
    ctx.net.list((r) => r.type === NETWORK_WATCHER_TYPE && key(r.id).startsWith(prefix)).map((r) => envelope(r)),
  );
}

export function getNetworkWatcher(ctx: Ctx): Reply {
  return { status: 200, body: envelope(ctx.net.require(ctx.scope, "networkWatchers", ctx.names[0] as string)) };
}

export function deleteNetworkWatcher(ctx: Ctx): Reply {
  const r = ctx.net.get(ctx.net.resourceId(ctx.scope, "networkWatchers", ctx.names[0] as string));
  if (!r) return { status: 204 };
  const op = ctx.net.beginDelete(r, ctx.net.durations.smallResource);
  return { status: 202, headers: ctx.net.lroHeaders(ctx.scope.subscriptionId, op, "location") };
}

function monitorId(ctx: Ctx): { watcherId: string; id: string } {
  const watcher = ctx.net.require(ctx.scope, "networkWatchers", ctx.names[0] as string);
  return { watcherId: watcher.id, id: `${watcher.id}/connectionMonitors/${ctx.names[1] as string}` };
}

/** The scripted results are emulator bookkeeping, never shown. */
function render(r: ArmResource): Json {
  return envelope(r);
}

export function putConnectionMonitor(ctx: Ctx): Reply {
  const { net, body } = ctx;
  const { watcherId, id } = monitorId(ctx);
  const watcher = net.get(watcherId);
  const existing = net.get(id);
  net.checkPreconditions(existing, ctx.ifMatch, ctx.ifNoneMatch);
  const location = reqLocation(body);
  if (watcher?.location && normalizeLocation(location) !== normalizeLocation(watcher.location)) {
    throw badRequest(
      "InvalidLocation",
      `The connection monitor's location '${location}' must be the Network Watcher's location '${watcher.location}'.`,
    );
  }
  const props = optObject(body, "properties", "properties") ?? {};
  if (props.source !== undefined || props.destination !== undefined) {
    throw badRequest(
      "ConnectionMonitorV1NotSupported",
      "Classic connection monitors (source/destination) can no longer be created; use endpoints, testConfigurations and testGroups.",
    );
  }
  const endpoints = (optArray(props, "endpoints", "properties.endpoints") ?? []).map((e, i) => {
    const f = `properties.endpoints[${i}]`;
    const o = asObject(e, f);
    const name = reqString(o, "name", `${f}.name`);
    const type = optString(o, "type", `${f}.type`);
    if (type !== undefined) oneOf(type, ENDPOINT_TYPES, `${f}.type`);
    const resourceId = optString(o, "resourceId", `${f}.resourceId`);
    const address = optString(o, "address", `${f}.address`);
    if (!resourceId && !address)
      throw badRequest("InvalidConnectionMonitorEndpoint", `Endpoint '${name}' needs a resourceId or an address.`);
    if (resourceId && /\/providers\/Microsoft\.Compute\/virtualMachines\//i.test(resourceId) && !virtualMachineById(net, resourceId)) {
      throw badRequest("InvalidConnectionMonitorEndpoint", `Endpoint '${name}': virtual machine ${resourceId} was not found.`);
    }
    return name;
  });
  const tests = (optArray(props, "testConfigurations", "properties.testConfigurations") ?? []).map((t, i) => {
    const f = `properties.testConfigurations[${i}]`;
    const o = asObject(t, f);
    const name = reqString(o, "name", `${f}.name`);
    const protocol = oneOf(reqString(o, "protocol", `${f}.protocol`), PROTOCOLS, `${f}.protocol`);
    const frequency = optNumber(o, "testFrequencySec", `${f}.testFrequencySec`);
    if (frequency !== undefined && !FREQUENCIES.includes(frequency)) {
      throw badRequest("InvalidTestFrequency", `${f}.testFrequencySec must be one of ${FREQUENCIES.join(", ")}; got ${frequency}.`);
    }
    if (protocol === "Tcp") {
      const port = optNumber(optObject(o, "tcpConfiguration", `${f}.tcpConfiguration`) ?? {}, "port", `${f}.tcpConfiguration.port`);
      if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw badRequest("InvalidTcpConfiguration", `${f}: a Tcp test needs tcpConfiguration.port 1-65535.`);
      }
    }
    return name;
  });
  const groups = optArray(props, "testGroups", "properties.testGroups") ?? [];
  if (endpoints.length === 0 || tests.length === 0 || groups.length === 0) {
    throw badRequest(
      "InvalidConnectionMonitor",
      "A connection monitor needs at least one endpoint, one test configuration and one test group.",
    );
  }
  groups.forEach((g, i) => {
    const f = `properties.testGroups[${i}]`;
    const o = asObject(g, f);
    reqString(o, "name", `${f}.name`);
    for (const [field, known] of [
      ["sources", endpoints],
      ["destinations", endpoints],
      ["testConfigurations", tests],
    ] as const) {
      const refs = optArray(o, field, `${f}.${field}`) ?? [];
      if (refs.length === 0) throw badRequest("InvalidTestGroup", `${f}.${field} must name at least one.`);
      for (const ref of refs) {
        if (typeof ref !== "string" || !known.includes(ref)) {
          throw badRequest("InvalidTestGroup", `${f}.${field}: '${String(ref)}' is not defined in the connection monitor.`);
        }
      }
    }
  });
  const r = existing ?? newResource(id, CONNECTION_MONITOR_TYPE, ctx.names[1] as string, location, {});
  r.tags = optTags(body);
  Object.assign(r.properties, {
    endpoints: props.endpoints,
    testConfigurations: props.testConfigurations,
    testGroups: props.testGroups,
    ...(props.outputs !== undefined ? { outputs: props.outputs } : {}),
    ...(typeof props.notes === "string" ? { notes: props.notes } : {}),
    startTime: new Date(net.clock.now()).toISOString(),
    monitoringStatus: "Running",
    connectionMonitorType: "MultiEndpoint",
  });
  r.internal = { results: (existing?.internal?.results as Record<string, MonitorResult> | undefined) ?? {} };
  const op = net.beginPut(r, net.durations.smallResource);
  return putReply(ctx, !existing, render(r), op.id);
}

export function getConnectionMonitor(ctx: Ctx): Reply {
  const { id } = monitorId(ctx);
  const r = ctx.net.get(id);
  if (!r) throw new ArmError(404, "ResourceNotFound", `The connection monitor '${ctx.names[1] as string}' could not be found.`);
  return { status: 200, body: render(r) };
}

export function listConnectionMonitors(ctx: Ctx): Reply {
  const { watcherId } = monitorId(ctx);
  return page(
    ctx,
    ctx.net.childrenOf(watcherId, CONNECTION_MONITOR_TYPE).map((r) => render(r)),
  );
}

export function deleteConnectionMonitor(ctx: Ctx): Reply {
  const { id } = monitorId(ctx);
  const r = ctx.net.get(id);
  if (!r) return { status: 204 };
  const op = ctx.net.beginDelete(r, ctx.net.durations.smallResource);
  return { status: 202, headers: ctx.net.lroHeaders(ctx.scope.subscriptionId, op, "location") };
}

/** The monitor's current results per test configuration (scripted, else passing). */
export function monitorResults(r: { properties: Json; internal?: Json }): Map<string, MonitorResult> {
  const scripted = (r.internal?.results ?? {}) as Record<string, MonitorResult>;
  const names = ((r.properties.testConfigurations as Json[] | undefined) ?? []).map((t) => String(t.name));
  return new Map(names.map((n) => [n, scripted[n] ?? scripted["*"] ?? PASSING_RESULT]));
}
