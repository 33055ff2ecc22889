import type { ArmIncident } from "../shared/incidents";
import { ArmError } from "./errors";
import type { ArmNetwork } from "./network";
import { TYPES } from "./resources/common";
import type { ArmResource } from "./state";
import { EXTENSION_TYPE } from "./resources/compute";
import { CONNECTION_MONITOR_TYPE, type MonitorResult, NETWORK_WATCHER_TYPE, monitorResults } from "./resources/network-watchers";

/** Applies a day-2 incident to the ARM state at once and answers the resource as it now is (or what was removed). */
export function applyArmIncident(net: ArmNetwork, incident: ArmIncident): unknown {
  switch (incident.kind) {
    case "connectionDeleted": {
      const c = resourceOf(net, incident.connectionId, TYPES.connections);
      net.dropPending(c.id, ["succeed", "connect", "fail", "remove"]);
      net.removeTree(c.id);
      return { removed: c.id };
    }
    case "connectionFailed": {
      const c = resourceOf(net, incident.connectionId, TYPES.connections);
      net.dropPending(c.id, ["succeed", "connect"]);
      c.properties.provisioningState = "Failed";
      c.properties.connectionStatus = "NotConnected";
      return net.put(c);
    }
    case "circuitFailed": {
      const c = resourceOf(net, incident.circuitId, TYPES.expressRouteCircuits);
      net.dropPending(c.id, ["succeed"]);
      c.properties.provisioningState = "Failed";
      return net.put(c);
    }
    case "virtualNetworkPrefixAdded": {
      const v = resourceOf(net, incident.virtualNetworkId, TYPES.virtualNetworks);
      const space = v.properties.addressSpace as { addressPrefixes: string[] };
      if (!space.addressPrefixes.includes(incident.prefix)) space.addressPrefixes = [...space.addressPrefixes, incident.prefix];
      return net.put(v);
    }
    case "connectionMonitorResults": {
      const cm = resourceOf(net, incident.connectionMonitorId, CONNECTION_MONITOR_TYPE);
      const results = { ...((cm.internal?.results ?? {}) as Record<string, MonitorResult>) };
      const result = { checksFailedPercent: incident.checksFailedPercent, roundTripTimeMs: incident.roundTripTimeMs };
      if (incident.testConfiguration === undefined) {
        for (const k of Object.keys(results)) delete results[k];
        results["*"] = result;
      } else results[incident.testConfiguration] = result;
      cm.internal = { ...cm.internal, results };
      net.put(cm);
      return { connectionMonitorId: cm.id, results: Object.fromEntries(monitorResults(cm)) };
    }
    case "connectionMonitorDeleted": {
      const cm = resourceOf(net, incident.connectionMonitorId, CONNECTION_MONITOR_TYPE);
      net.dropPending(cm.id, ["succeed", "remove"]);
      net.removeTree(cm.id);
      return { removed: cm.id };
    }
    case "networkWatcherDeleted": {
      const nw = resourceOf(net, incident.networkWatcherId, NETWORK_WATCHER_TYPE);
      net.removeTree(nw.id);
      return { removed: nw.id };
    }
    case "virtualMachineExtensionRemoved": {
      const ext = resourceOf(net, `${incident.virtualMachineId}/extensions/${incident.extension}`, EXTENSION_TYPE);
      net.removeTree(ext.id);
      return { removed: ext.id };
    }
  }
}

function resourceOf(net: ArmNetwork, id: string, type: string): ArmResource {
  const r = net.get(id);
  if (!r || r.type !== type) throw new ArmError(404, "NotFound", `No ${type} ${id} in the emulator.`);
  return r;
}
