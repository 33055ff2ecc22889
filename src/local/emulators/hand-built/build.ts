import type { Json } from "../arm/body";
import { contains, ipToString, overlaps, parseCidr } from "../arm/cidr";
import { ArmError } from "../arm/errors";
import type { RunningArmEmulator } from "../arm/server";
import { peeringLocationsServing } from "../oci/catalog";
import { OciApiError } from "../oci/errors";
import type { OciEmulator } from "../oci";
import { type HandBuiltRequest, type SeedProblem, SeedRefused, parseHandBuilt } from "./request";

/**
 * Builds a whole interconnect in both emulated clouds as a person at the Azure portal and the OCI Console
 * would, in their order (Microsoft's and Oracle's guides): GatewaySubnet, public IP and ExpressRoute gateway
 * in the VNet; the circuit with the provider "Oracle Cloud FastConnect"; DRG and its VCN attachment; the
 * FastConnect virtual circuit carrying the circuit's service key; the VCN route rules to the DRG; the
 * connection gateway ⇄ circuit. Each step goes through the emulators' own operations; their durations are
 * skipped (the interconnect was built long ago), but Oracle's side still provisions the circuit and creates
 * its private peering. Nothing is tagged for this service. All or nothing: a step that fails undoes the
 * ones before it. The answer holds the ids an adoption takes; the service key only masked.
 */
export function seedHandBuilt(arm: RunningArmEmulator, oci: OciEmulator, body: unknown): Json {
  const r = parseHandBuilt(body);
  const plan = planOf(arm, oci, r);
  const savedArm = arm.byHand.save();
  const savedOci = oci.byHand.save();
  try {
    return build(arm, oci, r, plan);
  } catch (e) {
    arm.byHand.restore(savedArm);
    oci.byHand.restore(savedOci);
    if (e instanceof SeedRefused) throw e;
    if (e instanceof OciApiError || e instanceof ArmError)
      throw new ArmError(e.status, e.code, `${(e as Error).message} (nothing of the hand-built interconnect was left behind)`);
    throw e;
  }
}

interface Plan {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  base: string;
  vnetId: string;
  vnetPrefixes: string[];
  gatewaySubnet: { id: string; prefix: string; exists: boolean };
  names: Required<HandBuiltRequest["names"]>;
  fastPath: boolean;
  vcn: { id: string; compartmentId: string; routeTableId: string };
  routed: string[];
  omitted: string | null;
}

const GATEWAY_SUBNET = "GatewaySubnet";
const DEFAULT_GATEWAY_SUBNET_PREFIX = "10.10.255.0/27";
const refused = (status: number, code: string, problems: SeedProblem[]) => new SeedRefused(status, code, problems);

