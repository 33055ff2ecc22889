import type { AzureProviderSide, CircuitForProvider, ProviderPeeringConfig } from "../shared/provider-link";
import type { ArmNetwork } from "./network";
import { azurePorts, linkingConnections, PRIVATE_PEERING } from "./resources/circuits";
import { TYPES, newResource, refId, sameId } from "./resources/common";
import { peeringProblem } from "./resources/connections";
import { vnetIdOf } from "./resources/gateways";
import type { ArmResource, Transition } from "./state";

/** Applies one due transition (see ArmNetwork.settle). */
export function applyTransition(net: ArmNetwork, t: Transition): void {
  const r = net.get(t.resourceId);
  switch (t.action) {
    case "succeed": {
      if (r?.type === TYPES.connections) {
        const circuit = net.get(refId(r.properties.peer) ?? "");
        const problem = peeringProblem(circuit, circuit ? hasPrivatePeering(net, circuit) : false);
        if (problem) return fail(net, r, t, problem);
        net.schedule({ at: t.at + net.durations.connectionConnect, action: "connect", resourceId: r.id });
      }
      if (r && r.properties.provisioningState === "Updating") {
        r.properties.provisioningState = "Succeeded";
        for (const child of [...net.childrenOf(r.id, TYPES.subnets), ...net.childrenOf(r.id, TYPES.peerings)]) {
          if (child.properties.provisioningState === "Updating") child.properties.provisioningState = "Succeeded";
        }
        net.put(r);
      }
      return net.completeOperation(t.operationId, t.at);
    }
    case "remove":
      if (r) net.removeTree(r.id);
      return net.completeOperation(t.operationId, t.at);
    case "fail":
      return fail(net, r, t, t.error ?? { code: "InternalServerError", message: "The operation failed." });
    case "reject":
      return net.completeOperation(t.operationId, t.at, { error: t.error, failureStatus: t.failureStatus });
    case "finish":
      return net.completeOperation(t.operationId, t.at);
    case "connect":
      if (r && r.properties.provisioningState === "Succeeded" && r.properties.connectionStatus === "Connecting") {
        r.properties.connectionStatus = "Connected";
        net.put(r);
      }
      return;
    case "deprovisioned":
      if (r && r.properties.serviceProviderProvisioningState === "Deprovisioning") {
        r.properties.serviceProviderProvisioningState = "NotProvisioned";
        for (const p of net.childrenOf(r.id, TYPES.peerings)) net.removeTree(p.id);
        if (r.internal) delete r.internal.providerGone;
        net.put(r);
      }
      return;
  }
}

function fail(net: ArmNetwork, r: ArmResource | undefined, t: Transition, error: { code: string; message: string }): void {
  if (r) {
    r.properties.provisioningState = "Failed";
    if (r.type === TYPES.connections) r.properties.connectionStatus = "NotConnected";
    net.put(r);
  }
  net.completeOperation(t.operationId, t.at, { error, failureStatus: t.failureStatus ?? 400 });
}

function hasPrivatePeering(net: ArmNetwork, circuit: ArmResource): boolean {
  return net
    .childrenOf(circuit.id, TYPES.peerings)
    .some((p) => p.name === PRIVATE_PEERING && p.properties.provisioningState === "Succeeded");
}

/**
 * Azure's half of the provider link: Oracle's automation (the OCI emulator) moves the circuit's
 * serviceProviderProvisioningState and creates or removes AzurePrivatePeering.
 */
