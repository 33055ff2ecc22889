/** IPv4 CIDR arithmetic for the validations ARM performs on address spaces and subnets. */
export interface Cidr {
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  // ARM rejects prefixes whose host bits are set (e.g. 10.0.0.1/24), as does this emulator.
  if (addr % size !== 0) return undefined;
  return { base: addr, prefix };
}

const size = (c: Cidr): number => 2 ** (32 - c.prefix);

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function ipToString(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** "192.168.100.1/30" → "192.168.100.1" */
export function stripMask(ipWithMask: string): string {
  return ipWithMask.split("/")[0] ?? ipWithMask;
}
