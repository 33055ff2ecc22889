import { z } from "zod";
import { DEVICE_PATHS } from "./provider-link";

/**
 * Day-2 failures a user (or a test) can cause on the wire, as they happen to a live interconnect:
 * someone else's hand in the portal, a neighbour's teardown, a provider or router outage. Each one
 * changes the emulated cloud at once, without an operation to wait for, and leaves the state the real
 * cloud would show (day2-operations.md §1.7). POST /admin/incidents takes one of these.
 */
const id = z.string().min(1);

export const armIncidentSchema = z.discriminatedUnion("kind", [
  /** The gateway connection deleted outside the service: circuit, peering and BGP stay healthy. */
  z.strictObject({ kind: z.literal("connectionDeleted"), connectionId: id }),
  /** A failed write left the connection's provisioningState Failed (a GET+PUT refreshes it). */
  z.strictObject({ kind: z.literal("connectionFailed"), connectionId: id }),
  /** A failed write (e.g. a bandwidth change) left the circuit's provisioningState Failed; a GET+PUT refreshes it. */
  z.strictObject({ kind: z.literal("circuitFailed"), circuitId: id }),
  /** Someone grew the VNet's address space: the gateway advertises it, nothing routes it back. */
  z.strictObject({ kind: z.literal("virtualNetworkPrefixAdded"), virtualNetworkId: id, prefix: id }),
  /**
   * What the connection monitor's tests report from now on (its Azure Monitor metrics): one test
   * configuration by name, or every test when omitted. A rehearsal of a failing end-to-end probe.
   */
  z.strictObject({
    kind: z.literal("connectionMonitorResults"),
    connectionMonitorId: id,
    testConfiguration: id.optional(),
    checksFailedPercent: z.number().min(0).max(100),
    roundTripTimeMs: z.number().min(0),
  }),
  /** The connection monitor deleted outside the service (the probe stops). */
  z.strictObject({ kind: z.literal("connectionMonitorDeleted"), connectionMonitorId: id }),
  /** The region's Network Watcher deleted (disabled): connection monitors need one. */
  z.strictObject({ kind: z.literal("networkWatcherDeleted"), networkWatcherId: id }),
  /** The Network Watcher agent extension removed from a VM. */
  z.strictObject({ kind: z.literal("virtualMachineExtensionRemoved"), virtualMachineId: id, extension: id }),
]);

export const ociIncidentSchema = z.discriminatedUnion("kind", [
  /** One BGP session (primary or secondary path) goes down; with both down the virtual circuit shows BGP DOWN. */
  z.strictObject({ kind: z.literal("pathDown"), virtualCircuitId: id, path: z.enum(DEVICE_PATHS) }),
  z.strictObject({ kind: z.literal("pathUp"), virtualCircuitId: id, path: z.enum(DEVICE_PATHS) }),
  /** A VCN route rule removed (what a neighbour's teardown of a shared table did). */
  z.strictObject({ kind: z.literal("routeRuleRemoved"), routeTableId: id, destination: id }),
  /** The virtual circuit goes FAILED (BGP DOWN) and stays so until recovered. */
  z.strictObject({ kind: z.literal("virtualCircuitFailed"), virtualCircuitId: id }),
  z.strictObject({ kind: z.literal("virtualCircuitRecovered"), virtualCircuitId: id }),
  /** The provider deprovisions behind the service's back: the virtual circuit terminates and Azure is told. */
  z.strictObject({ kind: z.literal("providerDeprovisioned"), virtualCircuitId: id }),
  /** The VCN's DRG attachment detached outside the service. */
  z.strictObject({ kind: z.literal("drgAttachmentDetached"), drgAttachmentId: id }),
]);

export type ArmIncident = z.infer<typeof armIncidentSchema>;
export type OciIncident = z.infer<typeof ociIncidentSchema>;
export const ARM_INCIDENT_KINDS: readonly string[] = armIncidentSchema.options.map((o) => o.shape.kind.value);
export const OCI_INCIDENT_KINDS: readonly string[] = ociIncidentSchema.options.map((o) => o.shape.kind.value);
