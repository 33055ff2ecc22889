import type { AzureScope, CircuitObservation, OciScope, VirtualCircuitObservation } from "../contracts";
import { ORACLE_BGP_ASN } from "../domain/skus";
import type { WorkflowBgpPlan } from "./names";
import { pollUntil } from "./poll";
import type { Flow, WorkflowRun } from "./run";

interface ProviderSides {
  vc: VirtualCircuitObservation;
  er: CircuitObservation | null;
}

/**
 * DESIGN.md step 6: Oracle's side (virtual circuit PROVISIONED, provider ACTIVE, BGP UP), then
 * Azure's (circuit Provisioned with the AzurePrivatePeering the provider made, peer ASN 31898).
 * Azure learns Provisioned from Oracle, so the circuit is read only once Oracle's side is done.
 */
export function* awaitProvider(
  run: WorkflowRun,
  at: {
    azure: AzureScope;
    oci: OciScope;
    virtualCircuit: VirtualCircuitObservation & { found: true };
    since: Date;
    bgpPlan: WorkflowBgpPlan;
  },
): Flow<void> {
  const { azure, oci, bgpPlan } = at;
  const vcRef = { virtualCircuitId: at.virtualCircuit.virtualCircuitId };
  yield* pollUntil(run, {
    step: "provider",
    wait: "provider",
    waitingFor: "virtual circuit PROVISIONED + provider ACTIVE + BGP UP and circuit Provisioned with AzurePrivatePeering",
    deadlineMinutes: run.timing.providerDeadlineMinutes,
    startedAt: at.since,
    initiallyObserved: describeProvider({ vc: at.virtualCircuit, er: null }),
    observe: function* (): Flow<ProviderSides> {
      const vc = yield* run.call("provider", "ociGetVirtualCircuit", { oci, ...vcRef });
      const er = oracleSideUp(vc) ? yield* run.call("provider", "azureGetCircuit", { azure }) : null;
      return { vc, er };
    },
    describe: describeProvider,
    done: ({ vc, er }) =>
      oracleSideUp(vc) &&
      er !== null &&
      er.found &&
      er.serviceProviderProvisioningState === "Provisioned" &&
      er.privatePeering?.provisioningState === "Succeeded" &&
      er.privatePeering.peerASN === ORACLE_BGP_ASN,
    broken: ({ vc, er }) => {
      if (!vc.found) return "the virtual circuit disappeared";
      if (vc.lifecycleState === "FAILED" || vc.lifecycleState === "INACTIVE")
        return `the virtual circuit is ${vc.lifecycleState}${vc.reason ? `: ${vc.reason}` : ""}`;
      if (er === null) return undefined;
      if (!er.found) return "the circuit disappeared";
      const peering = er.privatePeering;
      // Only the provider creates this peering, with Oracle's ASN: another ASN is someone's hand-made peering, whose BGP never reaches the VCN.
      if (peering && peering.provisioningState === "Succeeded" && peering.peerASN !== ORACLE_BGP_ASN) {
        return `AzurePrivatePeering has peer ASN ${peering.peerASN ?? "none"}, not Oracle's ${ORACLE_BGP_ASN}: it was not created by the provider`;
      }
      if (peering && peering.primaryPeerAddressPrefix !== null && peering.primaryPeerAddressPrefix !== bgpPlan.primary.cidr) {
        return `the provider configured AzurePrivatePeering with ${peering.primaryPeerAddressPrefix}, expected ${bgpPlan.primary.cidr}`;
      }
      if (peering && peering.secondaryPeerAddressPrefix !== null && peering.secondaryPeerAddressPrefix !== bgpPlan.secondary.cidr) {
        return `the provider configured AzurePrivatePeering with ${peering.secondaryPeerAddressPrefix}, expected ${bgpPlan.secondary.cidr}`;
      }
      return undefined;
    },
  });
}

function oracleSideUp(vc: VirtualCircuitObservation): boolean {
  return vc.found && vc.lifecycleState === "PROVISIONED" && vc.providerState === "ACTIVE" && vc.bgpSessionState === "UP";
}

function describeProvider({ vc, er }: ProviderSides): string {
  const left = vc.found
    ? `virtual circuit ${vc.lifecycleState}, provider ${vc.providerState}, BGP ${vc.bgpSessionState}`
    : "virtual circuit not found";
  if (er === null) return `${left}; circuit not read until Oracle's side is up`;
  const right = er.found
    ? `circuit ${er.serviceProviderProvisioningState}, ${er.privatePeering ? `AzurePrivatePeering ${er.privatePeering.provisioningState}` : "no AzurePrivatePeering"}`
    : "circuit not found";
  return `${left}; ${right}`;
}
