import type { ArmIncident } from "../shared/incidents";
import { ArmError } from "./errors";
import type { ArmNetwork } from "./network";
import { TYPES } from "./resources/common";
import type { ArmResource } from "./state";

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
  }
}

function resourceOf(net: ArmNetwork, id: string, type: string): ArmResource {
  const r = net.get(id);
  if (!r || r.type !== type) throw new ArmError(404, "NotFound", `No ${type} ${id} in the emulator.`);
  return r;
}