export function azureProviderSide(net: ArmNetwork, settle: () => void): AzureProviderSide {
  const circuitByKey = (serviceKey: string): ArmResource | undefined => {
    settle();
    const k = serviceKey.toLowerCase();
    return net.list((r) => r.type === TYPES.expressRouteCircuits && String(r.properties.serviceKey).toLowerCase() === k)[0];
  };
  const requireCircuit = (serviceKey: string): ArmResource => {
    const c = circuitByKey(serviceKey);
    if (!c) throw new Error(`provider link: no ExpressRoute circuit has service key ${serviceKey}`);
    return c;
  };

  return {
    describeCircuit(serviceKey: string): CircuitForProvider | undefined {
      const c = circuitByKey(serviceKey);
      if (!c) return undefined;
      const sp = c.properties.serviceProviderProperties as {
        serviceProviderName: string;
        peeringLocation: string;
        bandwidthInMbps: number;
      };
      return {
        serviceKey: String(c.properties.serviceKey),
        circuitId: c.id,
        peeringLocation: sp.peeringLocation,
        bandwidthInMbps: sp.bandwidthInMbps,
        serviceProviderName: sp.serviceProviderName,
        serviceProviderProvisioningState: c.properties
          .serviceProviderProvisioningState as CircuitForProvider["serviceProviderProvisioningState"],
      };
    },

    providerProvisioning(serviceKey: string): void {
      const c = requireCircuit(serviceKey);
      if (c.properties.serviceProviderProvisioningState === "NotProvisioned") {
        c.properties.serviceProviderProvisioningState = "Provisioning";
        net.put(c);
      }
    },

    providerProvisioned(serviceKey: string, config: ProviderPeeringConfig): void {
      const c = requireCircuit(serviceKey);
      net.dropPending(c.id, ["deprovisioned"]);
      c.properties.serviceProviderProvisioningState = "Provisioned";
      if (c.internal) delete c.internal.providerGone;
      net.put(c);
      const id = `${c.id}/peerings/${PRIVATE_PEERING}`;
      const p = net.get(id) ?? newResource(id, TYPES.peerings, PRIVATE_PEERING, undefined, {});
      delete p.properties.resourceGuid;
      const sp = c.properties.serviceProviderProperties as { peeringLocation: string };
      Object.assign(p.properties, {
        provisioningState: "Succeeded",
        peeringType: PRIVATE_PEERING,
        azureASN: 12076,
        peerASN: config.peerASN,
        primaryPeerAddressPrefix: config.primaryPeerAddressPrefix,
        secondaryPeerAddressPrefix: config.secondaryPeerAddressPrefix,
        ...azurePorts(sp.peeringLocation),
        state: "Enabled",
        vlanId: config.vlanId,
        gatewayManagerEtag: "",
        lastModifiedBy: "ServiceProvider",
        connections: [],
        peeredConnections: [],
      });
      p.internal = { createdAt: net.clock.now() };
      net.put(p);
    },

    providerDeprovisioning(serviceKey: string): void {
      const c = circuitByKey(serviceKey);
      // The circuit may already be gone (deleted after an earlier deprovisioning); nothing to tell Azure then.
      if (!c || c.properties.serviceProviderProvisioningState === "NotProvisioned") return;
      const links = linkingConnections(net, c.id);
      if (links.length) {
        // The provider tore its side down under a live connection: the "failed state" of the docs.
        c.properties.provisioningState = "Failed";
        c.internal = { ...c.internal, providerGone: true };
        for (const conn of links) {
          conn.properties.connectionStatus = "NotConnected";
          net.put(conn);
        }
        net.put(c);
        return;
      }
      c.properties.serviceProviderProvisioningState = "Deprovisioning";
      net.put(c);
      if (!net.pendingFor(c.id, "deprovisioned")) {
        net.schedule({ at: net.clock.now() + net.durations.circuitDeprovisioningLag, action: "deprovisioned", resourceId: c.id });
      }
    },

    advertisedPrefixes(serviceKey: string): string[] {
      const c = circuitByKey(serviceKey);
      if (!c) return [];
      const connected = net.list(
        (r) => r.type === TYPES.connections && sameId(refId(r.properties.peer), c.id) && r.properties.connectionStatus === "Connected",
      );
      const prefixes = connected.flatMap((conn) => {
        const gateway = net.get(refId(conn.properties.virtualNetworkGateway1) ?? "");
        const ipConfigs = (gateway?.properties.ipConfigurations as { properties: { subnet: { id: string } } }[] | undefined) ?? [];
        return ipConfigs.flatMap((ipc) => {
          const vnet = net.get(vnetIdOf(ipc.properties.subnet.id));
          return (vnet?.properties.addressSpace as { addressPrefixes?: string[] } | undefined)?.addressPrefixes ?? [];
        });
      });
      return [...new Set(prefixes)];
    },
  };
}
