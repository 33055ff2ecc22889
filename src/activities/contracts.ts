/**
 * The contract between the workflows (orchestrators) and the activities.
 *
 * Everything here crosses the durable history as plain JSON, so:
 * - no class instances, no Dates (ISO strings), no undefined-vs-missing subtleties that matter;
 * - never a secret: the ExpressRoute service key only ever appears masked (the full key would be
 *   persisted in the task hub's history table and shown by status queries).
 *
 * Resource names are NOT passed in: every activity derives its cloud names from
 * `opContext.interconnect` with the domain's `resourceNames(name)`, so a half-built interconnect is
 * found again by name even when no id was ever recorded.
 */
import type { InterconnectState } from "../domain/lifecycle";

/** Activity names, used with df.app.activity (registration) and context.df.callActivity (workflows). */
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
  // record and audit (the store)
  recordRead: "recordRead",
  recordUpdate: "recordUpdate",
  auditAppend: "auditAppend",
} as const;

export type ActivityName = (typeof ACTIVITY)[keyof typeof ACTIVITY];

// ---------------------------------------------------------------------------------------------
// Common parts

export type Operation = "provision" | "teardown";

/** Carried by every activity input: who/what the call belongs to (audit rows, OCI opc-retry-token). */
export interface OpContext {
  interconnect: string;
  /** The orchestration instance id; activities derive the OCI opc-retry-token from it plus the step. */
  instanceId: string;
  operation: Operation;
  actor?: string;
  ticketRef?: string;
}

export interface AzureScope {
  subscriptionId: string;
  resourceGroup: string;
}

export interface OciScope {
  region: string;
  compartmentId: string;
}

/** Observations: a resource is either found (with its summary) or not. */
export type Observed<T> = ({ found: true } & T) | { found: false };

/**
 * Outcome of a delete step.
 * - deleting: accepted, still going (poll the matching observe step);
 * - deleted: gone (including "was never there");
 * - conflict: the cloud refuses for now (e.g. the circuit's ConflictError while the provider deprovisions): retry later;
 * - in-use: kept on purpose because something else still uses it (gateway with other connections, subnet with a gateway).
 */
export interface DeleteOutcome {
  status: "deleting" | "deleted" | "conflict" | "in-use";
  message?: string;
  retryAfterSeconds?: number;
}

// ---------------------------------------------------------------------------------------------
// Pre-flight reads (permanent failure with code NOT_FOUND when the user-named resource does not exist)

export interface AzureReadVirtualNetworkInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
}
export interface VirtualNetworkSummary {
  id: string;
  location: string;
  addressPrefixes: string[];
  gatewaySubnet: { id: string; addressPrefix: string } | null;
  /**
   * An ExpressRoute gateway already in this VNet (whatever its name, in whatever resource group: found
   * through the GatewaySubnet's ipConfigurations), or null.
   */
  expressRouteGateway: { id: string; name: string; sku: string; provisioningState: string } | null;
  /** Every subnet of the VNet with its prefixes (pre-flight checks gatewaySubnetPrefix against them). */
  subnets?: { name: string; addressPrefixes: string[] }[];
}

export interface AzureReadProviderOfferInput {
  opContext: OpContext;
  subscriptionId: string;
  peeringLocation: string;
  bandwidthInMbps: number;
}
export interface ProviderOffer {
  /** true when "Oracle Cloud FastConnect" offers this peering location AND this bandwidth. */
  offered: boolean;
  serviceProviderName: string;
  peeringLocations: string[];
  bandwidthsInMbps: number[];
}

export interface OciReadVcnInput {
  opContext: OpContext;
  region: string;
  vcnId: string;
}
export interface VcnSummary {
  id: string;
  compartmentId: string;
  cidrBlocks: string[];
  defaultRouteTableId: string;
  lifecycleState: string;
  /** The VCN's DRG attachments that are not DETACHED (a VCN attaches to one DRG at a time). */
  drgAttachments?: { id: string; drgId: string; displayName: string; lifecycleState: string }[];
}

