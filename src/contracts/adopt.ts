/**
 * Adopting an interconnect built by hand (day2-operations.md §5): finding the other side by the service
 * key (which never leaves the activity that matches it), reading what links the two, and writing the
 * record of a verified chain.
 */
import { z } from "zod";
import { interconnectResourcesSchema } from "../domain/resources";
import { armId, azureScope, guid, interconnectName, ocid, ociScope, opContext, region, type ActivityFamily } from "./common";

const nullableText = z.string().nullable();

export const adoptedCircuit = z.object({
  id: z.string(),
  name: z.string(),
  resourceGroup: z.string(),
  location: z.string(),
  peeringLocation: z.string(),
  serviceProviderName: z.string(),
  serviceProviderProvisioningState: z.string(),
  provisioningState: z.string(),
  bandwidthInMbps: z.number(),
  sku: z.object({ tier: z.string(), family: z.string() }),
  peering: z
    .object({
      peerASN: z.number().nullable(),
      primaryPeerAddressPrefix: nullableText,
      secondaryPeerAddressPrefix: nullableText,
      state: z.string(),
    })
    .nullable(),
  globalReachLinks: z.number(),
});

export const adoptedVirtualCircuit = z.object({
  id: z.string(),
  type: z.string(),
  providerName: z.string(),
  lifecycleState: z.string(),
  providerState: z.string(),
  bgpSessionState: z.string(),
  bandwidthShapeName: z.string(),
  gatewayId: z.string(),
  providerServiceId: z.string(),
  mappings: z.array(z.object({ oracleBgpPeeringIp: z.string(), customerBgpPeeringIp: z.string() })),
});

const found = <S extends z.ZodRawShape>(shape: S) => z.object({ found: z.boolean(), ...shape });

export const adoptActivities = {
  /** From the circuit to its virtual circuit or the other way, matching the service key inside this step. */
  adoptLocate: {
    input: z.object({
      opContext,
      subscriptionId: guid,
      oci: ociScope,
      circuitId: armId.optional(),
      virtualCircuitId: ocid("virtualcircuit").optional(),
    }),
    output: z.object({
      circuit: adoptedCircuit.nullable(),
      virtualCircuit: adoptedVirtualCircuit.nullable(),
      providerKey: z.object({ bandwidthShapeName: nullableText, peeringLocation: nullableText }).nullable(),
      /** Why the pair was not found, when it was not. */
      problem: z.string().nullable(),
    }),
  },
  adoptReadAzure: {
    input: z.object({ opContext, azure: azureScope, connectionName: z.string().min(1) }),
    output: z.object({
      connection: found({
        peerId: z.string().optional(),
        gatewayId: z.string().optional(),
        provisioningState: z.string().optional(),
        connectionStatus: z.string().optional(),
        fastPath: z.boolean().optional(),
      }),
      gateway: found({
        id: z.string().optional(),
        name: z.string().optional(),
        resourceGroup: z.string().optional(),
        provisioningState: z.string().optional(),
        sku: z.string().optional(),
        scaleUnits: z.number().optional(),
      }),
      vnet: found({
        id: z.string().optional(),
        name: z.string().optional(),
        resourceGroup: z.string().optional(),
        addressPrefixes: z.array(z.string()).optional(),
        gatewaySubnetPrefix: nullableText.optional(),
        gatewaySubnetId: z.string().optional(),
      }),
    }),
  },
  adoptReadOci: {
    input: z.object({ opContext, region, drgId: ocid("drg"), vcnId: ocid("vcn"), compartmentId: z.string().min(1) }),
    output: z.object({
      drg: found({ lifecycleState: z.string().optional() }),
      attachment: found({ id: z.string().optional(), lifecycleState: z.string().optional() }),
      vcn: found({ cidrBlocks: z.array(z.string()).optional(), routeTableId: z.string().optional() }),
      routeRules: z.array(z.object({ destination: z.string(), networkEntityId: z.string() })),
    }),
  },
  /** Creates the record of a verified adoption, active at once (requested → provisioning → active in one step). */
  recordAdopt: {
    input: z.object({
      opContext,
      name: interconnectName,
      spec: z.record(z.string(), z.unknown()),
      bgpPlan: z.record(z.string(), z.unknown()),
      resources: interconnectResourcesSchema,
    }),
    output: z.object({ created: z.boolean() }),
  },
} satisfies ActivityFamily;
