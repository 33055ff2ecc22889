/**
 * Orchestrator names and inputs: the contract with the triggers (src/functions) that start them.
 *
 * The spec and BGP plan are typed structurally (only what the workflows read), so the domain's
 * parsed `InterconnectSpec` and `BgpPlan` are assignable as they are.
 */

export const PROVISION_ORCHESTRATOR = "provisionInterconnect";
export const TEARDOWN_ORCHESTRATOR = "teardownInterconnect";

export interface WorkflowSpec {
  name: string;
  bandwidthGbps: number;
  azure: {
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    peeringLocation: string;
    circuitSku?: { tier: string; family: string };
    virtualNetwork: { name: string; gatewaySubnetPrefix: string };
    gateway?: { sku?: string; fastPath?: boolean; scaleUnits?: number };
  };
  oci: { region: string; compartmentId: string; vcnId: string; drgId?: string };
  bgp?: { primaryPeeringCidr: string; secondaryPeeringCidr: string };
  tags?: Record<string, string>;
  keepResourcesOnFailure?: boolean;
}

export interface WorkflowBgpBlock {
  /** e.g. "192.168.100.0/30" */
  cidr: string;
  /** 2nd address with mask, e.g. "192.168.100.1/30" */
  oracleBgpPeeringIp: string;
  /** 3rd address with mask, e.g. "192.168.100.2/30" */
  customerBgpPeeringIp: string;
}

export interface WorkflowBgpPlan {
  primary: WorkflowBgpBlock;
  secondary: WorkflowBgpBlock;
}

/**
 * Timing and behaviour taken from settings by the trigger and passed in, because an orchestrator
 * must not read process.env: a setting changed between replays would change the history it produces.
 */
export interface WorkflowTiming {
  pollInitialIntervalSeconds: number;
  pollMaxIntervalSeconds: number;
  gatewayDeadlineMinutes: number;
  providerDeadlineMinutes: number;
  connectionDeadlineMinutes: number;
  deprovisionDeadlineMinutes: number;
  keepResourcesOnFailure: boolean;
  /** Attempts per activity for retryable failures (1 = no retry). */
  stepMaxAttempts: number;
  stepFirstRetrySeconds: number;
}

/** The defaults of local.settings.sample.json. */
export const DEFAULT_WORKFLOW_TIMING: WorkflowTiming = {
  pollInitialIntervalSeconds: 30,
  pollMaxIntervalSeconds: 300,
  gatewayDeadlineMinutes: 90,
  providerDeadlineMinutes: 60,
  connectionDeadlineMinutes: 30,
  deprovisionDeadlineMinutes: 60,
  keepResourcesOnFailure: false,
  stepMaxAttempts: 5,
  stepFirstRetrySeconds: 15,
};

/** Maps the app settings (src/config Settings shape) to the workflow timing. */
export function workflowTimingFromSettings(s: {
  polling: { initialIntervalSeconds: number; maxIntervalSeconds: number };
  deadlines: { gatewayMinutes: number; providerMinutes: number; connectionMinutes: number; deprovisionMinutes: number };
  keepResourcesOnFailure: boolean;
}): WorkflowTiming {
  return {
    ...DEFAULT_WORKFLOW_TIMING,
    pollInitialIntervalSeconds: s.polling.initialIntervalSeconds,
    pollMaxIntervalSeconds: s.polling.maxIntervalSeconds,
    gatewayDeadlineMinutes: s.deadlines.gatewayMinutes,
    providerDeadlineMinutes: s.deadlines.providerMinutes,
    connectionDeadlineMinutes: s.deadlines.connectionMinutes,
    deprovisionDeadlineMinutes: s.deadlines.deprovisionMinutes,
    keepResourcesOnFailure: s.keepResourcesOnFailure,
  };
}

export interface ProvisionInput {
  name: string;
  spec: WorkflowSpec;
  bgpPlan: WorkflowBgpPlan;
  actor: string;
  ticketRef?: string;
  attempt: number;
  /** Defaults to DEFAULT_WORKFLOW_TIMING when absent. */
  timing?: WorkflowTiming;
}

export interface TeardownInput {
  name: string;
  reason: string;
  actor: string;
  ticketRef?: string;
  requestedBy?: string;
  /** Defaults to DEFAULT_WORKFLOW_TIMING when absent. */
  timing?: WorkflowTiming;
}
