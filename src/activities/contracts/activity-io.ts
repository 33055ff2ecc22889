/**
 * Every activity's name and its input/output pair, in one place: registration (df.app.activity) and
 * the workflows' calls (context.df.callActivity) are typed from here.
 */
import type { AzureDeleteCircuitInput, AzureEnsureCircuitInput, AzureGetCircuitInput, AzureReadPeeringTablesInput, CircuitObservation, PeeringTables } from "./circuit";
import type { DeleteOutcome } from "./common";
import type { AzureDeleteConnectionInput, AzureEnsureConnectionInput, AzureGetConnectionInput, ConnectionObservation } from "./connection";
import type {
  AzureDeleteGatewayInput,
  AzureDeleteGatewaySubnetInput,
  AzureEnsureGatewayInput,
  AzureEnsureGatewaySubnetInput,
  AzureGetGatewayInput,
  GatewayObservation,
  GatewaySubnetResult,
} from "./gateway";
import type {
  DrgAttachmentObservation,
  DrgObservation,
  OciDeleteDrgAttachmentInput,
  OciDeleteDrgInput,
  OciDeleteVirtualCircuitInput,
  OciEnsureDrgAttachmentInput,
  OciEnsureDrgInput,
  OciEnsureRouteRulesInput,
  OciEnsureVirtualCircuitInput,
  OciGetDrgAttachmentInput,
  OciGetDrgInput,
  OciGetVirtualCircuitInput,
  OciRemoveRouteRulesInput,
  RouteRulesResult,
  VirtualCircuitObservation,
} from "./oci";
import type {
  AzureReadProviderOfferInput,
  AzureReadVirtualNetworkInput,
  DrgSummary,
  OciReadDrgInput,
  OciReadProviderServiceInput,
  OciReadVcnInput,
  ProviderOffer,
  ProviderServiceSummary,
  VcnSummary,
  VirtualNetworkSummary,
} from "./preflight";
import type { ResourceUsage, ResourceUsageReadInput } from "./plan";
import type { AuditAppendInput, RecordReadInput, RecordSnapshot, RecordUpdateInput, RecordUpdateResult } from "./record";
import type { ProvisioningInstanceState, ProvisioningInstanceStateInput } from "./task-hub";

export const ACTIVITY = {
  // pre-flight reads
  azureReadVirtualNetwork: "azureReadVirtualNetwork",
  azureReadProviderOffer: "azureReadProviderOffer",
  ociReadVcn: "ociReadVcn",
  ociReadProviderService: "ociReadProviderService",
  ociReadDrg: "ociReadDrg",
  // ensure (get-or-create, start and return at once)
  azureEnsureGatewaySubnet: "azureEnsureGatewaySubnet",
  azureEnsureGateway: "azureEnsureGateway",
  ociEnsureDrg: "ociEnsureDrg",
  ociEnsureDrgAttachment: "ociEnsureDrgAttachment",
  azureEnsureCircuit: "azureEnsureCircuit",
  ociEnsureVirtualCircuit: "ociEnsureVirtualCircuit",
  ociEnsureRouteRules: "ociEnsureRouteRules",
  azureEnsureConnection: "azureEnsureConnection",
  // observe (one GET each; "not found" is a value)
  azureGetGateway: "azureGetGateway",
  ociGetDrg: "ociGetDrg",
  ociGetDrgAttachment: "ociGetDrgAttachment",
  azureGetCircuit: "azureGetCircuit",
  ociGetVirtualCircuit: "ociGetVirtualCircuit",
  azureGetConnection: "azureGetConnection",
  azureReadPeeringTables: "azureReadPeeringTables",
  // delete (idempotent; already gone = deleted)
  azureDeleteConnection: "azureDeleteConnection",
  ociDeleteVirtualCircuit: "ociDeleteVirtualCircuit",
  azureDeleteCircuit: "azureDeleteCircuit",
  ociRemoveRouteRules: "ociRemoveRouteRules",
  ociDeleteDrgAttachment: "ociDeleteDrgAttachment",
  ociDeleteDrg: "ociDeleteDrg",
  azureDeleteGateway: "azureDeleteGateway",
  azureDeleteGatewaySubnet: "azureDeleteGatewaySubnet",
  // the task hub (durable client binding)
  provisioningInstanceState: "provisioningInstanceState",
  // the plan's read of which resources other interconnects use (the store)
  resourceUsageRead: "resourceUsageRead",
  // record and audit (the store)
  recordRead: "recordRead",
  recordUpdate: "recordUpdate",
  auditAppend: "auditAppend",
} as const;

