import { z } from "zod";
import { isAzureRegion } from "./azure-regions";
import { type PeeringLocationCatalog, DEFAULT_PEERING_LOCATION_CATALOG, findCatalogRow } from "./catalog";
import { ValidationError, type ValidationIssue } from "./errors";
import { cidrRange, cidrsOverlap, formatIpv4, isAligned, parseCidr, parseIpv4 } from "./ipv4";
import {
  BANDWIDTHS_GBPS,
  CIRCUIT_FAMILIES,
  CIRCUIT_TIERS,
  ER_GW_SCALE_UNITS,
  FASTPATH_MIN_SCALE_UNITS,
  GATEWAY_SKUS,
  isValidCircuitSku,
  supportsFastPath,
} from "./skus";
import { INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE } from "./names";
import { issuesFromZod, requiredOr, strictObject } from "./zod-issues";

/** The interconnect request (issue 2 "Spec"): the public contract. */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESOURCE_GROUP = /^[\p{L}\p{N}_\-.()]{1,90}$/u;
const VNET_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$/;
const OCI_REGION = /^[a-z]{2,}-[a-z]+-\d+$/;
const TAG_KEY_FORBIDDEN = /[<>%&\\?/]/;
const MAX_TAGS = 15;

/** ocid1.<type>.<realm>.[region][.future].<unique> — https://docs.oracle.com/iaas/Content/General/Concepts/identifiers.htm */
function ocid(types: string[]): RegExp {
  return new RegExp(`^ocid1\\.(?:${types.join("|")})\\.[a-z0-9]+\\.[a-z0-9-]*(?:\\.[a-z0-9-]*)?\\.[a-z0-9]+$`);
}
const COMPARTMENT_OCID = ocid(["compartment", "tenancy"]);
const VCN_OCID = ocid(["vcn"]);
const DRG_OCID = ocid(["drg"]);
const VIRTUAL_MACHINE_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/[^/]{1,90}\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]{1,64}$/i;

function text(expected: string) {
  return z.string({ error: requiredOr(expected) });
}

function ipv4Cidr(expected: string, check: (prefixLength: number) => string | undefined) {
  return text(expected).superRefine((value, ctx) => {
    const cidr = parseCidr(value);
    if (cidr === undefined) return void ctx.addIssue({ code: "custom", message: `must be ${expected}` });
    const problem = check(cidr.prefixLength);
    if (problem) return void ctx.addIssue({ code: "custom", message: problem });
    if (!isAligned(cidr))
      ctx.addIssue({
        code: "custom",
        message: `must be aligned: host bits set; did you mean ${formatIpv4(cidrRange(cidr).first)}/${cidr.prefixLength}?`,
      });
  });
}

function validBgpBlock(value: string) {
  const cidr = parseCidr(value);
  return cidr && cidr.prefixLength === 30 && isAligned(cidr) ? cidr : undefined;
}

const bgpCidr = ipv4Cidr("a /30 IPv4 CIDR block such as 192.168.100.0/30", (len) =>
  len === 30 ? undefined : `must be a /30 block; got a /${len}`,
);

const circuitSkuSchema = strictObject(
  {
    tier: z.enum(CIRCUIT_TIERS, { error: requiredOr(`one of ${CIRCUIT_TIERS.join(", ")}`) }).default("Standard"),
    family: z.enum(CIRCUIT_FAMILIES, { error: requiredOr(`one of ${CIRCUIT_FAMILIES.join(", ")}`) }).default("MeteredData"),
  },
  "an object {tier, family}",
).superRefine((sku, ctx) => {
  if (!isValidCircuitSku(sku.tier, sku.family))
    ctx.addIssue({
      code: "custom",
      path: ["family"],
      message: "must be UnlimitedData when tier is Local (ExpressRoute Local has no metered plan)",
    });
});