export interface OciReadProviderServiceInput {
  opContext: OpContext;
  region: string;
  compartmentId: string;
}
export interface ProviderServiceSummary {
  /** The "Microsoft Azure" FastConnect provider service. */
  providerServiceId: string;
  providerName: string;
  bandwidthShapeNames: string[];
}

export interface OciReadDrgInput {
  opContext: OpContext;
  region: string;
  drgId: string;
  /** Used to report an existing attachment of this DRG to the VCN. */
  vcnId: string;
}
export interface DrgSummary {
  id: string;
  lifecycleState: string;
  vcnAttachment: { id: string; lifecycleState: string } | null;
}

// ---------------------------------------------------------------------------------------------
// Observations (also returned by the ensure steps)

export type GatewayObservation = Observed<{
  gatewayId: string;
  name: string;
  /** ARM provisioningState: Creating | Updating | Succeeded | Failed | Deleting ... */
  provisioningState: string;
  sku: string;
}>;

export type DrgObservation = Observed<{ drgId: string; lifecycleState: string }>;

export type DrgAttachmentObservation = Observed<{ drgAttachmentId: string; lifecycleState: string }>;

export interface PeeringSummary {
  name: string;
  peeringType: string;
  provisioningState: string;
  peerASN: number | null;
  primaryPeerAddressPrefix: string | null;
  secondaryPeerAddressPrefix: string | null;
  vlanId: number | null;
}

export type CircuitObservation = Observed<{
  circuitId: string;
  provisioningState: string;
  /** NotProvisioned | Provisioning | Provisioned | Deprovisioning */
  serviceProviderProvisioningState: string;
  circuitProvisioningState: string;
  /** e.g. "****-****-****-1a2b"; never the full key. */
  serviceKeyMasked: string;
  /** AzurePrivatePeering as the provider configured it, or null. */
  privatePeering: PeeringSummary | null;
  peeringCount: number;
}>;

export type VirtualCircuitObservation = Observed<{
  virtualCircuitId: string;
  /** PENDING_PROVIDER | VERIFYING | PROVISIONING | PROVISIONED | FAILED | INACTIVE | TERMINATING | TERMINATED */
  lifecycleState: string;
  providerState: string;
  bgpSessionState: string;
  /** Provider comment or failure reason when there is one. */
  reason: string | null;
}>;

export type ConnectionObservation = Observed<{
  connectionId: string;
  provisioningState: string;
  /** Unknown | Connecting | Connected | NotConnected */
  connectionStatus: string;
  expressRouteGatewayBypass: boolean;
}>;

// ---------------------------------------------------------------------------------------------
// Ensure steps

export interface AzureEnsureGatewaySubnetInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
  addressPrefix: string;
}
export interface GatewaySubnetResult {
  subnetId: string;
  addressPrefix: string;
  provisioningState: string;
}

/**
 * The spec's `tags`, put on everything the service creates (Azure tags; OCI freeformTags), merged
 * under the `interconnect` tag, which always names the interconnect.
 */
export type ResourceTags = Record<string, string>;

export interface AzureEnsureGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  virtualNetworkName: string;
  gatewaySubnetId: string;
  /** Standard | HighPerformance | UltraPerformance | ErGw1AZ | ErGw2AZ | ErGw3AZ | ErGwScale */
  sku: string;
  scaleUnits?: number;
  /** On the gateway and its public IP. */
  tags?: ResourceTags;
}

export interface OciEnsureDrgInput {
  opContext: OpContext;
  oci: OciScope;
  tags?: ResourceTags;
}

export interface OciEnsureDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  drgId: string;
  vcnId: string;
  tags?: ResourceTags;
}

export interface AzureEnsureCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  peeringLocation: string;
  bandwidthInMbps: number;
  sku: { tier: string; family: string };
  tags?: Record<string, string>;
}

export interface BgpCrossConnectMapping {
  /** With mask, e.g. "192.168.100.2/30" (3rd address = Azure side). */
  customerBgpPeeringIp: string;
  /** With mask, e.g. "192.168.100.1/30" (2nd address = Oracle side). */
  oracleBgpPeeringIp: string;
}

