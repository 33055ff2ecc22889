/** IPv4 arithmetic for cross-connect mappings and route rules. */
export interface Ipv4Cidr {
  /** The address as written, as an unsigned 32-bit number. */
  address: number;
  prefixLength: number;
  /** First address of the block. */
  network: number;
  /** Number of addresses in the block. */
  size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; undefined when it is not an IPv4 address with a prefix length. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefixLength = Number(m[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  return { address, prefixLength, network: Math.floor(address / size) * size, size };
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** "a.b.c.d/n" of the block that contains the address, e.g. 192.168.100.1/30 → 192.168.100.0/30. */
export function blockOf(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}
