import type { AdoptedNames, ResourceOwnership } from "../domain/resources";
import type { CIRCUIT_FAMILIES, CIRCUIT_TIERS, GatewaySku } from "../domain/skus";
import { DEFAULT_WAIT_PROFILES, readWaitProfiles, type WaitProfiles } from "./waits";

/**
 * Orchestrator names and inputs: the contract with the triggers (src/functions) that start them.
 *
 * The spec and BGP plan are typed structurally (only what the workflows read), so the domain's
 * parsed `InterconnectSpec` and `BgpPlan` are assignable as they are.
 */

export const PROVISION_ORCHESTRATOR = "provisionInterconnect";
export const TEARDOWN_ORCHESTRATOR = "teardownInterconnect";
export const WATCHDOG_ORCHESTRATOR = "watchdogSweep";
export const PLAN_ORCHESTRATOR = "planInterconnect";
export const CHANGE_ORCHESTRATOR = "changeInterconnect";
export const ADOPT_ORCHESTRATOR = "adoptInterconnect";

export interface WorkflowSpec {
  name: string;
  bandwidthGbps: number;
  azure: {
    subscriptionId: string;
    resourceGroup: string;
    location: string;
    peeringLocation: string;
    circuitSku?: { tier: (typeof CIRCUIT_TIERS)[number]; family: (typeof CIRCUIT_FAMILIES)[number] };
    virtualNetwork: { name: string; gatewaySubnetPrefix: string };
    gateway?: { sku?: GatewaySku; fastPath?: boolean; scaleUnits?: number };
  };
  oci: { region: string; compartmentId: string; vcnId: string; drgId?: string };
  bgp?: { primaryPeeringCidr: string; secondaryPeeringCidr: string };
  monitor?: { sourceVirtualMachineId: string; destinationAddress: string; destinationPort: number };
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
  /** Back-off start past a wait's expected window, and between refused deletes. */
  pollInitialIntervalSeconds: number;
  pollMaxIntervalSeconds: number;
  /** Shortest interval between two polls of one wait. */
  pollMinIntervalSeconds: number;
  /** Inside a wait's expected window, poll after this fraction of the window still ahead (0-1). */
  pollWindowFraction: number;
  /** When each wait expects its operation to complete (waits.ts). */
  waits: WaitProfiles;
  /** The gateway's deployment (from its start) and its deletion. */
  gatewayDeadlineMinutes: number;
  /** From the virtual circuit's creation to both sides provisioned with BGP up. */
  providerDeadlineMinutes: number;
  /** The connection gateway ⇄ circuit: Connected after its creation, gone after its deletion. */
  connectionDeadlineMinutes: number;
  /** The virtual circuit's termination, Azure catching up (NotProvisioned), the circuit's deletion. */
  deprovisionDeadlineMinutes: number;
  /** OCI's DRG side: the DRG and its attachment AVAILABLE/ATTACHED, and their (and the route rules') removal. */
  drgDeadlineMinutes: number;
  /** ARP and route tables of both device paths showing the Oracle peers and the VCN prefixes. */
  verificationDeadlineMinutes: number;
  /** The GatewaySubnet's removal once the gateway released it. */
  gatewaySubnetDeadlineMinutes: number;
  /** How long a teardown waits for the provisioning it stopped to be terminal before it removes anyway. */
  stoppedProvisioningDeadlineMinutes: number;
  /** How long a run waits in the queue of its VNet and VCN for its turn before it gives up (QUEUE_DEADLINE_MINUTES). */
  queueDeadlineMinutes: number;
  keepResourcesOnFailure: boolean;
  /** Attempts per activity for retryable failures (1 = no retry). */
  stepMaxAttempts: number;
  stepFirstRetrySeconds: number;
}

/** The defaults of local.settings.sample.json. */
export const DEFAULT_WORKFLOW_TIMING: WorkflowTiming = {
  pollInitialIntervalSeconds: 30,
  pollMaxIntervalSeconds: 300,
  pollMinIntervalSeconds: 20,
  pollWindowFraction: 0.03,
  waits: DEFAULT_WAIT_PROFILES,
  gatewayDeadlineMinutes: 90,
  providerDeadlineMinutes: 60,
  connectionDeadlineMinutes: 30,
  deprovisionDeadlineMinutes: 60,
  drgDeadlineMinutes: 20,
  verificationDeadlineMinutes: 30,
  gatewaySubnetDeadlineMinutes: 15,
  stoppedProvisioningDeadlineMinutes: 5,
  queueDeadlineMinutes: 1440,
  keepResourcesOnFailure: false,
  stepMaxAttempts: 5,
  stepFirstRetrySeconds: 15,
};