export type ActivityName = (typeof ACTIVITY)[keyof typeof ACTIVITY];

export interface ActivityIO {
  azureReadVirtualNetwork: { input: AzureReadVirtualNetworkInput; output: VirtualNetworkSummary };
  azureReadProviderOffer: { input: AzureReadProviderOfferInput; output: ProviderOffer };
  ociReadVcn: { input: OciReadVcnInput; output: VcnSummary };
  ociReadProviderService: { input: OciReadProviderServiceInput; output: ProviderServiceSummary };
  ociReadDrg: { input: OciReadDrgInput; output: DrgSummary };
  azureEnsureGatewaySubnet: { input: AzureEnsureGatewaySubnetInput; output: GatewaySubnetResult };
  azureEnsureGateway: { input: AzureEnsureGatewayInput; output: GatewayObservation };
  ociEnsureDrg: { input: OciEnsureDrgInput; output: DrgObservation };
  ociEnsureDrgAttachment: { input: OciEnsureDrgAttachmentInput; output: DrgAttachmentObservation };
  azureEnsureCircuit: { input: AzureEnsureCircuitInput; output: CircuitObservation };
  ociEnsureVirtualCircuit: { input: OciEnsureVirtualCircuitInput; output: VirtualCircuitObservation };
  ociEnsureRouteRules: { input: OciEnsureRouteRulesInput; output: RouteRulesResult };
  azureEnsureConnection: { input: AzureEnsureConnectionInput; output: ConnectionObservation };
  azureGetGateway: { input: AzureGetGatewayInput; output: GatewayObservation };
  ociGetDrg: { input: OciGetDrgInput; output: DrgObservation };
  ociGetDrgAttachment: { input: OciGetDrgAttachmentInput; output: DrgAttachmentObservation };
  azureGetCircuit: { input: AzureGetCircuitInput; output: CircuitObservation };
  ociGetVirtualCircuit: { input: OciGetVirtualCircuitInput; output: VirtualCircuitObservation };
  azureGetConnection: { input: AzureGetConnectionInput; output: ConnectionObservation };
  azureReadPeeringTables: { input: AzureReadPeeringTablesInput; output: PeeringTables };
  azureDeleteConnection: { input: AzureDeleteConnectionInput; output: DeleteOutcome };
  ociDeleteVirtualCircuit: { input: OciDeleteVirtualCircuitInput; output: DeleteOutcome };
  azureDeleteCircuit: { input: AzureDeleteCircuitInput; output: DeleteOutcome };
  ociRemoveRouteRules: { input: OciRemoveRouteRulesInput; output: DeleteOutcome };
  ociDeleteDrgAttachment: { input: OciDeleteDrgAttachmentInput; output: DeleteOutcome };
  ociDeleteDrg: { input: OciDeleteDrgInput; output: DeleteOutcome };
  azureDeleteGateway: { input: AzureDeleteGatewayInput; output: DeleteOutcome };
  azureDeleteGatewaySubnet: { input: AzureDeleteGatewaySubnetInput; output: DeleteOutcome };
  provisioningInstanceState: { input: ProvisioningInstanceStateInput; output: ProvisioningInstanceState };
  resourceUsageRead: { input: ResourceUsageReadInput; output: ResourceUsage };
  recordRead: { input: RecordReadInput; output: RecordSnapshot };
  recordUpdate: { input: RecordUpdateInput; output: RecordUpdateResult };
  auditAppend: { input: AuditAppendInput; output: null };
}

export type ActivityInput<N extends ActivityName> = ActivityIO[N]["input"];
export type ActivityOutput<N extends ActivityName> = ActivityIO[N]["output"];

/** Compile-time proof that every activity name has its input/output pair and vice versa. */
export const ACTIVITY_IO_COMPLETE: [ActivityName] extends [keyof ActivityIO]
  ? [keyof ActivityIO] extends [ActivityName]
    ? true
    : never
  : never = true;
