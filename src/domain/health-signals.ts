import type { DesiredSnapshot } from "./desired-snapshot";
import type { FindingCode, FindingDraft, FindingSeverity, Remedy } from "./health";
import type { ControlPlaneObservation } from "./observation";

/**
 * The control-plane states of both clouds against what healthy means (day2-operations.md §1.6, §1.7).
 * Only two states are repaired automatically, both by the ARM GET+PUT refresh of the resource's own body
 * (troubleshoot-failed-state.md): a Failed circuit and a Failed connection. A missing connection is for
 * a person to decide (recreating it restores traffic someone may have cut off on purpose).
 */
export function controlPlaneFindings(desired: DesiredSnapshot, live: ControlPlaneObservation): FindingDraft[] {
  const out: FindingDraft[] = [];
  const add = (
    code: FindingCode,
    subject: string,
    signal: string,
    expected: string,
    observed: string,
    severity: FindingSeverity,
    remedy: Remedy,
    action: string,
  ): void => {
    out.push({ code, subject, tier: "control-plane", signal, expected, observed, severity, remedy, action });
  };

  const c = live.circuit;
  if (!c.found) {
    add(
      "circuit-missing",
      "circuit",
      "expressRouteCircuits GET",
      "the circuit",
      "404",
      "critical",
      "alert-only",
      "The ExpressRoute circuit was deleted outside the service: tear the interconnect down (removes the rest) and provision it again.",
    );
  } else {
    if (c.provisioningState === "Failed") {
      add(
        "circuit-failed",
        "circuit",
        "expressRouteCircuits provisioningState",
        "Succeeded",
        c.provisioningState,
        "warning",
        "auto-repair",
        "A failed write; the circuit usually still forwards traffic. Refresh it: GET the circuit and PUT the same body (AUTO_REPAIR does this); if it fails again, open a case with Microsoft.",
      );
    }
    if (c.circuitProvisioningState !== "Enabled") {
      add(
        "circuit-not-enabled",
        "circuit",
        "expressRouteCircuits circuitProvisioningState",
        "Enabled",
        c.circuitProvisioningState,
        "critical",
        "alert-only",
        "Microsoft's side of the circuit is not enabled: contact Microsoft Support.",
      );
    }
    if (c.serviceProviderProvisioningState !== "Provisioned") {
      add(
        "provider-not-provisioned",
        "circuit",
        "expressRouteCircuits serviceProviderProvisioningState",
        "Provisioned",
        c.serviceProviderProvisioningState,
        "critical",
        "alert-only",
        "The provider deprovisioned the circuit (the virtual circuit was deleted in OCI?) and billing continues. Do not recreate the virtual circuit by hand: tear the interconnect down, or provision it again.",
      );
    }
    if (c.serviceProviderProvisioningState === "Provisioned" && !live.peering.found) {
      add(
        "peering-missing",
        "AzurePrivatePeering",
        "expressRouteCircuitPeerings GET AzurePrivatePeering",
        "the provider's private peering",
        "404",
        "critical",
        "alert-only",
        "The provider-owned private peering is gone; never create it yourself (that overwrites the provider's settings): open a case with Oracle.",
      );
    }
  }
  if (live.peering.found && live.peering.state !== "Enabled") {
    add(
      "peering-drift",
      "state",
      "AzurePrivatePeering state",
      "Enabled",
      live.peering.state,
      "critical",
      "alert-only",
      "The private peering is disabled; it belongs to the provider: open a case with Oracle.",
    );
  }

  const g = live.gateway;
  if (!g.found) {
    add(
      "gateway-missing",
      "gateway",
      "virtualNetworkGateways GET",
      "the ExpressRoute gateway",
      "404",
      "critical",
      "alert-only",
      "The virtual network gateway is gone: tear the interconnect down and provision it again.",
    );
  } else if (g.provisioningState === "Failed") {
    add(
      "gateway-failed",
      "gateway",
      "virtualNetworkGateways provisioningState",
      "Succeeded",
      g.provisioningState,
      "warning",
      "alert-only",
      "A Failed gateway blocks operations on its connections: refresh it in the portal (a long operation) in a maintenance window.",
    );
  }

  const conn = live.connection;
  if (!conn.found) {
    add(
      "connection-missing",
      "connection",
      "connections GET",
      "the gateway connection to the circuit",
      "404",
      "critical",
      "ask",
      "The connection was deleted outside the service; circuit and BGP still look healthy but no traffic flows. Recreate it if that was not deliberate (provisioning again recreates it).",
    );
  } else if (conn.provisioningState === "Failed") {
    add(
      "connection-failed",
      "connection",
      "connections provisioningState",
      "Succeeded",
      conn.provisioningState,
      "warning",
      "auto-repair",
      "Refresh the connection: GET it and PUT the same body (AUTO_REPAIR does this).",
    );
  } else if (conn.connectionStatus !== "Connected" && conn.provisioningState === "Succeeded") {
    add(
      "connection-not-connected",
      "connection",
      "connections connectionStatus",
      "Connected",
      conn.connectionStatus,
      "critical",
      "alert-only",
      "The gateway is not connected to the circuit: check the circuit's and the gateway's states.",
    );
  }

  const vc = live.virtualCircuit;
  if (!vc.found || vc.lifecycleState === "TERMINATING" || vc.lifecycleState === "TERMINATED") {
    add(
      "virtual-circuit-missing",
      "virtualCircuit",
      "virtualCircuit lifecycleState",
      "PROVISIONED",
      vc.found ? vc.lifecycleState : "404",
      "critical",
      "alert-only",
      "The FastConnect virtual circuit was deleted behind the service's back; the circuit keeps billing. A new one with the same key is a fresh provisioning: tear the interconnect down, or provision it again.",
    );
  } else {
    if (vc.lifecycleState !== "PROVISIONED") {
      add(
        "virtual-circuit-not-provisioned",
        "virtualCircuit",
        "virtualCircuit lifecycleState",
        "PROVISIONED",
        vc.lifecycleState,
        "critical",
        "alert-only",
        "Refresh the ExpressRoute circuit (GET+PUT), make sure no stray connections exist, then see OCI's FastConnect troubleshooting; open a case with Oracle if it stays.",
      );
    }
    if (vc.providerState !== "ACTIVE") {
      add(
        "provider-inactive",
        "virtualCircuit",
        "virtualCircuit providerState",
        "ACTIVE",
        vc.providerState,
        "critical",
        "alert-only",
        "Microsoft (the provider) has not provisioned or has de-provisioned its side: check the circuit's serviceProviderProvisioningState.",
      );
    }
    if (vc.bgpAdminState !== "ENABLED") {
      add(
        "bgp-admin-disabled",
        "virtualCircuit",
        "virtualCircuit bgpAdminState",
        "ENABLED",
        vc.bgpAdminState,
        "critical",
        "alert-only",
        "The virtual circuit was deactivated (BGP and traffic suspended); re-enable it in OCI if that was not deliberate.",
      );
    }
    if (vc.lifecycleState === "PROVISIONED" && vc.bgpSessionState !== "UP") {
      add(
        "bgp-down",
        "virtualCircuit",
        "virtualCircuit bgpSessionState",
        "UP",
        vc.bgpSessionState,
        "critical",
        "alert-only",
        "BGP is down on both paths: check Azure Service Health and OCI announcements for maintenance, then open cases with both clouds.",
      );
    }
  }

  if (!live.drg.found || live.drg.lifecycleState !== "AVAILABLE") {
    add(
      "drg-unavailable",
      "drg",
      "drg lifecycleState",
      "AVAILABLE",
      live.drg.found ? live.drg.lifecycleState : "404",
      "critical",
      "alert-only",
      `The DRG ${desired.virtualCircuit.drgId} is gone or going: tear the interconnect down and provision it again.`,
    );
  }
  const att = live.drgAttachment;
  if (!att.found || att.lifecycleState !== "ATTACHED") {
    add(
      "drg-attachment-missing",
      "drgAttachment",
      "drgAttachment lifecycleState",
      "ATTACHED",
      att.found ? att.lifecycleState : "404",
      "critical",
      "alert-only",
      "The VCN is no longer attached to the DRG (a neighbour's teardown?): no traffic reaches the VCN. Attach it again (a re-attach changes routing for everything on that DRG), or provision again.",
    );
  }
  return out;
}
