/** The shapes of docs/api.md the console reads; every field it does not need is left out. */

export interface CustomStatus {
  operation?: string;
  step?: string;
  stepNumber?: number;
  totalSteps?: number;
  waitingFor?: string;
  since?: string;
  lastObserved?: string;
  deadline?: string;
  message?: string;
}

export interface CurrentOperation {
  kind: string;
  instanceId: string;
  startedAt?: string;
  runtimeStatus?: string;
  customStatus?: CustomStatus | null;
  lastUpdatedTime?: string;
  orphaned?: boolean;
}

export interface Failure {
  step?: string;
  code?: string;
  message?: string;
}

export interface Summary {
  name: string;
  state: string;
  bandwidthGbps: number | null;
  regions?: { azure?: string; oci?: string } | null;
  health?: unknown;
  currentOperation: CurrentOperation | null;
  failure: Failure | null;
  updatedAt?: string;
  stateChangedAt?: string;
}

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
  nextLink: string | null;
}

export interface Resources {
  virtualNetworkId?: string;
  gatewaySubnetId?: string;
  gatewayId?: string;
  circuitId?: string;
  connectionId?: string;
  drgId?: string;
  drgAttachmentId?: string;
  virtualCircuitId?: string;
  routeTableId?: string;
  serviceKeyMasked?: string;
  routedPrefixes?: string[];
  owned?: Record<string, boolean>;
}

export interface BgpSession {
  cidr: string;
  oracleBgpPeeringIp: string;
  customerBgpPeeringIp: string;
}

export interface InterconnectRecord extends Summary {
  spec: {
    name: string;
    bandwidthGbps: number;
    azure: { subscriptionId: string; resourceGroup: string; location: string; peeringLocation: string; virtualNetwork: { name: string } };
    oci: { region: string; compartmentId: string; vcnId: string; drgId?: string };
  };
  bgpPlan?: { primary?: BgpSession; secondary?: BgpSession } | null;
  resources: Resources;
  lastKnownResources?: Resources;
  attempt?: number;
}

export interface AuditRow {
  id: string;
  at: string;
  step: string;
  phase: string;
  actor?: string;
  ticketRef?: string;
  instanceId?: string;
  operation?: string;
  cloudRequestIds?: string[];
  durationMs?: number;
  message?: string;
  details?: Record<string, unknown>;
}

export const IN_FLIGHT = new Set(["requested", "provisioning", "tearing-down"]);
export const STATES = ["requested", "provisioning", "active", "failed", "tearing-down", "deleted"];
