import { describe, expect, it } from "vitest";
import { parsePeeringLocationCatalog } from "../../src/domain/catalog";
import { ValidationError, type ValidationIssue } from "../../src/domain/errors";
import { parseInterconnectSpec } from "../../src/domain/spec";
import { exampleSpecBody } from "../support/example-spec";

const EXAMPLE = exampleSpecBody();

type Json = Record<string, unknown>;

/** The example with one value replaced (or removed when value is undefined) at a dotted path. */
function withField(path: string, value: unknown): Json {
  const copy = structuredClone(EXAMPLE) as Json;
  const keys = path.split(".");
  const last = keys.pop() as string;
  let target = copy;
  for (const k of keys) {
    target[k] ??= {};
    target = target[k] as Json;
  }
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

function issuesOf(input: unknown): ValidationIssue[] {
  try {
    parseInterconnectSpec(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues;
  }
  throw new Error("expected the spec to be rejected");
}

describe("parseInterconnectSpec: valid input", () => {
  it("accepts the README example and fills in the defaults", () => {
    expect(parseInterconnectSpec(EXAMPLE)).toEqual({
      ...EXAMPLE,
      azure: {
        ...EXAMPLE.azure,
        circuitSku: { tier: "Standard", family: "MeteredData" },
        gateway: { sku: "UltraPerformance", fastPath: true },
      },
      keepResourcesOnFailure: false,
    });
  });

  it("accepts every optional part", () => {
    const spec = parseInterconnectSpec({
      ...EXAMPLE,
      bandwidthGbps: 10,
      azure: {
        ...EXAMPLE.azure,
        peeringLocation: "Washington DC2",
        circuitSku: { tier: "Local", family: "UnlimitedData" },
        gateway: { sku: "ErGwScale", scaleUnits: 12 },
      },
      oci: { ...EXAMPLE.oci, compartmentId: "ocid1.tenancy.oc1..aaaaaaaalocalemulatortenancy", drgId: "ocid1.drg.oc1.iad.aaaaaaaadrg" },
      tags: { costCenter: "1234", "owner.team": "" },
      keepResourcesOnFailure: true,
    });
    expect(spec.azure.gateway).toEqual({ sku: "ErGwScale", scaleUnits: 12, fastPath: true });
    expect(spec.azure.circuitSku).toEqual({ tier: "Local", family: "UnlimitedData" });
    expect(spec.oci.drgId).toBe("ocid1.drg.oc1.iad.aaaaaaaadrg");
    expect(spec.keepResourcesOnFailure).toBe(true);
  });

  it("allocates BGP later when bgp is omitted, and turns FastPath off by default on SKUs without it", () => {
    const spec = parseInterconnectSpec({ ...withField("bgp", undefined), azure: { ...EXAMPLE.azure, gateway: { sku: "ErGw1AZ" } } });
    expect(spec.bgp).toBeUndefined();
    expect(spec.azure.gateway).toEqual({ sku: "ErGw1AZ", fastPath: false });
  });

  it("uses the catalog it is given", () => {
    const catalog = parsePeeringLocationCatalog([
      { ociRegion: "us-ashburn-1", ociRegionKey: "IAD", ociRegionName: "x", peeringLocations: ["Ashburn Lab"], azureRegion: "eastus" },
    ]);
    expect(parseInterconnectSpec(withField("azure.peeringLocation", "Ashburn Lab"), { catalog }).azure.peeringLocation).toBe("Ashburn Lab");
    expect(() => parseInterconnectSpec(EXAMPLE, { catalog })).toThrow(/azure\.peeringLocation/);
  });
});

describe("parseInterconnectSpec: each invalid field gets its own error naming it", () => {
  const cases: [string, unknown, RegExp][] = [
    ["name", "Erp-Prod", /lowercase letters, digits and hyphens/],
    ["name", "ab", /3-40/],
    ["name", "erp-prod-", /not ending with a hyphen/],
    ["name", "9erp", /starting with a letter/],
    ["name", "a".repeat(41), /3-40/],
    ["name", undefined, /required/],
    ["bandwidthGbps", 3, /one of 1, 2, 5, 10/],
    ["bandwidthGbps", "1", /one of 1, 2, 5, 10/],
    ["azure.subscriptionId", "not-a-guid", /GUID/],
    ["azure.resourceGroup", "rg-ends-with.", /must not end with a period/],
    ["azure.resourceGroup", "rg with space", /letters, digits, underscores/],
    ["azure.resourceGroup", "r".repeat(91), /1-90/],
    ["azure.location", "East US", /lowercase Azure region name/],
    ["azure.location", "nowhere", /not an Azure region name.*eastus or westeurope/],
    ["azure.peeringLocation", "", /must not be empty/],
    ["azure.peeringLocation", "London", /does not serve OCI region us-ashburn-1; use "Washington DC" or "Washington DC2"/],
    ["azure.circuitSku.tier", "Basic", /one of Standard, Premium, Local/],
    ["azure.circuitSku.family", "Unlimited", /one of MeteredData, UnlimitedData/],
    ["azure.virtualNetwork.name", "-vnet", /starting with a letter or digit/],
    ["azure.virtualNetwork.gatewaySubnetPrefix", "10.10.255.0/28", /\/27 or larger/],
    ["azure.virtualNetwork.gatewaySubnetPrefix", "10.10.255.16/27", /aligned.*10\.10\.255\.0\/27/],
    ["azure.virtualNetwork.gatewaySubnetPrefix", "10.10.255.0", /IPv4 CIDR/],
    ["azure.gateway.sku", "VpnGw1", /one of Standard, HighPerformance/],
    ["azure.gateway.fastPath", "yes", /true or false/],
    ["oci.region", "US East", /OCI region id/],
    ["oci.region", "sa-saopaulo-1", /not served.*us-ashburn-1/],
    ["oci.compartmentId", "ocid1.vcn.oc1.iad.aaaa", /compartment or tenancy OCID/],
    ["oci.vcnId", "ocid1.subnet.oc1.iad.aaaa", /VCN OCID/],
    ["oci.vcnId", "ocid1.vcn.oc1.phx.aaaa", /region "phx", not oci.region us-ashburn-1/],
    ["oci.drgId", "drg-1", /DRG OCID/],
    ["bgp.primaryPeeringCidr", "192.168.100.0/29", /\/30 block; got a \/29/],
    ["bgp.primaryPeeringCidr", "192.168.100.1/30", /aligned/],
    ["bgp.secondaryPeeringCidr", undefined, /required/],
    ["bgp.secondaryPeeringCidr", "192.168.100.0/30", /must not overlap bgp.primaryPeeringCidr/],
    ["bgp.primaryPeeringCidr", "10.10.255.4/30", /overlaps azure.virtualNetwork.gatewaySubnetPrefix/],
    ["tags", "costCenter=1", /object of string tags/],
    ["tags.costCenter", 1234, /must be a string/],
    ["tags.cost/center", "x", /must not contain/],
    ["tags.k", "v".repeat(257), /at most 256/],
    ["keepResourcesOnFailure", "false", /true or false/],
  ];

  it.each(cases)("%s = %j", (path, value, message) => {
    const issues = issuesOf(withField(path, value));
    expect(issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it("rejects unknown fields at every level, one error each", () => {
    const input = withField("extra", 1);
    (input.azure as Json).sku = "x";
    ((input.azure as Json).virtualNetwork as Json).id = "x";
    (input.oci as Json).drg = "x";
    (input.bgp as Json).asn = 65000;
    (input.azure as Json).gateway = { sku: "UltraPerformance", fastpath: true };
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path).sort()).toEqual([
      "azure.gateway.fastpath",
      "azure.sku",
      "azure.virtualNetwork.id",
      "bgp.asn",
      "extra",
      "oci.drg",
    ]);
    expect(issues.find((i) => i.path === "oci.drg")?.message).toBe(
      "unknown field; allowed fields here: region, compartmentId, vcnId, drgId",
    );
  });

  it("checks gateway SKU rules on the fields they concern", () => {
    const gw = (gateway: unknown) => issuesOf(withField("azure.gateway", gateway));
    expect(gw({ sku: "Standard", fastPath: true })).toEqual([
      { path: "azure.gateway.fastPath", message: expect.stringContaining("not available on sku Standard") },
    ]);
    expect(gw({ sku: "ErGwScale", scaleUnits: 9, fastPath: true })).toEqual([
      { path: "azure.gateway.fastPath", message: expect.stringContaining("fewer than 10 scale units") },
    ]);
    expect(gw({ sku: "ErGwScale" })).toEqual([
      { path: "azure.gateway.scaleUnits", message: expect.stringContaining("required with sku ErGwScale") },
    ]);
    expect(gw({ sku: "ErGw3AZ", scaleUnits: 2 })).toEqual([
      { path: "azure.gateway.scaleUnits", message: "allowed only with sku ErGwScale" },
    ]);
    expect(gw({ sku: "ErGwScale", scaleUnits: 41 })).toEqual([{ path: "azure.gateway.scaleUnits", message: "must be at most 40" }]);
    expect(issuesOf(withField("azure.circuitSku", { tier: "Local" }))).toEqual([
      { path: "azure.circuitSku.family", message: expect.stringContaining("UnlimitedData when tier is Local") },
    ]);
  });

  it("limits tags to 15", () => {
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, "v"]));
    expect(issuesOf(withField("tags", tags))).toEqual([{ path: "tags", message: "at most 15 tags are allowed; got 16" }]);
  });

  it("reports every invalid field at once", () => {
    const input = structuredClone(EXAMPLE) as Json;
    input.name = "X";
    input.bandwidthGbps = 4;
    (input.azure as Json).peeringLocation = "Tokyo";
    ((input.azure as Json).virtualNetwork as Json).gatewaySubnetPrefix = "10.10.255.0/29";
    (input.oci as Json).vcnId = "nope";
    (input.bgp as Json).secondaryPeeringCidr = "192.168.100.2/30";
    input.tags = { "a<b": "x" };
    expect(
      issuesOf(input)
        .map((i) => i.path)
        .sort(),
    ).toEqual([
      "azure.peeringLocation",
      "azure.virtualNetwork.gatewaySubnetPrefix",
      "bandwidthGbps",
      "bgp.secondaryPeeringCidr",
      "name",
      "oci.vcnId",
      "tags.a<b",
    ]);
  });

  it("rejects input that is not an object, and missing sections", () => {
    expect(issuesOf(null)).toEqual([{ path: "", message: "must be a JSON object" }]);
    expect(issuesOf([])).toEqual([{ path: "", message: "must be a JSON object" }]);
    expect(issuesOf({}).map((i) => i.path)).toEqual(["name", "bandwidthGbps", "azure", "oci"]);
    expect(issuesOf(withField("azure.virtualNetwork", undefined))).toEqual([
      { path: "azure.virtualNetwork", message: "required: an object {name, gatewaySubnetPrefix}" },
    ]);
  });

  it("carries the problem+json shape for the HTTP layer", () => {
    let err: ValidationError | undefined;
    try {
      parseInterconnectSpec(withField("bandwidthGbps", 3));
    } catch (e) {
      err = e as ValidationError;
    }
    expect(err?.code).toBe("VALIDATION_FAILED");
    expect(err?.status).toBe(400);
    expect(err?.message).toContain("bandwidthGbps: must be one of 1, 2, 5, 10");
  });
});
