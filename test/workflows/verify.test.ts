import { describe, expect, it } from "vitest";
import { peeringTableGaps } from "../../src/workflows/verify";
import { EXAMPLE_PLAN } from "./fixtures";

const VCN = ["10.20.0.0/16"];
const arp = (ip: string) => [{ ipAddress: ip }];

describe("peeringTableGaps", () => {
  it("verifies both paths when each learns the VCN prefixes from its own Oracle peer through AS 31898", () => {
    const tables = {
      primary: { arp: arp("192.168.100.1"), routes: [{ network: "10.20.0.0/16", nextHop: "192.168.100.1", path: "31898" }] },
      secondary: { arp: arp("192.168.100.5"), routes: [{ network: "10.20.0.0/16", nextHop: "192.168.100.5", path: "12076 31898" }] },
    };
    expect(peeringTableGaps(EXAMPLE_PLAN, VCN, tables)).toEqual([]);
  });

  it("names a prefix whose next hop is the other path's peer, or whose AS path does not pass through Oracle", () => {
    const tables = {
      primary: { arp: arp("192.168.100.1"), routes: [{ network: "10.20.0.0/16", nextHop: "192.168.100.5", path: "31898" }] },
      secondary: { arp: arp("192.168.100.5"), routes: [{ network: "10.20.0.0/16", nextHop: "192.168.100.5", path: "318980" }] },
    };
    expect(peeringTableGaps(EXAMPLE_PLAN, VCN, tables)).toEqual([
      "primary route table has 10.20.0.0/16 but not via Oracle (next hop 192.168.100.1, AS 31898)",
      "secondary route table has 10.20.0.0/16 but not via Oracle (next hop 192.168.100.5, AS 31898)",
    ]);
  });

  it("names missing ARP entries and missing prefixes", () => {
    const empty = { arp: [], routes: [] };
    expect(peeringTableGaps(EXAMPLE_PLAN, VCN, { primary: empty, secondary: empty })).toEqual([
      "primary ARP table lacks Oracle peer 192.168.100.1",
      "primary route table lacks 10.20.0.0/16",
      "secondary ARP table lacks Oracle peer 192.168.100.5",
      "secondary route table lacks 10.20.0.0/16",
    ]);
  });
});
