import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Cidr,
  cidrContains,
  cidrRange,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  isAligned,
  networkAddress,
  nthAddress,
  parseCidr,
  parseIpv4,
} from "../../src/domain/ipv4";

const address = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const cidr = fc.record({ address, prefixLength: fc.integer({ min: 0, max: 32 }) });
const aligned = cidr.map((c): Cidr => ({ address: networkAddress(c), prefixLength: c.prefixLength }));

describe("IPv4 parsing", () => {
  it("round-trips every address and every CIDR", () => {
    fc.assert(fc.property(address, (a) => parseIpv4(formatIpv4(a)) === a));
    fc.assert(
      fc.property(cidr, (c) => {
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });

  it("rejects malformed text", () => {
    for (const bad of ["", "10.0.0", "10.0.0.0.0", "256.0.0.1", "010.0.0.1", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..2.3"]) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
    for (const bad of ["10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/030", "10.0.0.0/x", "/24", "10.0.0.0/24/1"]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });

  it("formats known values", () => {
    expect(formatIpv4(0)).toBe("0.0.0.0");
    expect(formatIpv4(2 ** 32 - 1)).toBe("255.255.255.255");
    expect(parseCidr("192.168.100.4/30")).toEqual({ address: 0xc0a86404, prefixLength: 30 });
  });
});

describe("CIDR arithmetic", () => {
  it("alignment means the address is the network address", () => {
    fc.assert(fc.property(cidr, (c) => isAligned(c) === (networkAddress(c) === c.address)));
    fc.assert(fc.property(aligned, (c) => isAligned(c)));
    expect(isAligned(parseCidr("10.0.0.20/30") as Cidr)).toBe(true);
    expect(isAligned(parseCidr("10.0.0.21/30") as Cidr)).toBe(false);
  });

  it("a block contains itself and every smaller block carved from it", () => {
    fc.assert(
      fc.property(aligned, fc.integer({ min: 0, max: 32 }), fc.nat(), (outer, extra, pick) => {
        const prefixLength = Math.max(outer.prefixLength, extra);
        const inner = {
          address: networkAddress({ address: cidrRange(outer).first + (pick % 2 ** (32 - outer.prefixLength)), prefixLength }),
          prefixLength,
        };
        expect(cidrContains(outer, outer)).toBe(true);
        expect(cidrContains(outer, inner)).toBe(true);
        expect(cidrsOverlap(outer, inner)).toBe(true);
      }),
    );
  });

  it("overlap is symmetric and matches the address ranges", () => {
    fc.assert(
      fc.property(cidr, cidr, (a, b) => {
        const x = cidrRange(a);
        const y = cidrRange(b);
        const expected = Math.max(x.first, y.first) <= Math.min(x.last, y.last);
        return cidrsOverlap(a, b) === expected && cidrsOverlap(b, a) === expected;
      }),
    );
  });

  it("two aligned blocks either nest or are disjoint", () => {
    fc.assert(fc.property(aligned, aligned, (a, b) => !cidrsOverlap(a, b) || cidrContains(a, b) || cidrContains(b, a)));
  });

  it("nthAddress stays inside the block and refuses to leave it", () => {
    fc.assert(
      fc.property(aligned, fc.nat(), (c, n) => {
        const size = 2 ** (32 - c.prefixLength);
        const addr = nthAddress(c, n % size);
        const { first, last } = cidrRange(c);
        return addr >= first && addr <= last && addr === first + (n % size);
      }),
    );
    expect(() => nthAddress(parseCidr("10.0.0.0/30") as Cidr, 4)).toThrow(RangeError);
  });
});
