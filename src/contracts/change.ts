/**
 * Changing an interconnect in place (PATCH): the circuit's bandwidth, SKU and tags, the provider's view
 * of the service key, the virtual circuit's bandwidth shape and tags, FastPath on the connection, and the
 * record's spec once the change is verified.
 */
import { z } from "zod";
import {
  azureScope,
  region,
  interconnectName,
  observed,
  ocid,
  ociScope,
  opContext,
  resourceTags,
  text,
  type ActivityFamily,
} from "./common";
import { connectionObservation } from "./connection";

const circuitSku = z.object({ tier: z.enum(["Standard", "Premium", "Local"]), family: z.enum(["MeteredData", "UnlimitedData"]) });

/** What a change reads of the circuit: what it changes and the state of the last write. */
export const circuitSettings = observed({
  circuitId: z.string(),
  /** Succeeded, Updating, Failed, … of the last write. */
  provisioningState: z.string(),
  serviceProviderProvisioningState: z.string(),
  bandwidthInMbps: z.number(),
  sku: circuitSku,
  tags: resourceTags,
});
export type CircuitSettings = z.infer<typeof circuitSettings>;

export const virtualCircuitSettings = observed({
  virtualCircuitId: z.string(),
  lifecycleState: z.string(),
  providerState: z.string(),
  bgpSessionState: z.string(),
  bandwidthShapeName: z.string(),
  providerServiceId: z.string(),
  freeformTags: resourceTags,
  /** The shapes this virtual circuit's provider offers. */
  shapesOffered: z.array(z.string()),
});
export type VirtualCircuitSettings = z.infer<typeof virtualCircuitSettings>;

const vcRef = { virtualCircuitId: ocid("virtualcircuit").optional() };

/** A tag change: the tags to set, and the ones the spec no longer has (removed; others' tags are kept). */
const tagChange = z.object({ tags: resourceTags, removed: z.array(z.string().min(1).max(128)) });

export const changeActivities = {
  azureReadCircuitSettings: {
    input: z.object({ opContext, azure: azureScope }),
    output: z.object({ circuit: circuitSettings, bandwidthsOfferedMbps: z.array(z.number()) }),
  },
  /**
   * GET + modified PUT of the circuit (bandwidth and/or SKU). Nothing is sent when the circuit already has
   * both. A refusal (a decrease, UnlimitedData → MeteredData, no capacity on the port) is permanent.
   */
  azureUpdateCircuit: {
    input: z.object({ opContext, azure: azureScope, bandwidthInMbps: z.number().int().positive(), sku: circuitSku }),
    output: circuitSettings,
  },
  azureUpdateCircuitTags: { input: z.object({ opContext, azure: azureScope, ...tagChange.shape }), output: circuitSettings },
  /** The provider's view of the circuit's service key (read from the circuit inside the activity: it is a secret). */
  ociReadProviderKey: {
    input: z.object({ opContext, azure: azureScope, region, providerServiceId: ocid("providerservice") }),
    output: observed({ bandwidthShapeName: z.string().nullable(), peeringLocation: z.string().nullable() }),
  },
  ociReadVirtualCircuitSettings: { input: z.object({ opContext, oci: ociScope, ...vcRef }), output: virtualCircuitSettings },
  ociUpdateVirtualCircuitShape: {
    input: z.object({ opContext, oci: ociScope, ...vcRef, bandwidthShapeName: text }),
    output: virtualCircuitSettings,
  },
  ociUpdateVirtualCircuitTags: {
    input: z.object({ opContext, oci: ociScope, ...vcRef, ...tagChange.shape }),
    output: virtualCircuitSettings,
  },
  /** GET + PUT of the connection with expressRouteGatewayBypass set; nothing is sent when it already is. */
  azureSetConnectionFastPath: { input: z.object({ opContext, azure: azureScope, fastPath: z.boolean() }), output: connectionObservation },
  /**
   * The record's spec becomes the changed one (and its desired snapshot with it), only by the change
   * that owns the record and only once the change is verified.
   */
  recordCommitChange: {
    input: z.object({ opContext, name: interconnectName, expectedOperationId: z.string().min(1), spec: z.record(z.string(), z.unknown()) }),
    output: z.object({ committed: z.literal(true) }),
  },
} satisfies ActivityFamily;