export interface OciEnsureVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  /** The activity reads the service key from the circuit itself (this scope + the derived circuit name). */
  azure: AzureScope;
  providerServiceId: string;
  bandwidthShapeName: string;
  drgId: string;
  /** Primary first, then secondary. */
  crossConnectMappings: [BgpCrossConnectMapping, BgpCrossConnectMapping];
  tags?: ResourceTags;
}

export interface OciEnsureRouteRulesInput {
  opContext: OpContext;
  region: string;
  routeTableId: string;
  drgId: string;
  /** VNet address prefixes → DRG. Merged with if-match; rules of others are kept. */
  destinations: string[];
}
export interface RouteRulesResult {
  routeTableId: string;
  /** Destinations of our rules now in the table. */
  destinations: string[];
}

export interface AzureEnsureConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
  location: string;
  gatewayId: string;
  circuitId: string;
  /** FastPath. */
  expressRouteGatewayBypass: boolean;
  tags?: ResourceTags;
}

// ---------------------------------------------------------------------------------------------
// Observe steps

export interface AzureGetGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  /** Given when an existing (not ours) gateway is used; otherwise the derived name is read. */
  gatewayId?: string;
}

export interface OciGetDrgInput {
  opContext: OpContext;
  oci: OciScope;
  /** When absent, the DRG is looked up by its derived display name in the compartment. */
  drgId?: string;
}

export interface OciGetDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  vcnId: string;
  /** When absent, looked up by derived display name (and drgId/vcnId). */
  drgAttachmentId?: string;
  drgId?: string;
}

export interface AzureGetCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
}

export interface OciGetVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  /** When absent, looked up by derived display name in the compartment. */
  virtualCircuitId?: string;
}

export interface AzureGetConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
}

export type DevicePath = "primary" | "secondary";

export interface AzureReadPeeringTablesInput {
  opContext: OpContext;
  azure: AzureScope;
  devicePath: DevicePath;
}
export interface PeeringTables {
  arp: { ipAddress: string; macAddress?: string; age?: number; interface?: string }[];
  routes: { network: string; nextHop: string; path: string }[];
}

// ---------------------------------------------------------------------------------------------
// Delete steps (all return DeleteOutcome)

export interface AzureDeleteConnectionInput {
  opContext: OpContext;
  azure: AzureScope;
}
export interface OciDeleteVirtualCircuitInput {
  opContext: OpContext;
  oci: OciScope;
  virtualCircuitId?: string;
}
export interface AzureDeleteCircuitInput {
  opContext: OpContext;
  azure: AzureScope;
}
export interface OciRemoveRouteRulesInput {
  opContext: OpContext;
  region: string;
  routeTableId: string;
}
export interface OciDeleteDrgAttachmentInput {
  opContext: OpContext;
  oci: OciScope;
  vcnId: string;
  drgAttachmentId?: string;
  drgId?: string;
}
export interface OciDeleteDrgInput {
  opContext: OpContext;
  oci: OciScope;
  drgId?: string;
}
export interface AzureDeleteGatewayInput {
  opContext: OpContext;
  azure: AzureScope;
  /** Only the derived-name gateway is ever deleted; "in-use" when another connection still uses it. */
  gatewayId?: string;
}
export interface AzureDeleteGatewaySubnetInput {
  opContext: OpContext;
  azure: AzureScope;
  virtualNetworkName: string;
}

// ---------------------------------------------------------------------------------------------
// The task hub

/**
 * A teardown that stopped a provisioning (TeardownInput.stoppedProvisioning) waits until that
 * instance is terminal before removing anything: an activity it started may still be creating.
 */
export interface ProvisioningInstanceStateInput {
  opContext: OpContext;
  instanceId: string;
}
export interface ProvisioningInstanceState {
  /** The task hub's runtimeStatus (Running, Pending, Completed, Failed, Terminated, …), or "absent". */
  runtimeStatus: string;
  /** Completed, Failed, Terminated, Canceled or absent: nothing of it runs any more. */
  terminal: boolean;
}

// ---------------------------------------------------------------------------------------------
// Record and audit

/** Which shared resources this service created (only those are removed by teardown). */
export interface ResourceOwnership {
  gatewaySubnet: boolean;
  gateway: boolean;
  drg: boolean;
  drgAttachment: boolean;
}