const gatewaySchema = strictObject(
  {
    sku: z.enum(GATEWAY_SKUS, { error: requiredOr(`one of ${GATEWAY_SKUS.join(", ")}`) }).default("UltraPerformance"),
    fastPath: z.boolean({ error: requiredOr("true or false") }).optional(),
    scaleUnits: z
      .number({ error: requiredOr(`an integer ${ER_GW_SCALE_UNITS.min}-${ER_GW_SCALE_UNITS.max}`) })
      .int(`must be an integer ${ER_GW_SCALE_UNITS.min}-${ER_GW_SCALE_UNITS.max}`)
      .min(ER_GW_SCALE_UNITS.min, `must be at least ${ER_GW_SCALE_UNITS.min}`)
      .max(ER_GW_SCALE_UNITS.max, `must be at most ${ER_GW_SCALE_UNITS.max}`)
      .optional(),
  },
  "an object {sku, fastPath, scaleUnits}",
)
  .superRefine((gw, ctx) => {
    if (gw.sku === "ErGwScale" && gw.scaleUnits === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["scaleUnits"],
        message: `required with sku ErGwScale: an integer ${ER_GW_SCALE_UNITS.min}-${ER_GW_SCALE_UNITS.max}`,
      });
    if (gw.sku !== "ErGwScale" && gw.scaleUnits !== undefined)
      ctx.addIssue({ code: "custom", path: ["scaleUnits"], message: "allowed only with sku ErGwScale" });
    if (gw.fastPath === true && !supportsFastPath(gw.sku, gw.scaleUnits)) {
      ctx.addIssue({
        code: "custom",
        path: ["fastPath"],
        message: `FastPath is not available on sku ${gw.sku}${gw.sku === "ErGwScale" ? ` with fewer than ${FASTPATH_MIN_SCALE_UNITS} scale units` : ""}; it needs UltraPerformance, ErGw3AZ or ErGwScale with at least ${FASTPATH_MIN_SCALE_UNITS} scale units, or set fastPath to false`,
      });
    }
  })
  // An omitted fastPath means "FastPath where the SKU has it", so choosing a smaller SKU alone is valid.
  .transform((gw) => ({ ...gw, fastPath: gw.fastPath ?? supportsFastPath(gw.sku, gw.scaleUnits) }));

const tagsSchema = z
  .record(z.string(), z.string({ error: "must be a string (tag values are strings)" }).max(256, "must be at most 256 characters"), {
    error: requiredOr("an object of string tags"),
  })
  .superRefine(
    (tags, ctx) => {
      if (typeof tags !== "object" || tags === null) return;
      const keys = Object.keys(tags);
      if (keys.length > MAX_TAGS) ctx.addIssue({ code: "custom", message: `at most ${MAX_TAGS} tags are allowed; got ${keys.length}` });
      for (const key of keys) {
        // Tag names are checked here rather than by a key schema so the error lands on the tag's own path.
        if (key.length === 0 || key.length > 128)
          ctx.addIssue({ code: "custom", path: [key], message: "tag names must be 1-128 characters" });
        else if (TAG_KEY_FORBIDDEN.test(key))
          ctx.addIssue({ code: "custom", path: [key], message: "tag names must not contain < > % & \\ ? /" });
      }
      // Only keys are read, so this may run even when some values failed: every bad tag gets reported.
    },
    { when: () => true },
  );