/** Everything checked against the two clouds before anything is built: 400 for what the request gets wrong, 409 for what is taken. */
function planOf(arm: RunningArmEmulator, oci: OciEmulator, r: HandBuiltRequest): Plan {
  const subscriptionId = arm.subscriptionId;
  const resourceGroup = r.resourceGroup ?? arm.resourceGroup;
  if (!arm.byHand.hasResourceGroup(subscriptionId, resourceGroup))
    throw refused(400, "InvalidHandBuiltInterconnect", [
      { target: "resourceGroup", message: `no resource group ${resourceGroup} in subscription ${subscriptionId}` },
    ]);
  const base = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network`;
  const vnetId = `${base}/virtualNetworks/${r.virtualNetwork}`;
  const problems: SeedProblem[] = [];
  const vnet = arm.byHand.find(vnetId);
  if (!vnet) problems.push({ target: "virtualNetwork", message: `no virtual network ${r.virtualNetwork} in ${resourceGroup}` });
  const props = (vnet?.properties ?? {}) as Json;
  const vnetPrefixes = ((props.addressSpace as Json | undefined)?.addressPrefixes as string[] | undefined) ?? [];
  const subnets = ((props.subnets as Json[] | undefined) ?? []).map((s) => ({
    name: String(s.name),
    prefix: String((s.properties as Json).addressPrefix),
  }));
  const existingGatewaySubnet = subnets.find((s) => s.name === GATEWAY_SUBNET);
  let gatewaySubnetPrefix = existingGatewaySubnet?.prefix ?? r.gatewaySubnetPrefix ?? DEFAULT_GATEWAY_SUBNET_PREFIX;
  if (vnet && existingGatewaySubnet && r.gatewaySubnetPrefix && r.gatewaySubnetPrefix !== existingGatewaySubnet.prefix)
    problems.push({
      target: "gatewaySubnetPrefix",
      message: `the VNet has a GatewaySubnet already, ${existingGatewaySubnet.prefix}; leave this out to use it`,
    });
  if (vnet && !existingGatewaySubnet) {
    const wanted = parseCidr(gatewaySubnetPrefix);
    const inside = vnetPrefixes.some((p) => wanted && contains(parseCidr(p)!, wanted));
    const clash = subnets.find((s) => wanted && overlaps(parseCidr(s.prefix)!, wanted));
    if (!wanted || wanted.prefix > 29 || !inside || clash)
      problems.push({
        target: "gatewaySubnetPrefix",
        message: !inside
          ? `${gatewaySubnetPrefix} is not inside the VNet's address space ${vnetPrefixes.join(", ")}${r.gatewaySubnetPrefix ? "" : " (give one that is)"}`
          : clash
            ? `${gatewaySubnetPrefix} overlaps subnet ${clash.name} (${clash.prefix})`
            : `${gatewaySubnetPrefix} is smaller than a /29, the least a gateway takes (a /27 is advised)`,
      });
    gatewaySubnetPrefix = wanted ? gatewaySubnetPrefix : DEFAULT_GATEWAY_SUBNET_PREFIX;
  }
  const served = peeringLocationsServing(oci.region);
  if (!served.includes(r.peeringLocation))
    problems.push({
      target: "peeringLocation",
      message: `"${r.peeringLocation}" does not serve the OCI region ${oci.region} (served: ${served.join(", ")})`,
    });
  const vcnId = r.vcnId ?? oci.seed.vcnId;
  const vcn = findVcn(oci, vcnId);
  if (!vcn) problems.push({ target: "vcnId", message: `no VCN ${vcnId} in ${oci.region}` });
  for (const [field, block] of Object.entries(r.bgp)) {
    const b = parseCidr(block)!;
    const hit = [...vnetPrefixes, ...(vcn?.cidrBlocks ?? [])].find((p) => overlaps(parseCidr(p)!, b));
    if (hit) problems.push({ target: `bgp.${field}`, message: `${block} overlaps ${hit} of the VNet or the VCN` });
  }
  const omitted = r.omitRouteRule === true ? (vnetPrefixes[0] ?? null) : (r.omitRouteRule ?? null);
  if (vnet && omitted !== null && !vnetPrefixes.includes(omitted))
    problems.push({ target: "omitRouteRule", message: `${omitted} is not one of the VNet's prefixes ${vnetPrefixes.join(", ")}` });
  const fastPath = r.gateway.fastPath ?? ["UltraPerformance", "ErGw3AZ"].includes(r.gateway.sku);
  if (problems.length) throw refused(400, "InvalidHandBuiltInterconnect", problems);

  const names = {
    circuit: r.names.circuit ?? `er-${r.name}`,
    gateway: r.names.gateway ?? `ergw-${r.name}`,
    publicIp: r.names.publicIp ?? `pip-ergw-${r.name}`,
    connection: r.names.connection ?? `conn-${r.name}`,
    drg: r.names.drg ?? `drg-${r.name}`,
    drgAttachment: r.names.drgAttachment ?? `drgattachment-${r.name}`,
    virtualCircuit: r.names.virtualCircuit ?? `vc-${r.name}`,
  };
  const plan: Plan = {
    subscriptionId,
    resourceGroup,
    location: r.location ?? String(vnet!.location),
    base,
    vnetId,
    vnetPrefixes,
    gatewaySubnet: { id: `${vnetId}/subnets/${GATEWAY_SUBNET}`, prefix: gatewaySubnetPrefix, exists: !!existingGatewaySubnet },
    names,
    fastPath,
    vcn: vcn!,
    routed: vnetPrefixes.filter((p) => p !== omitted),
    omitted,
  };
  const conflicts = conflictsOf(arm, oci, plan);
  if (conflicts.length) throw refused(409, "HandBuiltInterconnectConflict", conflicts);
  return plan;
}

function findVcn(
  oci: OciEmulator,
  vcnId: string,
): { id: string; compartmentId: string; routeTableId: string; cidrBlocks: string[] } | undefined {
  try {
    const v = oci.byHand.call("GET", `vcns/${vcnId}`);
    return {
      id: vcnId,
      compartmentId: String(v.compartmentId),
      routeTableId: String(v.defaultRouteTableId),
      cidrBlocks: v.cidrBlocks as string[],
    };
  } catch (e) {
    if (e instanceof OciApiError && e.status === 404) return undefined;
    throw e;
  }
}

