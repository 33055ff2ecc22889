import { z } from "zod";
import { type PeeringLocationCatalog, findCatalogRow } from "./catalog";
import { ValidationError, type ValidationIssue } from "./errors";
import { cidrRange, formatIpv4, parseCidr } from "./ipv4";
import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE } from "./names";
import { EXPRESSROUTE_SERVICE_PROVIDER, FASTCONNECT_PROVIDER_NAME, ORACLE_BGP_ASN } from "./skus";
import { issuesFromZod, strictObject } from "./zod-issues";

/**
 * Adopting an interconnect built by hand or by Terraform (day2-operations.md §5): the request, what the
 * owner may let the service tear down, and the verification of the whole chain as provisioning verifies
 * it. Pure: the workflow reads, this decides.
 */

/**
 * What the owner may let the service remove, in the teardown's order. Each needs the ones before it in
 * its chain: a virtual circuit removed under a live connection leaves the circuit Failed, a circuit is
 * deleted only once the virtual circuit is gone, a gateway only without its connection. The DRG, its
 * attachment and hand-made route rules are never removed (the rules carry no mark of this service).
 */
export const GRANTABLE = ["connection", "virtual-circuit", "circuit", "gateway", "gateway-subnet"] as const;
export type Grantable = (typeof GRANTABLE)[number];
const NEEDS: Record<Grantable, Grantable[]> = {
  connection: [],
  "virtual-circuit": ["connection"],
  circuit: ["virtual-circuit", "connection"],
  gateway: ["connection"],
  "gateway-subnet": ["gateway"],
};

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const CIRCUIT_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/expressRouteCircuits\/([^/]+)$/i;

const adoptionSchema = strictObject(
  {
    name: z.string({ error: "required: 3-40 characters" }).regex(INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE),
    azure: strictObject(
      {
        subscriptionId: z.string().regex(GUID, "must be a subscription GUID").optional(),
        circuitId: z
          .string()
          .regex(CIRCUIT_ID, "must be an ExpressRoute circuit's ARM id (/subscriptions/…/expressRouteCircuits/<name>)")
          .optional(),
        connectionName: z.string({ error: "required: the name of the connection gateway ⇄ circuit" }).min(1).max(80),
      },
      "an object {circuitId?, subscriptionId?, connectionName}",
    ),
    oci: strictObject(
      {
        region: z
          .string({ error: "required: an OCI region id such as us-ashburn-1" })
          .regex(/^[a-z]{2,}-[a-z]+-\d+$/, "must be an OCI region id"),
        compartmentId: z
          .string({ error: "required: the compartment of the virtual circuit" })
          .regex(/^ocid1\.(compartment|tenancy)\./, "must be a compartment OCID"),
        vcnId: z.string({ error: "required: the VCN the DRG is attached to" }).regex(/^ocid1\.vcn\./, "must be a VCN OCID"),
        virtualCircuitId: z
          .string()
          .regex(/^ocid1\.virtualcircuit\./, "must be a virtual circuit OCID")
          .optional(),
      },
      "an object {region, compartmentId, vcnId, virtualCircuitId?}",
    ),
    grant: z.array(z.enum(GRANTABLE, { error: `must be one of ${GRANTABLE.join(", ")}` })).default([]),
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
  },
  "a JSON object",
);

export type AdoptionRequest = z.output<typeof adoptionSchema>;
export const adoptionRequestSchema = adoptionSchema;