const specSchema = strictObject(
  {
    name: text("3-40 characters").regex(INTERCONNECT_NAME_PATTERN, INTERCONNECT_NAME_RULE),
    bandwidthGbps: z.union(
      BANDWIDTHS_GBPS.map((g) => z.literal(g)),
      { error: () => `must be one of ${BANDWIDTHS_GBPS.join(", ")} (Gbps; FastConnect offers only these)` },
    ),
    azure: strictObject(
      {
        subscriptionId: text("a subscription GUID").regex(GUID, "must be a subscription GUID such as 11111111-1111-4111-8111-111111111111"),
        resourceGroup: text("a resource group name")
          .regex(RESOURCE_GROUP, "must be 1-90 characters of letters, digits, underscores, hyphens, periods and parentheses")
          .refine((v) => !v.endsWith("."), "must not end with a period"),
        location: text("an Azure region name such as eastus")
          .regex(/^[a-z][a-z0-9]{1,39}$/, "must be a lowercase Azure region name such as eastus")
          .refine(
            isAzureRegion,
            "is not an Azure region name; use the name ARM shows in a resource's location, such as eastus or westeurope",
          ),
        peeringLocation: text("an ExpressRoute peering location such as Washington DC")
          .min(1, "must not be empty")
          .max(80, "must be at most 80 characters"),
        circuitSku: circuitSkuSchema.default({ tier: "Standard", family: "MeteredData" }),
        virtualNetwork: strictObject(
          {
            name: text("the name of an existing virtual network").regex(
              VNET_NAME,
              "must be 1-64 characters of letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore",
            ),
            gatewaySubnetPrefix: ipv4Cidr("an IPv4 CIDR block of /27 or larger such as 10.10.255.0/27", (len) =>
              len <= 27 ? undefined : `must be /27 or larger (an ExpressRoute gateway needs at least /27); got a /${len}`,
            ),
          },
          "an object {name, gatewaySubnetPrefix}",
        ),
        gateway: gatewaySchema.default({ sku: "UltraPerformance", fastPath: true }),
      },
      "an object {subscriptionId, resourceGroup, location, peeringLocation, circuitSku?, virtualNetwork, gateway?}",
    ),
    oci: strictObject(
      {
        region: text("an OCI region id such as us-ashburn-1").regex(OCI_REGION, "must be an OCI region id such as us-ashburn-1"),
        compartmentId: text("a compartment OCID").regex(
          COMPARTMENT_OCID,
          "must be a compartment or tenancy OCID (ocid1.compartment.… or ocid1.tenancy.…)",
        ),
        vcnId: text("a VCN OCID").regex(VCN_OCID, "must be a VCN OCID (ocid1.vcn.…)"),
        drgId: text("a DRG OCID").regex(DRG_OCID, "must be a DRG OCID (ocid1.drg.…)").optional(),
      },
      "an object {region, compartmentId, vcnId, drgId?}",
    ),
    bgp: strictObject(
      { primaryPeeringCidr: bgpCidr, secondaryPeeringCidr: bgpCidr },
      "an object with both primaryPeeringCidr and secondaryPeeringCidr",
    )
      .superRefine((bgp, ctx) => {
        // Refinement issues do not stop the parent's checks, so only compare two well-formed blocks.
        const a = validBgpBlock(bgp.primaryPeeringCidr);
        const b = validBgpBlock(bgp.secondaryPeeringCidr);
        if (a && b && cidrsOverlap(a, b))
          ctx.addIssue({
            code: "custom",
            path: ["secondaryPeeringCidr"],
            message: "must not overlap bgp.primaryPeeringCidr; the two sessions need separate /30 blocks",
          });
      })
      .optional(),
    /**
     * The optional end-to-end probe (a Network Watcher connection monitor, TCP and ICMP): from a VM in the
     * VNet to an address and port in the VCN, e.g. a database listener on 1521.
     */
    monitor: strictObject(
      {
        sourceVirtualMachineId: text("the ARM id of a virtual machine in the virtual network").regex(
          VIRTUAL_MACHINE_ID,
          "must be a virtual machine's ARM id: /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>",
        ),
        destinationAddress: text("an IPv4 address in the VCN such as 10.20.1.10").refine(
          (v) => parseIpv4(v) !== undefined,
          "must be an IPv4 address such as 10.20.1.10",
        ),
        destinationPort: z
          .number({ error: requiredOr("a TCP port 1-65535 such as 1521") })
          .int("must be a TCP port 1-65535")
          .min(1, "must be a TCP port 1-65535")
          .max(65535, "must be a TCP port 1-65535"),
      },
      "an object {sourceVirtualMachineId, destinationAddress, destinationPort}",
    ).optional(),
    tags: tagsSchema.optional(),
    keepResourcesOnFailure: z.boolean({ error: requiredOr("true or false") }).default(false),
  },
  "a JSON object",
);

/** What parseInterconnectSpec validates with (the OpenAPI document's request body is generated from it). */
export const interconnectSpecSchema = specSchema;

