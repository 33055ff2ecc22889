import { DomainError, ErrorCodes, ValidationError, type ValidationIssue } from "./errors";
import { type Cidr, cidrRange, cidrsOverlap, formatCidr, formatIpv4, isAligned, nthAddress, parseCidr } from "./ipv4";

/**
 * The BGP peering address plan (interconnect-apis.md §4): per /30 block, the 2nd address is
 * Oracle's and the 3rd is Azure's ("customer" in OCI terms), both written with the /30 mask as
 * OCI's crossConnectMappings want; the Azure private peering shows the blocks themselves.
 */

export interface BgpSession {
  cidr: string;
  oracleBgpPeeringIp: string;
  customerBgpPeeringIp: string;
}

export interface BgpPlan {
  primary: BgpSession;
  secondary: BgpSession;
}

export interface UsedBlock {
  cidr: string;
  heldBy: string;
}

export interface BgpPlanInput {
  requested?: { primary: string; secondary: string };
  /** BGP_ADDRESS_POOL: where blocks are allocated from when none are requested. */
  pool: string;
  /** Blocks other interconnects already use; with `heldBy` (e.g. "interconnect x (active)") a clash names its holder. */
  used: readonly (string | UsedBlock)[];
  /** VNet address space and VCN CIDR blocks; IPv6 prefixes are ignored (they cannot collide). */
  avoid: readonly string[];
}

const PEERING_PREFIX_LENGTH = 30;

export function bgpSession(block: Cidr): BgpSession {
  return {
    cidr: formatCidr(block),
    oracleBgpPeeringIp: `${formatIpv4(nthAddress(block, 1))}/${PEERING_PREFIX_LENGTH}`,
    customerBgpPeeringIp: `${formatIpv4(nthAddress(block, 2))}/${PEERING_PREFIX_LENGTH}`,
  };
}

export function planBgp(input: BgpPlanInput): BgpPlan {
  const usedBlocks = input.used.map((u): { cidr: string; heldBy?: string } => (typeof u === "string" ? { cidr: u } : u));
  const used = parseList(
    usedBlocks.map((u) => u.cidr),
    "used",
  ).map((cidr, i) => ({ cidr, heldBy: usedBlocks[i]?.heldBy }));
  const avoid = parseList(
    input.avoid.filter((c) => !c.includes(":")),
    "avoid",
  );
  return input.requested === undefined
    ? allocate(
        input.pool,
        used.map((u) => u.cidr),
        avoid,
      )
    : checkRequested(input.requested, used, avoid);
}

function checkRequested(
  requested: { primary: string; secondary: string },
  used: { cidr: Cidr; heldBy?: string | undefined }[],
  avoid: Cidr[],
): BgpPlan {
  const issues: ValidationIssue[] = [];
  const blocks: Partial<Record<"primary" | "secondary", Cidr>> = {};
  for (const which of ["primary", "secondary"] as const) {
    const path = `bgp.${which}PeeringCidr`;
    const block = parseCidr(requested[which]);
    if (block === undefined) {
      issues.push({ path, message: "must be an IPv4 CIDR block such as 192.168.100.0/30" });
      continue;
    }
    if (block.prefixLength !== PEERING_PREFIX_LENGTH) {
      issues.push({ path, message: `must be a /30 block; got a /${block.prefixLength}` });
      continue;
    }
    if (!isAligned(block)) {
      issues.push({ path, message: `must be aligned to a /30 boundary, e.g. ${formatIpv4(cidrRange(block).first)}/30` });
      continue;
    }
    const clashAvoid = avoid.find((c) => cidrsOverlap(c, block));
    if (clashAvoid)
      issues.push({ path, message: `overlaps ${formatCidr(clashAvoid)} of the virtual network or the VCN; choose a block outside both` });
    const clashUsed = used.find((u) => cidrsOverlap(u.cidr, block));
    if (clashUsed) {
      const holder = clashUsed.heldBy === undefined ? ", already used by another interconnect" : ` of ${clashUsed.heldBy}`;
      issues.push({ path, message: `overlaps ${formatCidr(clashUsed.cidr)}${holder}` });
    }
    blocks[which] = block;
  }
  if (blocks.primary && blocks.secondary && cidrsOverlap(blocks.primary, blocks.secondary)) {
    issues.push({
      path: "bgp.secondaryPeeringCidr",
      message: "must not overlap bgp.primaryPeeringCidr; the two sessions need separate /30 blocks",
    });
  }
  if (issues.length > 0 || !blocks.primary || !blocks.secondary) throw new ValidationError(issues);
  return { primary: bgpSession(blocks.primary), secondary: bgpSession(blocks.secondary) };
}

function allocate(poolText: string, used: Cidr[], avoid: Cidr[]): BgpPlan {
  const pool = parseCidr(poolText);
  if (pool === undefined || !isAligned(pool) || pool.prefixLength > 29) {
    throw new DomainError(
      ErrorCodes.CONFIGURATION_INVALID,
      "BGP_ADDRESS_POOL must be an aligned IPv4 CIDR block of /29 or larger, e.g. 192.168.100.0/24.",
      { status: 500 },
    );
  }
  const taken = [...used, ...avoid].map(cidrRange);
  const { last } = cidrRange(pool);
  const found: Cidr[] = [];
  let start = cidrRange(pool).first;
  // Jump past each taken range instead of stepping /30 by /30, so a huge pool that is mostly taken stays fast.
  while (found.length < 2 && start + 3 <= last) {
    const clash = taken.find((r) => r.first <= start + 3 && start <= r.last);
    if (clash) {
      start = clash.last + 1 + ((4 - ((clash.last + 1) % 4)) % 4);
      continue;
    }
    found.push({ address: start, prefixLength: PEERING_PREFIX_LENGTH });
    start += 4;
  }
  const [primary, secondary] = found;
  if (!primary || !secondary) {
    throw new DomainError(
      ErrorCodes.BGP_POOL_EXHAUSTED,
      `BGP_ADDRESS_POOL ${formatCidr(pool)} has fewer than two free /30 blocks outside the networks and the blocks already in use; widen the pool or give bgp.primaryPeeringCidr and bgp.secondaryPeeringCidr.`,
      {
        status: 409,
      },
    );
  }
  return { primary: bgpSession(primary), secondary: bgpSession(secondary) };
}

function parseList(list: readonly string[], what: string): Cidr[] {
  return list.map((text, index) => {
    const cidr = parseCidr(text);
    if (cidr === undefined)
      throw new DomainError(ErrorCodes.INTERNAL, `planBgp: ${what}[${index}] is not an IPv4 CIDR block.`, { status: 500 });
    return cidr;
  });
}
