import type { DesiredSnapshot } from "./desired-snapshot";
import type { FindingDraft, Remedy } from "./health";
import type { ControlPlaneObservation } from "./observation";

/**
 * Live properties against the desired snapshot, each difference classified as day2-operations.md §2
 * says. None of these is safe to write back: bandwidth cannot go down, a peering location or provider
 * change needs a new circuit, the peering belongs to the provider, FastPath and virtual-circuit network
 * edits disturb traffic. So they are reported (degraded), never repaired.
 */
interface Difference {
  code: "circuit-drift" | "peering-drift" | "connection-drift" | "virtual-circuit-drift";
  subject: string;
  signal: string;
  expected: string;
  observed: string;
  remedy: Remedy;
  action: string;
}

export function driftFindings(desired: DesiredSnapshot, live: ControlPlaneObservation): FindingDraft[] {
  const out: Difference[] = [];
  const differ = (d: Omit<Difference, "expected" | "observed">, expected: unknown, observed: unknown): void => {
    if (String(expected) !== String(observed)) out.push({ ...d, expected: String(expected), observed: String(observed) });
  };

  if (live.circuit.found) {
    const c = live.circuit;
    const newCircuit =
      "A change of it needs a new circuit and a migration (build, validate, switch, decommission); put it back in the portal only if that is possible, else re-provision.";
    differ(
      {
        code: "circuit-drift",
        subject: "sku.tier",
        signal: "expressRouteCircuits sku.tier",
        remedy: "alert-only",
        action: `Premium→Standard may fail above the Standard limits; otherwise set the tier back. ${newCircuit}`,
      },
      desired.circuit.skuTier,
      c.skuTier,
    );
    differ(
      {
        code: "circuit-drift",
        subject: "sku.family",
        signal: "expressRouteCircuits sku.family",
        remedy: "alert-only",
        action: "MeteredData→UnlimitedData cannot be undone; update the spec's circuitSku to what the circuit now is.",
      },
      desired.circuit.skuFamily,
      c.skuFamily,
    );
    differ(
      {
        code: "circuit-drift",
        subject: "bandwidthInMbps",
        signal: "expressRouteCircuits serviceProviderProperties.bandwidthInMbps",
        remedy: "alert-only",
        action: `A circuit's bandwidth cannot be decreased; the virtual circuit's shape must match it. ${newCircuit}`,
      },
      desired.circuit.bandwidthInMbps,
      c.bandwidthInMbps,
    );
    differ(
      {
        code: "circuit-drift",
        subject: "peeringLocation",
        signal: "expressRouteCircuits serviceProviderProperties.peeringLocation",
        remedy: "alert-only",
        action: newCircuit,
      },
      desired.circuit.peeringLocation,
      c.peeringLocation,
    );
    differ(
      {
        code: "circuit-drift",
        subject: "serviceProviderName",
        signal: "expressRouteCircuits serviceProviderProperties.serviceProviderName",
        remedy: "alert-only",
        action: newCircuit,
      },
      desired.circuit.serviceProviderName,
      c.serviceProviderName,
    );
  }
  if (live.peering.found) {
    const p = live.peering;
    const providerOwned =
      "The provider owns AzurePrivatePeering: never write it (that overwrites the provider's settings). Open a case with Oracle.";
    differ(
      { code: "peering-drift", subject: "peerASN", signal: "AzurePrivatePeering peerASN", remedy: "alert-only", action: providerOwned },
      desired.peering.peerASN,
      p.peerASN,
    );
    differ(
      {
        code: "peering-drift",
        subject: "primaryPeerAddressPrefix",
        signal: "AzurePrivatePeering primaryPeerAddressPrefix",
        remedy: "alert-only",
        action: providerOwned,
      },
      desired.peering.primaryPeerAddressPrefix,
      p.primaryPeerAddressPrefix,
    );
    differ(
      {
        code: "peering-drift",
        subject: "secondaryPeerAddressPrefix",
        signal: "AzurePrivatePeering secondaryPeerAddressPrefix",
        remedy: "alert-only",
        action: providerOwned,
      },
      desired.peering.secondaryPeerAddressPrefix,
      p.secondaryPeerAddressPrefix,
    );
  }
  if (live.connection.found) {
    differ(
      {
        code: "connection-drift",
        subject: "expressRouteGatewayBypass",
        signal: "connections expressRouteGatewayBypass (FastPath)",
        remedy: "alert-only",
        action: `Set expressRouteGatewayBypass back to ${String(desired.connection.fastPath)} on the connection in a maintenance window (its effect on flowing traffic is undocumented).`,
      },
      desired.connection.fastPath,
      live.connection.fastPath,
    );
  }
  if (live.virtualCircuit.found) {
    const networkEdit =
      "Network-related edits move the virtual circuit to PROVISIONING and may take BGP down; change it back in a maintenance window.";
    differ(
      {
        code: "virtual-circuit-drift",
        subject: "bandwidthShapeName",
        signal: "virtualCircuit bandwidthShapeName",
        remedy: "alert-only",
        action: `The shape must match the circuit's bandwidth (${desired.circuit.bandwidthInMbps} Mbps). ${networkEdit}`,
      },
      desired.virtualCircuit.bandwidthShapeName,
      live.virtualCircuit.bandwidthShapeName,
    );
    differ(
      {
        code: "virtual-circuit-drift",
        subject: "gatewayId",
        signal: "virtualCircuit gatewayId (DRG)",
        remedy: "alert-only",
        action: `The virtual circuit no longer uses the interconnect's DRG. ${networkEdit}`,
      },
      desired.virtualCircuit.drgId,
      live.virtualCircuit.gatewayId,
    );
  }
  return out.map((d) => ({ ...d, tier: "control-plane", severity: "warning" }));
}
