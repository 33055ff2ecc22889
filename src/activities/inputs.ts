/**
 * Input schemas of the activities (contracts/ types). The orchestrator is the only caller, but a
 * history written by an older version of it is an outside input too: a bad field fails the step
 * at once, naming the field, instead of reaching a cloud API.
 */
import { z } from "zod";
import type { ActivityInput, ActivityName } from "./contracts";

const text = z.string().min(1).max(1024);
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be an IPv4 CIDR such as 10.10.0.0/16");
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID");
const armId = z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/[^/]+\/[^/]+/i, "must be an ARM resource id");
const ocid = (kind: string) => z.string().regex(new RegExp(`^ocid1\\.${kind}\\.`), `must be an OCID (ocid1.${kind}.…)`);
const compartmentOcid = z.string().regex(/^ocid1\.(compartment|tenancy)\./, "must be a compartment or tenancy OCID");
const region = z.string().regex(/^[a-z]{2,}-[a-z]+-\d+$/, "must be an OCI region id such as us-ashburn-1");

const opContext = z.object({
  interconnect: z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, "must be an interconnect name"),
  instanceId: z.string().min(1).max(200),
  operation: z.enum(["provision", "teardown", "plan"]),
  actor: z.string().min(1).max(256).optional(),
  ticketRef: z.string().min(1).max(100).optional(),
});

const azure = z.object({ subscriptionId: guid, resourceGroup: z.string().min(1).max(90) });
const oci = z.object({ region, compartmentId: compartmentOcid });
const mapping = z.object({ customerBgpPeeringIp: cidr, oracleBgpPeeringIp: cidr });
// The spec's own rule (domain/spec.ts) is stricter; this only keeps a corrupted history from reaching a cloud API.
const tags = z.record(z.string().min(1).max(128), z.string().max(256)).optional();

const schemas = {
  azureReadVirtualNetwork: z.object({ opContext, azure, virtualNetworkName: text }),
  azureReadProviderOffer: z.object({ opContext, subscriptionId: guid, peeringLocation: text, bandwidthInMbps: z.number().int().positive() }),
  ociReadVcn: z.object({ opContext, region, vcnId: ocid("vcn") }),
  ociReadProviderService: z.object({ opContext, region, compartmentId: compartmentOcid }),
  ociReadDrg: z.object({ opContext, region, drgId: ocid("drg"), vcnId: ocid("vcn") }),

  azureEnsureGatewaySubnet: z.object({ opContext, azure, virtualNetworkName: text, addressPrefix: cidr }),
  azureEnsureGateway: z.object({
    opContext,
    azure,
    location: text,
    virtualNetworkName: text,
    gatewaySubnetId: armId,
    sku: z.enum(["Standard", "HighPerformance", "UltraPerformance", "ErGw1AZ", "ErGw2AZ", "ErGw3AZ", "ErGwScale"]),
    scaleUnits: z.number().int().min(1).max(40).optional(),
    tags,
  }),
  ociEnsureDrg: z.object({ opContext, oci, tags }),
  ociEnsureDrgAttachment: z.object({ opContext, oci, drgId: ocid("drg"), vcnId: ocid("vcn"), tags }),
  azureEnsureCircuit: z.object({
    opContext,
    azure,
    location: text,
    peeringLocation: text,
    bandwidthInMbps: z.number().int().positive(),
    sku: z.object({ tier: z.enum(["Standard", "Premium", "Local"]), family: z.enum(["MeteredData", "UnlimitedData"]) }),
    tags,
  }),
  ociEnsureVirtualCircuit: z.object({
    opContext,
    oci,
    azure,
    providerServiceId: ocid("providerservice"),
    bandwidthShapeName: text,
    drgId: ocid("drg"),
    crossConnectMappings: z.tuple([mapping, mapping]),
    tags,
  }),
  ociEnsureRouteRules: z.object({
    opContext,
    region,
    routeTableId: ocid("routetable"),
    drgId: ocid("drg"),
    destinations: z.array(cidr).min(1).max(100),
  }),
  azureEnsureConnection: z.object({ opContext, azure, location: text, gatewayId: armId, circuitId: armId, expressRouteGatewayBypass: z.boolean(), tags }),

  azureGetGateway: z.object({ opContext, azure, gatewayId: armId.optional() }),
  ociGetDrg: z.object({ opContext, oci, drgId: ocid("drg").optional() }),
  ociGetDrgAttachment: z.object({ opContext, oci, vcnId: ocid("vcn"), drgAttachmentId: ocid("drgattachment").optional(), drgId: ocid("drg").optional() }),
  azureGetCircuit: z.object({ opContext, azure }),
  ociGetVirtualCircuit: z.object({ opContext, oci, virtualCircuitId: ocid("virtualcircuit").optional() }),
  azureGetConnection: z.object({ opContext, azure }),
  azureReadPeeringTables: z.object({ opContext, azure, devicePath: z.enum(["primary", "secondary"]) }),

  azureDeleteConnection: z.object({ opContext, azure }),
  ociDeleteVirtualCircuit: z.object({ opContext, oci, virtualCircuitId: ocid("virtualcircuit").optional() }),
  azureDeleteCircuit: z.object({ opContext, azure }),
  ociRemoveRouteRules: z.object({ opContext, region, routeTableId: ocid("routetable") }),
  ociDeleteDrgAttachment: z.object({ opContext, oci, vcnId: ocid("vcn"), drgAttachmentId: ocid("drgattachment").optional(), drgId: ocid("drg").optional() }),
  ociDeleteDrg: z.object({ opContext, oci, drgId: ocid("drg").optional() }),
  azureDeleteGateway: z.object({ opContext, azure, gatewayId: armId.optional() }),
  azureDeleteGatewaySubnet: z.object({ opContext, azure, virtualNetworkName: text }),

  provisioningInstanceState: z.object({ opContext, instanceId: z.string().min(1).max(200) }),
} satisfies { [K in Exclude<ActivityName, "recordRead" | "recordUpdate" | "auditAppend" | "resourceUsageRead">]: z.ZodType<ActivityInput<K>> };

export type CloudActivity = keyof typeof schemas;

export function inputSchema<N extends CloudActivity & ActivityName>(name: N): z.ZodType<ActivityInput<N>> {
  return schemas[name] as unknown as z.ZodType<ActivityInput<N>>;
}

export { opContext as opContextSchema };

/** The spec's tags under the interconnect tag, which always names the interconnect. */
export function withInterconnectTag(tags: Record<string, string> | undefined, interconnect: string): Record<string, string> {
  return { ...tags, interconnect };
}