/** What is taken already: a name in the resource group, the VNet's one ExpressRoute gateway, the VCN's one DRG, a routed prefix. */
function conflictsOf(arm: RunningArmEmulator, oci: OciEmulator, p: Plan): SeedProblem[] {
  const out: SeedProblem[] = [];
  const taken = (field: keyof Plan["names"], type: string) => {
    if (arm.byHand.find(`${p.base}/${type}/${p.names[field]}`))
      out.push({ target: `names.${field}`, message: `${type} ${p.names[field]} exists in ${p.resourceGroup}; choose another name` });
  };
  taken("circuit", "expressRouteCircuits");
  taken("gateway", "virtualNetworkGateways");
  taken("publicIp", "publicIPAddresses");
  taken("connection", "connections");
  const arms = arm.snapshot().resources;
  const rival = Object.values(arms).find(
    (g) =>
      g.type === "Microsoft.Network/virtualNetworkGateways" &&
      g.properties.gatewayType === "ExpressRoute" &&
      ((g.properties.ipConfigurations as Json[] | undefined) ?? []).some((c) =>
        String(((c.properties as Json).subnet as Json).id)
          .toLowerCase()
          .startsWith(`${p.vnetId.toLowerCase()}/`),
      ),
  );
  if (rival)
    out.push({
      target: "virtualNetwork",
      message: `${p.vnetId.split("/").pop()} has an ExpressRoute gateway already (${rival.id}); a VNet holds one: seed into another VNet`,
    });
  const state = oci.snapshot() as {
    drgAttachments: { id: string; vcnId: string; drgId: string; lifecycleState: string }[];
    routeTables: { id: string; routeRules: { destination: string; networkEntityId: string }[] }[];
  };
  const attached = state.drgAttachments.find((a) => a.vcnId === p.vcn.id && a.lifecycleState !== "DETACHED");
  if (attached)
    out.push({
      target: "vcnId",
      message: `the VCN is attached to DRG ${attached.drgId} already (a VCN takes one DRG): seed into another VCN`,
    });
  const rules = state.routeTables.find((t) => t.id === p.vcn.routeTableId)?.routeRules ?? [];
  for (const prefix of p.routed) {
    const rule = rules.find((x) => x.destination === prefix);
    if (rule) out.push({ target: "vcnId", message: `the VCN's route table routes ${prefix} to ${rule.networkEntityId} already` });
  }
  return out;
}