export type InterconnectSpec = z.output<typeof specSchema>;
/** What a client may send (defaults not yet applied). */
export type InterconnectSpecInput = z.input<typeof specSchema>;

export interface ParseSpecOptions {
  /** The peering-location catalog in force (PEERING_LOCATIONS_FILE); the built-in one by default. */
  catalog?: PeeringLocationCatalog;
}

/** Validates a request; throws ValidationError listing every invalid field at once. */
export function parseInterconnectSpec(input: unknown, options: ParseSpecOptions = {}): InterconnectSpec {
  const catalog = options.catalog ?? DEFAULT_PEERING_LOCATION_CATALOG;
  const result = specSchema.safeParse(input);
  const issues = result.success ? [] : issuesFromZod(result.error);
  // Cross-section rules run on whichever fields are individually valid, so one bad field never hides another.
  issues.push(...crossChecks(input, catalog, issues));
  if (issues.length > 0 || !result.success) throw new ValidationError(issues);
  return result.data;
}

function crossChecks(input: unknown, catalog: PeeringLocationCatalog, found: ValidationIssue[]): ValidationIssue[] {
  const ok = (path: string) => !found.some((i) => i.path === path || i.path.startsWith(`${path}.`));
  const at = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), input);
  const str = (path: string) => (ok(path) && typeof at(path) === "string" ? (at(path) as string) : undefined);
  const issues: ValidationIssue[] = [];

  const region = str("oci.region");
  const peeringLocation = str("azure.peeringLocation");
  const row = region === undefined ? undefined : findCatalogRow(catalog, region);
  if (region !== undefined && row === undefined) {
    issues.push({
      path: "oci.region",
      message: `is not served by the Azure interconnect; supported OCI regions: ${catalog.map((r) => r.ociRegion).join(", ")}`,
    });
  }
  if (row !== undefined && peeringLocation !== undefined && !row.peeringLocations.includes(peeringLocation)) {
    issues.push({
      path: "azure.peeringLocation",
      message: `${JSON.stringify(peeringLocation)} does not serve OCI region ${row.ociRegion}; use ${row.peeringLocations.map((p) => JSON.stringify(p)).join(" or ")}`,
    });
  }
  if (row !== undefined) {
    for (const path of ["oci.vcnId", "oci.drgId"]) {
      const id = str(path);
      const ocidRegion = id?.split(".")[3];
      if (ocidRegion && ocidRegion !== row.ociRegion && ocidRegion !== row.ociRegionKey.toLowerCase()) {
        issues.push({
          path,
          message: `belongs to region "${ocidRegion}", not oci.region ${row.ociRegion} (${row.ociRegionKey.toLowerCase()})`,
        });
      }
    }
  }

  const vm = str("monitor.sourceVirtualMachineId");
  const subscription = str("azure.subscriptionId");
  const vmSubscription = vm === undefined ? undefined : VIRTUAL_MACHINE_ID.exec(vm)?.[1];
  if (vmSubscription !== undefined && subscription !== undefined && vmSubscription.toLowerCase() !== subscription.toLowerCase()) {
    issues.push({
      path: "monitor.sourceVirtualMachineId",
      message: `is in subscription ${vmSubscription}, not azure.subscriptionId ${subscription}; the source VM must be in the virtual network's subscription`,
    });
  }

  const gatewaySubnet = str("azure.virtualNetwork.gatewaySubnetPrefix");
  const subnet = gatewaySubnet === undefined ? undefined : parseCidr(gatewaySubnet);
  if (subnet !== undefined) {
    for (const path of ["bgp.primaryPeeringCidr", "bgp.secondaryPeeringCidr"]) {
      const block = str(path);
      const cidr = block === undefined ? undefined : parseCidr(block);
      if (cidr && cidrsOverlap(cidr, subnet))
        issues.push({
          path,
          message: "overlaps azure.virtualNetwork.gatewaySubnetPrefix, which lies in the virtual network; choose a block outside it",
        });
    }
  }
  return issues;
}
