import type { DesiredSnapshot } from "./desired-snapshot";
import type { FindingDraft } from "./health";
import { type ControlPlaneObservation, DEVICE_PATHS, type RouteObservation, bgpEstablished } from "./observation";

/**
 * The route-level checks that catch the failures BGP stays green through (day2-operations.md §1.7):
 * per path, ARP and the BGP summary, and the VCN prefixes learned on it; the VCN route rules this service
 * created (re-added by auto-repair, with if-match, as it created them); every VNet prefix routed back from
 * the VCN (a grown address space is reported with the exact rule); the DRG's VIRTUAL_CIRCUIT routes.
 */
export function routeFindings(desired: DesiredSnapshot, routes: RouteObservation, live: ControlPlaneObservation): FindingDraft[] {
  const out: FindingDraft[] = [];
  const route = (d: Omit<FindingDraft, "tier">): void => void out.push({ ...d, tier: "routes" });

  const down = DEVICE_PATHS.filter((p) => !routes.paths[p].arpPeer || !bgpEstablished(routes.paths[p].statePfxRcd));
  for (const path of down) {
    const p = routes.paths[path];
    const both = down.length === DEVICE_PATHS.length;
    route({
      code: "path-down",
      subject: path,
      signal: `AzurePrivatePeering ${path}: ARP table and routeTablesSummary statePfxRcd`,
      expected: "an On-Prem ARP entry and a numeric statePfxRcd",
      observed: `ARP peer ${p.arpPeer ? "present" : "missing"}, statePfxRcd ${p.statePfxRcd || "(none)"}`,
      severity: both ? "critical" : "warning",
      remedy: "alert-only",
      action: both
        ? "Both paths are down: no traffic flows. Check Azure Service Health and OCI announcements, then open cases with both clouds."
        : `Traffic continues on the other path. Check for announced maintenance (Oracle gives 14 days' notice); if none, open a case with Microsoft (no ARP at all) or Oracle (the On-Prem entry missing).`,
    });
  }
  for (const path of DEVICE_PATHS) {
    const p = routes.paths[path];
    if (down.includes(path)) continue;
    for (const prefix of desired.vcnPrefixes.filter((x) => !p.routes.includes(x))) {
      route({
        code: "path-route-missing",
        subject: `${path} ${prefix}`,
        signal: `AzurePrivatePeering ${path} routeTables`,
        expected: `${prefix} from Oracle (AS 31898)`,
        observed: "not learned",
        severity: "warning",
        remedy: "alert-only",
        action: `Oracle no longer advertises the VCN CIDR ${prefix} on the ${path} path: check the DRG's export distribution and the VCN attachment.`,
      });
    }
  }

  const rules = desired.routeRules;
  const routed = new Set((routes.vcnRouteRules ?? []).filter((r) => r.networkEntityId === rules.networkEntityId).map((r) => r.destination));
  const tableGone = routes.vcnRouteRules === undefined;
  for (const destination of rules.destinations.filter((d) => !routed.has(d))) {
    route({
      code: "route-rule-missing",
      subject: destination,
      signal: `VCN route table ${rules.routeTableId} routeRules`,
      expected: `${destination} → ${rules.networkEntityId}`,
      observed: tableGone ? "route table not found" : "no such rule",
      severity: "critical",
      remedy: tableGone ? "alert-only" : "auto-repair",
      action: tableGone
        ? `The VCN route table ${rules.routeTableId} is gone: provision the interconnect again.`
        : `Traffic from the VCN to ${destination} has no way back. Add route rule destination ${destination}, destinationType CIDR_BLOCK, networkEntityId ${rules.networkEntityId} to route table ${rules.routeTableId} (AUTO_REPAIR re-adds it, as the service created it).`,
    });
  }
  const vnetPrefixes = live.virtualNetwork.found ? live.virtualNetwork.addressPrefixes : [];
  if (!tableGone) {
    for (const prefix of vnetPrefixes.filter((p) => !rules.destinations.includes(p) && !routed.has(p))) {
      route({
        code: "vnet-prefix-unrouted",
        subject: prefix,
        signal: "virtualNetworks addressSpace.addressPrefixes against the VCN route table",
        expected: `a route rule ${prefix} → ${rules.networkEntityId}`,
        observed: "the VNet grew; the gateway advertises it, the VCN has no route for it",
        severity: "warning",
        remedy: "auto-repair",
        action: `Add route rule destination ${prefix}, destinationType CIDR_BLOCK, networkEntityId ${rules.networkEntityId} to route table ${rules.routeTableId} (AUTO_REPAIR adds it), or leave it out deliberately.`,
      });
    }
  }

  if (routes.drgVirtualCircuitRoutes !== undefined) {
    const learned = new Set(routes.drgVirtualCircuitRoutes);
    const missing = vnetPrefixes.filter((p) => !learned.has(p));
    for (const prefix of missing) {
      route({
        code: "drg-route-missing",
        subject: prefix,
        signal: "DRG route table of the VCN attachment: VIRTUAL_CIRCUIT rules",
        expected: `${prefix} learned over the virtual circuit`,
        observed: "not learned",
        severity: missing.length === vnetPrefixes.length ? "critical" : "warning",
        remedy: "alert-only",
        action:
          "Azure does not advertise this VNet prefix to Oracle: check the gateway connection (deleted or not Connected?) and the gateway's advertised routes.",
      });
    }
  }
  return out;
}
