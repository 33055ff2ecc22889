import { overlaps, parseIpv4Cidr, type Ipv4Cidr } from "./cidr";
import { invalidParameter } from "./errors";
import type { CrossConnectMapping } from "./model";
import { asBody, rejectUnknownFields, requiredString } from "./validate";

/**
 * Cross-connect mappings of a partner virtual circuit (Oracle, azure.htm "BGP Information You Need"):
 * one block per mapping with a /28../31 mask; the Oracle and the customer (Azure) address lie in the
 * same block, differ, and are not its network or broadcast address; the blocks do not overlap.
 */
export function parseCrossConnectMappings(value: unknown, required: number): CrossConnectMapping[] {
  if (value === undefined || value === null) throw invalidParameter("crossConnectMappings", `${required} mapping(s) are required`);
  if (!Array.isArray(value)) throw invalidParameter("crossConnectMappings", "must be an array");
  if (value.length !== required) {
    throw invalidParameter(
      "crossConnectMappings",
      `exactly ${required} mapping(s) are required (primary${required > 1 ? " and secondary" : ""}), got ${value.length}`,
    );
  }
  const blocks: Ipv4Cidr[] = [];
  return value.map((raw, i) => {
    const path = `crossConnectMappings[${i}]`;
    const m = asBody(raw, path);
    rejectUnknownFields(
      m,
      [
        "customerBgpPeeringIp",
        "oracleBgpPeeringIp",
        "vlan",
        "crossConnectOrCrossConnectGroupId",
        "bgpMd5AuthKey",
        "customerBgpPeeringIpv6",
        "oracleBgpPeeringIpv6",
      ],
      path,
    );
    for (const field of ["vlan", "crossConnectOrCrossConnectGroupId"] as const) {
      if (m[field] !== undefined && m[field] !== null)
        throw invalidParameter(`${path}.${field}`, "is chosen by the provider for a partner virtual circuit");
    }
    for (const field of ["bgpMd5AuthKey", "customerBgpPeeringIpv6", "oracleBgpPeeringIpv6"] as const) {
      if (m[field] !== undefined && m[field] !== null) throw invalidParameter(`${path}.${field}`, "is not supported for Microsoft Azure");
    }
    const customerBgpPeeringIp = requiredString(m, "customerBgpPeeringIp", `${path}.customerBgpPeeringIp`);
    const oracleBgpPeeringIp = requiredString(m, "oracleBgpPeeringIp", `${path}.oracleBgpPeeringIp`);
    const customer = peeringAddress(customerBgpPeeringIp, `${path}.customerBgpPeeringIp`);
    const oracle = peeringAddress(oracleBgpPeeringIp, `${path}.oracleBgpPeeringIp`);
    if (customer.prefixLength !== oracle.prefixLength || customer.network !== oracle.network) {
      throw invalidParameter(path, "oracleBgpPeeringIp and customerBgpPeeringIp must be in the same block");
    }
    if (customer.address === oracle.address) throw invalidParameter(path, "oracleBgpPeeringIp and customerBgpPeeringIp must differ");
    const clash = blocks.findIndex((b) => overlaps(b, customer));
    if (clash >= 0) throw invalidParameter(path, `its block overlaps crossConnectMappings[${clash}]`);
    blocks.push(customer);
    return { customerBgpPeeringIp, oracleBgpPeeringIp };
  });
}

function peeringAddress(text: string, path: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(text);
  if (!cidr) throw invalidParameter(path, `${text} is not an IPv4 address with a mask, e.g. 10.0.0.21/30`);
  if (cidr.prefixLength < 28 || cidr.prefixLength > 31) throw invalidParameter(path, "the mask must be /28 to /31");
  const isEdge = cidr.address === cidr.network || cidr.address === cidr.network + cidr.size - 1;
  if (cidr.prefixLength < 31 && isEdge) throw invalidParameter(path, `${text} is the block's network or broadcast address`);
  return cidr;
}