/** Validates an adoption request; every problem at once (400). */
export function parseAdoptionRequest(input: unknown): AdoptionRequest & { subscriptionId: string } {
  const parsed = adoptionSchema.safeParse(input);
  const issues: ValidationIssue[] = parsed.success ? [] : issuesFromZod(parsed.error);
  if (!parsed.success) throw new ValidationError(issues);
  const r = parsed.data;
  if ((r.azure.circuitId === undefined) === (r.oci.virtualCircuitId === undefined))
    issues.push({
      path: "azure.circuitId",
      message: "give exactly one of azure.circuitId and oci.virtualCircuitId: the other side is found from it",
    });
  const fromId = r.azure.circuitId ? CIRCUIT_ID.exec(r.azure.circuitId)?.[1] : undefined;
  const subscriptionId = fromId ?? r.azure.subscriptionId;
  if (!subscriptionId)
    issues.push({
      path: "azure.subscriptionId",
      message: "required with oci.virtualCircuitId: the circuits of this subscription are searched for its service key",
    });
  for (const g of r.grant) {
    const missing = NEEDS[g].filter((n) => !r.grant.includes(n));
    if (missing.length > 0)
      issues.push({
        path: "grant",
        message: `"${g}" needs ${missing.map((m) => `"${m}"`).join(" and ")} granted too: teardown removes them in that order`,
      });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { ...r, subscriptionId: subscriptionId as string };
}

/** What the adoption found on both clouds (the workflow's reads). */
export interface AdoptionFacts {
  circuit: {
    id: string;
    name: string;
    resourceGroup: string;
    location: string;
    peeringLocation: string;
    serviceProviderName: string;
    serviceProviderProvisioningState: string;
    provisioningState: string;
    bandwidthInMbps: number;
    sku: { tier: string; family: string };
    peering: {
      peerASN: number | null;
      primaryPeerAddressPrefix: string | null;
      secondaryPeerAddressPrefix: string | null;
      state: string;
    } | null;
    globalReachLinks: number;
  };
  virtualCircuit: {
    id: string;
    type: string;
    providerName: string;
    lifecycleState: string;
    providerState: string;
    bgpSessionState: string;
    bandwidthShapeName: string;
    gatewayId: string;
    mappings: { oracleBgpPeeringIp: string; customerBgpPeeringIp: string }[];
  };
  providerKey: { bandwidthShapeName: string | null; peeringLocation: string | null } | null;
  connection: {
    found: boolean;
    peerId?: string;
    gatewayId?: string;
    provisioningState?: string;
    connectionStatus?: string;
    fastPath?: boolean;
  };
  gateway: { found: boolean; name?: string; resourceGroup?: string; provisioningState?: string; sku?: string; scaleUnits?: number };
  vnet: { found: boolean; name?: string; resourceGroup?: string; addressPrefixes?: string[]; gatewaySubnetPrefix?: string | null };
  drg: { found: boolean; lifecycleState?: string };
  attachment: { found: boolean; id?: string; lifecycleState?: string };
  vcn: { found: boolean; cidrBlocks?: string[]; routeTableId?: string };
  routeRules: { destination: string; networkEntityId: string }[];
  /** What the peering's ARP and route tables lack on each device path (verify.ts peeringTableGaps). */
  peeringGaps: string[];
}

export interface AdoptionProblem {
  path: string;
  message: string;
  fix: string;
}

const shapeMbps = (shape: string | null | undefined) => {
  const m = /^(\d+)\s*Gbps$/i.exec(shape ?? "");
  return m ? Number(m[1]) * 1000 : undefined;
};

/** The /30 whose 2nd and 3rd addresses are the mapping's Oracle and customer (Azure) BGP addresses. */
function blockOf(mapping: { oracleBgpPeeringIp: string; customerBgpPeeringIp: string }): string | undefined {
  const oracle = parseCidr(mapping.oracleBgpPeeringIp.replace(/\/\d+$/, "/30"));
  if (!oracle) return undefined;
  const first = cidrRange(oracle).first;
  return `${formatIpv4(first)}/30`;
}

/**
 * Everything that is not as provisioning would leave it (day2-operations.md §5 "Verify before adopting"),
 * each with what to fix. Empty: the chain is whole and can be adopted as it is.
 */
export function adoptionProblems(f: AdoptionFacts, ociRegion: string, vcnId: string, catalog: PeeringLocationCatalog): AdoptionProblem[] {
  const p: AdoptionProblem[] = [];
  const add = (path: string, message: string, fix: string) => p.push({ path, message, fix });
  const c = f.circuit;
  const vc = f.virtualCircuit;
  if (c.serviceProviderName !== EXPRESSROUTE_SERVICE_PROVIDER)
    add(
      "circuit.serviceProviderName",
      `is "${c.serviceProviderName}", not "${EXPRESSROUTE_SERVICE_PROVIDER}"`,
      "only an Oracle FastConnect circuit can be adopted",
    );
  if (c.serviceProviderProvisioningState !== "Provisioned")
    add(
      "circuit.serviceProviderProvisioningState",
      `is ${c.serviceProviderProvisioningState}`,
      "wait until Oracle has provisioned the circuit, then adopt again",
    );
  if (c.provisioningState !== "Succeeded")
    add("circuit.provisioningState", `is ${c.provisioningState}`, "refresh the circuit (GET + PUT of the same body), then adopt again");
  const row = findCatalogRow(catalog, ociRegion);
  if (!row?.peeringLocations.includes(c.peeringLocation))
    add(
      "circuit.peeringLocation",
      `"${c.peeringLocation}" does not serve ${ociRegion}`,
      "adopt with the OCI region the circuit's peering location serves",
    );
  if (c.globalReachLinks > 0)
    add(
      "circuit.peerings",
      `has ${c.globalReachLinks} Global Reach link(s)`,
      "unlink Global Reach or adopt without this service (it does not manage Global Reach)",
    );
  if (vc.type !== "PRIVATE") add("virtualCircuit.type", `is ${vc.type}`, "only a PRIVATE virtual circuit can be adopted");
  if (vc.providerName !== FASTCONNECT_PROVIDER_NAME)
    add("virtualCircuit.providerName", `is "${vc.providerName}"`, `its provider must be "${FASTCONNECT_PROVIDER_NAME}"`);
  if (vc.lifecycleState !== "PROVISIONED" || vc.providerState !== "ACTIVE" || vc.bgpSessionState !== "UP")
    add(
      "virtualCircuit.lifecycleState",
      `is ${vc.lifecycleState}, provider ${vc.providerState}, BGP ${vc.bgpSessionState}`,
      "bring the virtual circuit to PROVISIONED / ACTIVE / BGP UP, then adopt again",
    );
  const vcMbps = shapeMbps(vc.bandwidthShapeName);
  const keyMbps = shapeMbps(f.providerKey?.bandwidthShapeName);
  if (vcMbps !== c.bandwidthInMbps || (f.providerKey !== null && keyMbps !== c.bandwidthInMbps))
    add(
      "virtualCircuit.bandwidthShapeName",
      `the circuit has ${c.bandwidthInMbps} Mbps, the virtual circuit ${vc.bandwidthShapeName}, the provider key ${f.providerKey?.bandwidthShapeName ?? "none"}`,
      "make the virtual circuit's shape match the circuit's bandwidth",
    );
  if (![1000, 2000, 5000, 10000].includes(c.bandwidthInMbps))
    add("circuit.bandwidthInMbps", `is ${c.bandwidthInMbps}`, "FastConnect offers 1, 2, 5 or 10 Gbps for Azure");
  const peering = c.peering;
  const blocks = vc.mappings.map(blockOf);
  if (!peering)
    add(
      "circuit.peerings.AzurePrivatePeering",
      "is missing",
      "Oracle creates it when it provisions the virtual circuit; check the virtual circuit",
    );
  else {
    if (peering.peerASN !== ORACLE_BGP_ASN)
      add(
        "circuit.peerings.AzurePrivatePeering.peerASN",
        `is ${peering.peerASN ?? "none"}, not ${ORACLE_BGP_ASN}`,
        "the peering was not made by the provider; only Oracle may configure it",
      );
    if (peering.primaryPeerAddressPrefix !== blocks[0] || peering.secondaryPeerAddressPrefix !== blocks[1])
      add(
        "circuit.peerings.AzurePrivatePeering",
        `has ${peering.primaryPeerAddressPrefix ?? "none"} / ${peering.secondaryPeerAddressPrefix ?? "none"}, the virtual circuit's mappings ${blocks.join(" / ")}`,
        "the virtual circuit's cross-connect mappings and the provider's peering must name the same /30 blocks",
      );
  }
  const conn = f.connection;
  if (!conn.found)
    add("azure.connectionName", "no such connection in the circuit's resource group", "name the connection gateway ⇄ circuit");
  else {
    if (conn.peerId?.toLowerCase() !== c.id.toLowerCase())
      add("azure.connectionName", `links ${conn.peerId ?? "nothing"}, not the circuit`, "name the connection of this circuit");
    if (conn.provisioningState !== "Succeeded" || conn.connectionStatus !== "Connected")
      add(
        "connection.connectionStatus",
        `is ${conn.provisioningState}/${conn.connectionStatus}`,
        "bring the connection to Succeeded / Connected, then adopt again",
      );
  }
  if (conn.found && !f.gateway.found)
    add("connection.virtualNetworkGateway1", "the gateway is not found", "the connection's gateway must exist");
  if (f.gateway.found && f.gateway.provisioningState !== "Succeeded")
    add("gateway.provisioningState", `is ${f.gateway.provisioningState}`, "wait for the gateway to succeed");
  if (f.gateway.found && !f.vnet.found)
    add("gateway.ipConfigurations", "the gateway's virtual network is not found", "the gateway must sit in a VNet's GatewaySubnet");
  if (f.vnet.found && (f.vnet.resourceGroup ?? "").toLowerCase() !== c.resourceGroup.toLowerCase())
    add(
      "azure.circuitId",
      `the circuit is in resource group ${c.resourceGroup}, the VNet and gateway in ${f.vnet.resourceGroup ?? "?"}`,
      "this service keeps an interconnect's circuit, connection, gateway and VNet in one resource group; move them, or keep this interconnect outside the service",
    );
  if (!f.drg.found || f.drg.lifecycleState !== "AVAILABLE")
    add(
      "virtualCircuit.gatewayId",
      `the DRG ${vc.gatewayId} is ${f.drg.lifecycleState ?? "not found"}`,
      "the virtual circuit's DRG must be AVAILABLE",
    );
  if (!f.attachment.found || f.attachment.lifecycleState !== "ATTACHED")
    add(
      "oci.vcnId",
      `the DRG is ${f.attachment.found ? f.attachment.lifecycleState : "not attached"} to ${vcnId}`,
      "attach the virtual circuit's DRG to the VCN",
    );
  if (!f.vcn.found) add("oci.vcnId", "the VCN is not found", "name the VCN the DRG is attached to");
  for (const prefix of f.vnet.addressPrefixes ?? []) {
    if (!f.routeRules.some((r) => r.destination === prefix && r.networkEntityId === vc.gatewayId))
      add(
        "routeRules",
        `the VCN's route table ${f.vcn.routeTableId ?? "?"} has no rule ${prefix} → DRG ${vc.gatewayId}`,
        `add the route rule ${prefix} → the DRG to the VCN's route table, then adopt again (the adoption changes nothing it was not asked to)`,
      );
  }
  for (const gap of f.peeringGaps)
    add("circuit.peerings.AzurePrivatePeering", gap, "check BGP on both paths (the provider, the DRG's VCN advertisements)");
  return p;
}

/** The spec of an adopted interconnect, as the service would have been asked for it (checked by parseInterconnectSpec). */
export function adoptedSpecInput(request: AdoptionRequest & { subscriptionId: string }, f: AdoptionFacts): Record<string, unknown> {
  const c = f.circuit;
  return {
    name: request.name,
    bandwidthGbps: c.bandwidthInMbps / 1000,
    azure: {
      subscriptionId: request.subscriptionId,
      resourceGroup: c.resourceGroup,
      location: c.location,
      peeringLocation: c.peeringLocation,
      circuitSku: c.sku,
      virtualNetwork: { name: f.vnet.name, gatewaySubnetPrefix: f.vnet.gatewaySubnetPrefix },
      gateway: {
        sku: f.gateway.sku,
        fastPath: f.connection.fastPath === true,
        ...(f.gateway.sku === "ErGwScale" ? { scaleUnits: f.gateway.scaleUnits } : {}),
      },
    },
    oci: {
      region: request.oci.region,
      compartmentId: request.oci.compartmentId,
      vcnId: request.oci.vcnId,
      drgId: f.virtualCircuit.gatewayId,
    },
    bgp: { primaryPeeringCidr: c.peering?.primaryPeerAddressPrefix, secondaryPeeringCidr: c.peering?.secondaryPeerAddressPrefix },
    ...(request.tags ? { tags: request.tags } : {}),
  };
}
