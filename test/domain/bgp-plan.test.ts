import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bgpSession, planBgp } from "../../src/domain/bgp-plan";
import { DomainError, ValidationError } from "../../src/domain/errors";
import { type Cidr, cidrContains, cidrsOverlap, formatCidr, formatIpv4, isAligned, parseCidr, parseIpv4 } from "../../src/domain/ipv4";

const VNET = ["10.10.0.0/16"];
const VCN = ["10.20.0.0/16"];
const POOL = "192.168.100.0/24";

function cidrOf(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`test bug: ${text}`);
  return c;
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues;
    throw err;
  }
  throw new Error("expected a ValidationError");
}

describe("BGP sessions from a /30", () => {
  it("follows Oracle's example: 2nd address Oracle, 3rd address Azure (customer), both /30", () => {
    expect(bgpSession(cidrOf("10.0.0.20/30"))).toEqual({
      cidr: "10.0.0.20/30",
      oracleBgpPeeringIp: "10.0.0.21/30",
      customerBgpPeeringIp: "10.0.0.22/30",
    });
    expect(bgpSession(cidrOf("10.0.0.24/30"))).toEqual({
      cidr: "10.0.0.24/30",
      oracleBgpPeeringIp: "10.0.0.25/30",
      customerBgpPeeringIp: "10.0.0.26/30",
    });
  });

  it("holds for every aligned /30", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), (index) => {
        const block = { address: index * 4, prefixLength: 30 };
        const s = bgpSession(block);
        expect(s.cidr).toBe(formatCidr(block));
        expect(s.oracleBgpPeeringIp).toBe(`${formatIpv4(block.address + 1)}/30`);
        expect(s.customerBgpPeeringIp).toBe(`${formatIpv4(block.address + 2)}/30`);
      }),
    );
  });
});

describe("planBgp with requested blocks", () => {
  it("accepts the example spec's blocks", () => {
    const plan = planBgp({
      requested: { primary: "192.168.100.0/30", secondary: "192.168.100.4/30" },
      pool: POOL,
      used: [],
      avoid: [...VNET, ...VCN],
    });
    expect(plan).toEqual({
      primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
      secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
    });
  });

  it("rejects not /30, unaligned, garbage, overlapping each other, the networks or another interconnect, naming the field", () => {
    expect(
      issuesOf(() =>
        planBgp({ requested: { primary: "192.168.100.0/29", secondary: "192.168.100.9/30" }, pool: POOL, used: [], avoid: [] }),
      ),
    ).toEqual([
      { path: "bgp.primaryPeeringCidr", message: "must be a /30 block; got a /29" },
      { path: "bgp.secondaryPeeringCidr", message: "must be aligned to a /30 boundary, e.g. 192.168.100.8/30" },
    ]);
    expect(
      issuesOf(() => planBgp({ requested: { primary: "nope", secondary: "192.168.100.0/30" }, pool: POOL, used: [], avoid: [] }))[0]?.path,
    ).toBe("bgp.primaryPeeringCidr");
    const same = issuesOf(() =>
      planBgp({ requested: { primary: "192.168.100.4/30", secondary: "192.168.100.4/30" }, pool: POOL, used: [], avoid: [] }),
    );
    expect(same).toEqual([
      { path: "bgp.secondaryPeeringCidr", message: expect.stringContaining("must not overlap bgp.primaryPeeringCidr") },
    ]);
    const vnet = issuesOf(() =>
      planBgp({
        requested: { primary: "10.10.255.252/30", secondary: "10.20.0.0/30" },
        pool: POOL,
        used: [],
        avoid: [...VNET, ...VCN, "fd00::/8"],
      }),
    );
    expect(vnet.map((i) => i.path)).toEqual(["bgp.primaryPeeringCidr", "bgp.secondaryPeeringCidr"]);
    expect(vnet[0]?.message).toContain("10.10.0.0/16");
    expect(vnet[1]?.message).toContain("10.20.0.0/16");
    const used = issuesOf(() =>
      planBgp({
        requested: { primary: "192.168.100.0/30", secondary: "192.168.100.8/30" },
        pool: POOL,
        used: ["192.168.100.8/30"],
        avoid: [],
      }),
    );
    expect(used).toEqual([{ path: "bgp.secondaryPeeringCidr", message: expect.stringContaining("another interconnect") }]);
    const named = issuesOf(() =>
      planBgp({
        requested: { primary: "192.168.100.0/30", secondary: "192.168.100.4/30" },
        pool: POOL,
        used: [{ cidr: "192.168.100.0/30", heldBy: "interconnect vnet-missing (failed at preflight; DELETE it to release the block)" }],
        avoid: [],
      }),
    );
    expect(named).toEqual([
      {
        path: "bgp.primaryPeeringCidr",
        message: "overlaps 192.168.100.0/30 of interconnect vnet-missing (failed at preflight; DELETE it to release the block)",
      },
    ]);
  });
});