/** Maps the app settings (src/config Settings shape) to the workflow timing. */
export function workflowTimingFromSettings(s: {
  polling: {
    initialIntervalSeconds: number;
    maxIntervalSeconds: number;
    minIntervalSeconds?: number;
    waitProfiles?: Record<string, unknown>;
  };
  deadlines: {
    gatewayMinutes: number;
    providerMinutes: number;
    connectionMinutes: number;
    deprovisionMinutes: number;
    drgMinutes?: number;
    verificationMinutes?: number;
    gatewaySubnetMinutes?: number;
    queueMinutes?: number;
  };
  keepResourcesOnFailure: boolean;
}): WorkflowTiming {
  return {
    ...DEFAULT_WORKFLOW_TIMING,
    pollInitialIntervalSeconds: s.polling.initialIntervalSeconds,
    pollMaxIntervalSeconds: s.polling.maxIntervalSeconds,
    pollMinIntervalSeconds: s.polling.minIntervalSeconds ?? DEFAULT_WORKFLOW_TIMING.pollMinIntervalSeconds,
    waits: readWaitProfiles(s.polling.waitProfiles, "WAIT_PROFILES"),
    gatewayDeadlineMinutes: s.deadlines.gatewayMinutes,
    providerDeadlineMinutes: s.deadlines.providerMinutes,
    connectionDeadlineMinutes: s.deadlines.connectionMinutes,
    deprovisionDeadlineMinutes: s.deadlines.deprovisionMinutes,
    drgDeadlineMinutes: s.deadlines.drgMinutes ?? DEFAULT_WORKFLOW_TIMING.drgDeadlineMinutes,
    verificationDeadlineMinutes: s.deadlines.verificationMinutes ?? DEFAULT_WORKFLOW_TIMING.verificationDeadlineMinutes,
    gatewaySubnetDeadlineMinutes: s.deadlines.gatewaySubnetMinutes ?? DEFAULT_WORKFLOW_TIMING.gatewaySubnetDeadlineMinutes,
    queueDeadlineMinutes: s.deadlines.queueMinutes ?? DEFAULT_WORKFLOW_TIMING.queueDeadlineMinutes,
    keepResourcesOnFailure: s.keepResourcesOnFailure,
  };
}

/** What a ready plan found, for the provisioning that references it to check against the live clouds. */
export interface PlanExpectation {
  planId: string;
  resources: { kind: string; name: string; id: string | null }[];
  bgp: { primary: string; secondary: string } | null;
}

export interface ProvisionInput {
  name: string;
  spec: WorkflowSpec;
  bgpPlan: WorkflowBgpPlan;
  actor: string;
  ticketRef?: string;
  attempt: number;
  /** A restart over a stopped attempt: what the earlier attempts created (the record's resources.owned). */
  ownedBefore?: ResourceOwnership;
  /** The plan (planId) this provisioning was started from: pre-flight refuses when the clouds no longer match it. */
  plan?: PlanExpectation;
  /** Defaults to DEFAULT_WORKFLOW_TIMING when absent. */
  timing?: WorkflowTiming;
}

export interface TeardownInput {
  name: string;
  reason: string;
  actor: string;
  ticketRef?: string;
  requestedBy?: string;
  /** An adopted interconnect's own ARM names (its record's resources.names). */
  names?: AdoptedNames;
  /**
   * The provisioning instance this teardown's DELETE terminated: the teardown waits until it is
   * terminal before removing anything, and sweeps for a virtual circuit one of its activities
   * created late.
   */
  stoppedProvisioning?: string;
  /** Defaults to DEFAULT_WORKFLOW_TIMING when absent. */
  timing?: WorkflowTiming;
}

export interface WatchdogInput {
  /** How far past its deadline, or its longest pause, an operation may be before it counts as stalled. */
  marginMinutes: number;
  /** The timing the operations run with (their deadlines and longest pauses), and the restarts get. */
  timing?: WorkflowTiming;
}