function build(arm: RunningArmEmulator, oci: OciEmulator, r: HandBuiltRequest, p: Plan): Json {
  const portal = arm.byHand;
  const console = oci.byHand;
  const id = (type: string, name: string) => `${p.base}/${type}/${name}`;
  const location = p.location;

  // Azure first, the gateway above all (20-45 minutes when built for real).
  if (!p.gatewaySubnet.exists) portal.call("PUT", p.gatewaySubnet.id, { properties: { addressPrefix: p.gatewaySubnet.prefix } });
  const publicIpId = id("publicIPAddresses", p.names.publicIp);
  portal.call("PUT", publicIpId, { location, sku: { name: "Standard" }, properties: { publicIPAllocationMethod: "Static" } });
  portal.finishNow([p.gatewaySubnet.id, publicIpId]);
  const gatewayId = id("virtualNetworkGateways", p.names.gateway);
  portal.call("PUT", gatewayId, {
    location,
    properties: {
      gatewayType: "ExpressRoute",
      sku: { name: r.gateway.sku, tier: r.gateway.sku },
      ipConfigurations: [{ name: "default", properties: { subnet: { id: p.gatewaySubnet.id }, publicIPAddress: { id: publicIpId } } }],
    },
  });
  const circuitId = id("expressRouteCircuits", p.names.circuit);
  const circuit = portal.call("PUT", circuitId, {
    location,
    sku: { name: `${r.circuitSku.tier}_${r.circuitSku.family}`, ...r.circuitSku },
    properties: {
      serviceProviderProperties: {
        serviceProviderName: "Oracle Cloud FastConnect",
        peeringLocation: r.peeringLocation,
        bandwidthInMbps: r.bandwidthInMbps,
      },
    },
  });
  portal.finishNow([gatewayId, circuitId]);
  const serviceKey = String((circuit.properties as Json).serviceKey);

  // OCI: the DRG on the VCN, then the virtual circuit with the key copied from the portal.
  const drg = console.call("POST", "drgs", { compartmentId: p.vcn.compartmentId, displayName: p.names.drg });
  const drgId = String(drg.id);
  console.finishNow([drgId]);
  const attachment = console.call("POST", "drgAttachments", {
    drgId,
    displayName: p.names.drgAttachment,
    networkDetails: { type: "VCN", id: p.vcn.id },
  });
  const drgAttachmentId = String(attachment.id);
  console.finishNow([drgAttachmentId]);
  // Oracle's BGP address is the 2nd of each /30, Azure's the 3rd (Oracle's "Access to Microsoft Azure" guide).
  const mapping = (block: string) => {
    const base = parseCidr(block)!.base;
    return { oracleBgpPeeringIp: `${ipToString(base + 1)}/30`, customerBgpPeeringIp: `${ipToString(base + 2)}/30` };
  };
  const vc = console.call("POST", "virtualCircuits", {
    compartmentId: p.vcn.compartmentId,
    displayName: p.names.virtualCircuit,
    type: "PRIVATE",
    bandwidthShapeName: `${r.bandwidthInMbps / 1000} Gbps`,
    gatewayId: drgId,
    providerServiceId: oci.seed.providerServiceId,
    providerServiceKeyName: serviceKey,
    crossConnectMappings: [mapping(r.bgp.primaryPeeringCidr), mapping(r.bgp.secondaryPeeringCidr)],
  });
  const virtualCircuitId = String(vc.id);
  console.finishNow([virtualCircuitId]);
  const provisioned = console.call("GET", `virtualCircuits/${virtualCircuitId}`);
  if (provisioned.lifecycleState !== "PROVISIONED" || provisioned.bgpSessionState !== "UP")
    throw refused(409, "HandBuiltInterconnectNotProvisioned", [
      {
        target: "oci",
        message: `the virtual circuit is ${String(provisioned.lifecycleState)} with BGP ${String(provisioned.bgpSessionState)}${provisioned.referenceComment ? ` (${String(provisioned.referenceComment)})` : ""}: a fault on the OCI emulator (providerNeverProvisions, bgpStaysDown) holds Oracle's side; clear it (PUT /admin/faults on the OCI emulator) and seed again`,
      },
    ]);

  // The VCN's route rules to the DRG: one per VNet prefix, but the one left out on purpose.
  const table = console.call("GET", `routeTables/${p.vcn.routeTableId}`);
  console.call("PUT", `routeTables/${p.vcn.routeTableId}`, {
    routeRules: [
      ...(table.routeRules as Json[]),
      ...p.routed.map((destination) => ({ destination, destinationType: "CIDR_BLOCK", networkEntityId: drgId })),
    ],
  });

  // Last, the connection: the circuit must be Provisioned with the peering Oracle created.
  const connectionId = id("connections", p.names.connection);
  portal.call("PUT", connectionId, {
    location,
    properties: {
      connectionType: "ExpressRoute",
      virtualNetworkGateway1: { id: gatewayId },
      peer: { id: circuitId },
      routingWeight: 0,
      expressRouteGatewayBypass: p.fastPath,
    },
  });
  portal.finishNow([connectionId]);
  const connection = portal.call("GET", connectionId).properties as Json;
  if (connection.connectionStatus !== "Connected")
    throw new ArmError(
      500,
      "InternalServerError",
      `The connection ended ${String(connection.provisioningState)}/${String(connection.connectionStatus)}.`,
    );

  return {
    name: r.name,
    azure: {
      subscriptionId: p.subscriptionId,
      resourceGroup: p.resourceGroup,
      location,
      virtualNetworkId: p.vnetId,
      gatewaySubnetId: p.gatewaySubnet.id,
      publicIpId,
      gatewayId,
      circuitId,
      connectionId,
      peeringLocation: r.peeringLocation,
      bandwidthInMbps: r.bandwidthInMbps,
      fastPath: p.fastPath,
      serviceKey: maskServiceKey(serviceKey),
    },
    oci: {
      region: oci.region,
      compartmentId: p.vcn.compartmentId,
      vcnId: p.vcn.id,
      routeTableId: p.vcn.routeTableId,
      drgId,
      drgAttachmentId,
      virtualCircuitId,
      routeRules: p.routed.map((destination) => ({ destination, networkEntityId: drgId })),
      omittedRouteRule: p.omitted,
    },
    bgp: r.bgp,
    adoption: {
      name: r.name,
      azure: { circuitId, connectionName: p.names.connection },
      oci: { region: oci.region, compartmentId: p.vcn.compartmentId, vcnId: p.vcn.id },
    },
  };
}

/** The service key is a bearer secret (whoever has it can attach a circuit): only its first group is shown. */
function maskServiceKey(key: string): string {
  return `${key.slice(0, 8)}-****-****-****-************`;
}
