import { DEVICE_PATHS, type ProviderLink, type VirtualCircuitForProvider } from "../../shared/provider-link";
import { stripMask } from "../cidr";
import { ArmError, badRequest } from "../errors";
import type { Reply } from "../network";
import type { ArmResource } from "../state";
import type { Ctx } from "./common";

/**
 * ARP table, route table and route table summary of a peering (POST …/{arpTables|routeTables|
 * routeTablesSummary}/{devicePath}; LROs with final-state-via location). They show live BGP facts,
 * which live on the provider side: the OCI emulator's virtual circuit behind the service key.
 */
export type TableKind = "arpTables" | "routeTables" | "routeTablesSummary";

export function listTable(ctx: Ctx, kind: TableKind, link: ProviderLink | undefined): Reply {
  const { net, scope } = ctx;
  const circuit = net.require(scope, "expressRouteCircuits", ctx.names[0] as string);
  const peeringId = `${circuit.id}/peerings/${ctx.names[1] as string}`;
  const peering = net.get(peeringId);
  if (!peering) throw new ArmError(404, "NotFound", `Resource ${peeringId} not found.`);
  const devicePath = (ctx.names[2] ?? "").toLowerCase();
  const index = DEVICE_PATHS.indexOf(devicePath as (typeof DEVICE_PATHS)[number]);
  if (index < 0) throw badRequest("InvalidDevicePath", `Device path '${ctx.names[2] ?? ""}' is not valid; use 'primary' or 'secondary'.`);

  const vc = liveVirtualCircuit(link, String(circuit.properties.serviceKey));
  const result = { value: rows(kind, peering, vc, index, net.clock.now()) };
  const op = net.startOperation(circuit.location ?? "global");
  op.result = result;
  net.schedule({ at: net.clock.now() + net.durations.tableQuery, action: "finish", resourceId: peering.id, operationId: op.id });
  return { status: 202, headers: net.lroHeaders(scope.subscriptionId, op, "location") };
}

function liveVirtualCircuit(link: ProviderLink | undefined, serviceKey: string): VirtualCircuitForProvider | undefined {
  try {
    return link?.oci.describeVirtualCircuit(serviceKey);
  } catch {
    // No OCI side registered: nothing is on the other end of the wire.
    return undefined;
  }
}

function rows(kind: TableKind, peering: ArmResource, vc: VirtualCircuitForProvider | undefined, index: number, now: number): unknown[] {
  // A session down on one path (one Oracle router or MSEE) leaves the other path, and the virtual circuit, up.
  const bgpUp = vc?.lifecycleState === "PROVISIONED" && vc.bgpSessionState === "UP" && !vc.pathsDown.includes(DEVICE_PATHS[index]!);
  const mapping = vc?.crossConnectMappings[index];
  const prefix = String(peering.properties[index === 0 ? "primaryPeerAddressPrefix" : "secondaryPeerAddressPrefix"] ?? "");
  switch (kind) {
    case "arpTables": {
      // Microsoft's own interface always answers; the peer's entry appears only while its side is up.
      const own = mapping ? stripMask(mapping.customerBgpPeeringIp) : secondAddressOf(prefix);
      const entries: unknown[] = [];
      if (bgpUp && mapping)
        entries.push({
          age: 10,
          interface: "On-Prem",
          ipAddress: stripMask(mapping.oracleBgpPeeringIp),
          macAddress: macFor(mapping.oracleBgpPeeringIp),
        });
      if (own) entries.push({ age: 0, interface: "Microsoft", ipAddress: own, macAddress: macFor(own) });
      return entries;
    }
    case "routeTables":
      if (!bgpUp || !mapping) return [];
      return vc.advertisedPrefixes.map((network) => ({
        network,
        nextHop: stripMask(mapping.oracleBgpPeeringIp),
        locPrf: "",
        weight: 0,
        path: String(vc.oracleBgpAsn),
      }));
    case "routeTablesSummary":
      if (!mapping) return [];
      return [
        {
          neighbor: stripMask(mapping.oracleBgpPeeringIp),
          v: 4,
          as: vc?.oracleBgpAsn ?? 31898,
          upDown: bgpUp ? uptime(now, peering) : "never",
          statePfxRcd: bgpUp ? String(vc?.advertisedPrefixes.length ?? 0) : "Idle",
        },
      ];
  }
}

/** 192.168.100.0/30 → 192.168.100.2 (Azure's side of the /30 in this interconnect's addressing). */
function secondAddressOf(prefix: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/30$/.exec(prefix);
  if (!m) return undefined;
  return `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 2}`;
}

/** Stable per-address MAC in the dotted Cisco notation ARM shows. */
function macFor(ip: string): string {
  const octets = stripMask(ip)
    .split(".")
    .map((o) => Number(o).toString(16).padStart(2, "0"));
  return `0050.${octets[0]}${octets[1]}.${octets[2]}${octets[3]}`;
}

function uptime(now: number, peering: ArmResource): string {
  const since = Number(peering.internal?.createdAt ?? now);
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}
