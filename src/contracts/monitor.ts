/** The optional end-to-end probe: Network Watcher, the source VM's agent, the connection monitor and its results. */
import { z } from "zod";
import { monitorObservationSchema } from "../domain/monitor";
import { armId, deleteOutcome, guid, observed, opContext, resourceTags, text, type ActivityFamily } from "./common";

const virtualMachineId = z
  .string()
  .regex(
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i,
    "must be a VM's ARM id",
  );

export const monitorSpec = z.object({
  sourceVirtualMachineId: virtualMachineId,
  destinationAddress: text,
  destinationPort: z.number().int().min(1).max(65535),
});

/** The Network Watcher a connection monitor lives in (one per region). */
export const networkWatcherRef = z.object({ id: armId, name: text, resourceGroup: text, location: text });
export type NetworkWatcherRef = z.infer<typeof networkWatcherRef>;

export const monitorReadiness = z.object({
  virtualMachine: observed({ location: z.string() }),
  /** The subscription's Network Watcher in the VM's region (or the interconnect's, when the VM is not found); null: none. */
  networkWatcher: networkWatcherRef.nullable(),
  /** The VM's Network Watcher agent extension (publisher Microsoft.Azure.NetworkWatcher); null: not installed. */
  agentExtension: z.object({ name: z.string(), type: z.string(), provisioningState: z.string() }).nullable(),
  /** The region the Network Watcher was looked for in. */
  region: z.string(),
});
export type MonitorReadiness = z.infer<typeof monitorReadiness>;

export const connectionMonitorObservation = observed({ connectionMonitorId: z.string(), provisioningState: z.string() });
export type ConnectionMonitorObservation = z.infer<typeof connectionMonitorObservation>;

/** Where to find the monitor: its id when recorded, else by our derived name in the region's Network Watcher. */
const monitorLocator = { subscriptionId: guid, connectionMonitorId: armId.optional(), region: text };

export const monitorActivities = {
  azureReadMonitorReadiness: {
    input: z.object({ opContext, subscriptionId: guid, sourceVirtualMachineId: virtualMachineId, fallbackRegion: text }),
    output: monitorReadiness,
  },
  azureEnsureConnectionMonitor: {
    input: z.object({
      opContext,
      subscriptionId: guid,
      networkWatcher: networkWatcherRef,
      monitor: monitorSpec,
      tags: resourceTags.optional(),
    }),
    output: connectionMonitorObservation,
  },
  azureGetConnectionMonitor: { input: z.object({ opContext, ...monitorLocator }), output: connectionMonitorObservation },
  azureDeleteConnectionMonitor: { input: z.object({ opContext, ...monitorLocator }), output: deleteOutcome },
  /** The monitor's metrics averaged over [at - windowMinutes, at] (orchestration time). */
  healthObserveMonitor: {
    input: z.object({
      opContext,
      subscriptionId: guid,
      connectionMonitorId: armId,
      at: z.string(),
      windowMinutes: z.number().int().min(1),
    }),
    output: monitorObservationSchema,
  },
} satisfies ActivityFamily;