describe("planBgp allocation", () => {
  it("takes the first two free /30 blocks of the pool", () => {
    const plan = planBgp({ pool: POOL, used: ["192.168.100.0/30", "192.168.100.8/30"], avoid: [...VNET, ...VCN] });
    expect([plan.primary.cidr, plan.secondary.cidr]).toEqual(["192.168.100.4/30", "192.168.100.12/30"]);
  });

  it("skips a pool that is mostly inside the networks quickly", () => {
    const plan = planBgp({ pool: "10.0.0.0/8", used: [], avoid: ["10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/30"] });
    expect([plan.primary.cidr, plan.secondary.cidr]).toEqual(["10.192.0.4/30", "10.192.0.8/30"]);
  });

  it("reports an exhausted pool and a bad pool", () => {
    expect(() => planBgp({ pool: "192.168.100.0/29", used: ["192.168.100.4/30"], avoid: [] })).toThrow(
      expect.objectContaining({ code: "BGP_POOL_EXHAUSTED", status: 409 }),
    );
    for (const pool of ["192.168.100.0/30", "192.168.100.1/24", "x"]) {
      expect(() => planBgp({ pool, used: [], avoid: [] })).toThrow(expect.objectContaining({ code: "CONFIGURATION_INVALID" }));
    }
    expect(() => planBgp({ pool: POOL, used: ["garbage"], avoid: [] })).toThrow(DomainError);
  });

  const aligned = (min: number, max: number) =>
    fc.record({ a: fc.integer({ min: 0, max: 2 ** 32 - 1 }), prefixLength: fc.integer({ min, max }) }).map(({ a, prefixLength }) => {
      const size = 2 ** (32 - prefixLength);
      return formatCidr({ address: a - (a % size), prefixLength });
    });
  // Taken blocks are drawn mostly inside (or around) the pool so collisions and exhaustion really happen.
  const blocksNear = (pool: string, maxLength: number) => {
    const p = cidrOf(pool);
    const size = 2 ** (32 - p.prefixLength);
    const near = fc
      .record({ offset: fc.integer({ min: 0, max: size - 1 }), prefixLength: fc.integer({ min: p.prefixLength + 1, max: 32 }) })
      .map(({ offset, prefixLength }) => {
        const a = p.address + offset;
        const s = 2 ** (32 - prefixLength);
        return formatCidr({ address: a - (a % s), prefixLength });
      });
    return fc.array(fc.oneof(near, aligned(8, 32)), { maxLength });
  };
  const scenario = aligned(22, 29).chain((pool) => fc.tuple(fc.constant(pool), blocksNear(pool, 10), blocksNear(pool, 4)));

  it("allocates aligned, disjoint /30 blocks inside the pool that avoid everything taken, or says the pool is exhausted", () => {
    fc.assert(
      fc.property(scenario, ([pool, used, avoid]) => {
        const taken = [...used, ...avoid].map(cidrOf);
        let plan;
        try {
          plan = planBgp({ pool, used, avoid });
        } catch (err) {
          expect((err as DomainError).code).toBe("BGP_POOL_EXHAUSTED");
          // Exhausted must be true: every /30 of the pool overlaps something taken, except at most one.
          const p = cidrOf(pool);
          let free = 0;
          for (let a = p.address; a < p.address + 2 ** (32 - p.prefixLength); a += 4) {
            if (!taken.some((t) => cidrsOverlap(t, { address: a, prefixLength: 30 }))) free++;
          }
          expect(free).toBeLessThan(2);
          return;
        }
        const blocks = [plan.primary.cidr, plan.secondary.cidr].map(cidrOf);
        for (const b of blocks) {
          expect(b.prefixLength).toBe(30);
          expect(isAligned(b)).toBe(true);
          expect(cidrContains(cidrOf(pool), b)).toBe(true);
          expect(taken.some((t) => cidrsOverlap(t, b))).toBe(false);
        }
        expect(cidrsOverlap(blocks[0] as Cidr, blocks[1] as Cidr)).toBe(false);
        expect((blocks[0] as Cidr).address).toBeLessThan((blocks[1] as Cidr).address);
        // First fit: no free /30 earlier in the pool than the primary.
        for (let a = cidrOf(pool).address; a < (blocks[0] as Cidr).address; a += 4) {
          expect(taken.some((t) => cidrsOverlap(t, { address: a, prefixLength: 30 }))).toBe(true);
        }
        // A plan accepted as requested blocks gives the same sessions.
        expect(planBgp({ requested: { primary: plan.primary.cidr, secondary: plan.secondary.cidr }, pool, used, avoid })).toEqual(plan);
        expect(parseIpv4(plan.primary.oracleBgpPeeringIp.split("/")[0] as string)).toBe((blocks[0] as Cidr).address + 1);
      }),
      { numRuns: 300 },
    );
  });
});
