import type { AzureScope, InterconnectResources, OciScope, OpContext, Operation } from "../contracts";
import type { AdoptedNames } from "../domain/resources";
import type { WorkflowSpec } from "./names";
import type { RemovableKind, RemovalTarget } from "./removal-graph";
import { defined } from "./run";

/** Where the interconnect lives on each cloud, as every activity input names it. */
export function scopesOf(spec: Pick<WorkflowSpec, "azure" | "oci">): { azure: AzureScope; oci: OciScope } {
  return {
    azure: { subscriptionId: spec.azure.subscriptionId, resourceGroup: spec.azure.resourceGroup },
    oci: { region: spec.oci.region, compartmentId: spec.oci.compartmentId },
  };
}

/** Who and what every activity call of this orchestration belongs to. */
export function opContextOf(
  input: { name: string; actor: string; ticketRef?: string; names?: AdoptedNames },
  operation: Operation,
  instanceId: string,
): OpContext {
  return {
    interconnect: input.name,
    instanceId,
    operation,
    actor: input.actor,
    ...(input.ticketRef !== undefined ? { ticketRef: input.ticketRef } : {}),
    ...(input.names !== undefined ? { names: input.names } : {}),
  };
}

/** What the remover needs: the spec's scopes and networks, the ids the record holds. */
export function removalTargetOf(
  spec: Pick<WorkflowSpec, "azure" | "oci" | "monitor">,
  resources: InterconnectResources,
  include: readonly RemovableKind[],
  extra: { watchLateVirtualCircuit?: boolean; gatewayStartedAt?: string } = {},
): RemovalTarget {
  return {
    ...scopesOf(spec),
    virtualNetworkName: spec.azure.virtualNetwork.name,
    vcnId: spec.oci.vcnId,
    ...defined({
      routeTableId: resources.routeTableId,
      virtualCircuitId: resources.virtualCircuitId,
      drgId: resources.drgId,
      drgAttachmentId: resources.drgAttachmentId,
      gatewayId: resources.gatewayId,
      gatewayPublicIpId: resources.gatewayPublicIpId,
      gatewaySubnetId: resources.gatewaySubnetId,
      routedPrefixes: resources.routedPrefixes,
      owned: resources.owned,
      ...extra,
    }),
    ...(spec.monitor !== undefined
      ? {
          connectionMonitor: defined({ id: resources.connectionMonitorId, region: spec.azure.location }) as { id?: string; region: string },
        }
      : {}),
    include,
  };
}