/** Cloud resource ids as recorded on the interconnect (all optional: a half-built one has some). */
export interface InterconnectResources {
  virtualNetworkId?: string;
  gatewaySubnetId?: string;
  gatewayId?: string;
  circuitId?: string;
  serviceKeyMasked?: string;
  connectionId?: string;
  drgId?: string;
  drgAttachmentId?: string;
  virtualCircuitId?: string;
  routeTableId?: string;
  /** VNet prefixes routed to the DRG. */
  routedPrefixes?: string[];
  owned?: ResourceOwnership;
}

export interface StepFailureSummary {
  step: string;
  code: string;
  message: string;
}

export interface RecordPatch {
  resources?: InterconnectResources;
  failure?: StepFailureSummary | null;
  /** Free text for the record's current-operation summary. */
  message?: string;
}

export interface RecordReadInput {
  opContext: OpContext;
  name: string;
}
/** The record as the workflows need it. `spec` and `bgpPlan` are the stored JSON (domain types). */
export type RecordSnapshot = Observed<{
  name: string;
  state: InterconnectState;
  spec: unknown;
  bgpPlan: unknown;
  resources: InterconnectResources;
  operationId: string | null;
}>;

export interface RecordUpdateInput {
  opContext: OpContext;
  name: string;
  /** The orchestration instance that owns the record now; a mismatch is a permanent CONFLICT failure. */
  expectedOperationId: string;
  patch: RecordPatch;
  /** Goes through the domain's state machine (assertTransition). Same state again is a no-op transition. */
  transitionTo?: InterconnectState;
}
export interface RecordUpdateResult {
  state: InterconnectState;
}

export type AuditEvent = "started" | "succeeded" | "failed" | "retrying" | "waiting" | "skipped";

export interface AuditEntry {
  step: string;
  event: AuditEvent;
  message: string;
  /** The orchestration time of the event (ISO), so replays write the same row. */
  at: string;
  /** Small JSON facts (states, ids, codes); never secrets. */
  details?: Record<string, unknown>;
}
export interface AuditAppendInput {
  opContext: OpContext;
  entry: AuditEntry;
}

// ---------------------------------------------------------------------------------------------
// Failure wire format

/** What a failed activity reports. The orchestrator retries only `retryable` ones. */
export interface StepFailure {
  code: string;
  message: string;
  retryable: boolean;
  cloud?: "azure" | "oci";
  statusCode?: number;
  requestId?: string;
  retryAfterSeconds?: number;
}

const OPEN = "[[step-failure]]";
const CLOSE = "[[/step-failure]]";

/** The Error message an activity throws; durable-functions carries it into the orchestrator's task failure. */
export function encodeFailure(failure: StepFailure): string {
  return `${failure.code}: ${failure.message} ${OPEN}${JSON.stringify(failure)}${CLOSE}`;
}

export function stepFailureError(failure: StepFailure): Error {
  const err = new Error(encodeFailure(failure));
  err.name = "StepFailure";
  return err;
}

/**
 * Recover the StepFailure from whatever durable-functions surfaced (an Error whose message holds the
 * encoded document, possibly wrapped in more text). Anything else is an unexpected, permanent failure:
 * retrying an unknown bug would only repeat it.
 */
export function decodeFailure(error: unknown): StepFailure {
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : JSON.stringify(error ?? null);
  const start = text.indexOf(OPEN);
  const end = start >= 0 ? text.indexOf(CLOSE, start) : -1;
  if (start >= 0 && end > start) {
    try {
      const parsed: unknown = JSON.parse(text.slice(start + OPEN.length, end));
      if (isStepFailure(parsed)) return parsed;
    } catch {
      // fall through to the unexpected failure below
    }
  }
  return { code: "UNEXPECTED", message: firstLine(text), retryable: false };
}

function isStepFailure(v: unknown): v is StepFailure {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === "string" && typeof o.message === "string" && typeof o.retryable === "boolean";
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 500 ? `${line.slice(0, 500)}…` : line;
}

// ---------------------------------------------------------------------------------------------
// Name → input/output, for typed registration and calls

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
