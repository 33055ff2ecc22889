/**
 * IPv4 arithmetic on unsigned 32-bit integers. Parsing is strict (no leading zeros, no
 * shorthand) because these strings go verbatim into both clouds' APIs.
 */

export interface Cidr {
  /** The address as written, which may have host bits set (see isAligned). */
  address: number;
  prefixLength: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const length = text.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9]\d?)$/.test(length)) return undefined;
  const prefixLength = Number(length);
  if (prefixLength > 32) return undefined;
  return { address, prefixLength };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.address)}/${cidr.prefixLength}`;
}

export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** First address of the block (host bits cleared). */
export function networkAddress(cidr: Cidr): number {
  const size = blockSize(cidr.prefixLength);
  return cidr.address - (cidr.address % size);
}

/** True when no host bits are set, i.e. the address is the block's network address. */
export function isAligned(cidr: Cidr): boolean {
  return cidr.address % blockSize(cidr.prefixLength) === 0;
}

export function cidrRange(cidr: Cidr): { first: number; last: number } {
  const first = networkAddress(cidr);
  return { first, last: first + blockSize(cidr.prefixLength) - 1 };
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  const o = cidrRange(outer);
  const i = cidrRange(inner);
  return o.first <= i.first && i.last <= o.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x.first <= y.last && y.first <= x.last;
}

/** The n-th address of the block, counting the network address as 0. */
export function nthAddress(cidr: Cidr, n: number): number {
  if (n < 0 || n >= blockSize(cidr.prefixLength)) {
    throw new RangeError(`Address index ${n} is outside ${formatCidr(cidr)}.`);
  }
  return networkAddress(cidr) + n;
}
