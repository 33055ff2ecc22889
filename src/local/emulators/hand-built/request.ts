import { z } from "zod";
import { EXPRESS_ROUTE_GATEWAY_SKUS, ORACLE_PEERING_LOCATIONS, skuSupportsFastPath } from "../arm/catalog";
import { parseCidr } from "../arm/cidr";
import { ArmError } from "../arm/errors";

/**
 * POST /admin/seed/handBuiltInterconnects: an interconnect as someone builds it at the two consoles, with
 * no part of this service, so that an adoption can be rehearsed. Every field has the README example's
 * value as its default; only `name` is needed. The names default to what a person might choose
 * (`er-<name>`, `ergw-<name>`, …), not to what the service would name its own resources.
 */
const ARM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;
const armName = z.string().regex(ARM_NAME, "must be an Azure resource name: 1-80 letters, digits, '_', '.', '-'");
const ociName = z.string().min(1).max(255);

const cidr = (what: string) =>
  z.string().refine((v) => parseCidr(v) !== undefined, `must be an IPv4 CIDR block with no host bits set (${what})`);
const block30 = cidr("a /30, e.g. 192.168.100.0/30").refine((v) => parseCidr(v)?.prefix === 30, "must be a /30 block");

/** The ExpressRoute gateway SKUs a hand-built interconnect may use here (ErGwScale needs scale units: not seeded). */
const GATEWAY_SKUS = EXPRESS_ROUTE_GATEWAY_SKUS.filter((s) => s !== "ErGwScale") as [string, ...string[]];
export const FASTCONNECT_BANDWIDTHS_MBPS = [1000, 2000, 5000, 10000] as const;

export const handBuiltSchema = z.strictObject({
  name: z
    .string({ error: "required: the name to adopt it under later, e.g. legacy" })
    .regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, "must be 3-40 lowercase letters, digits and hyphens, starting with a letter"),
  resourceGroup: armName.optional(),
  virtualNetwork: armName.default("vnet-erp"),
  gatewaySubnetPrefix: cidr("the VNet's GatewaySubnet, e.g. 10.10.255.0/27").optional(),
  location: z.string().min(1).optional(),
  peeringLocation: z.enum(ORACLE_PEERING_LOCATIONS as [string, ...string[]]).default("Washington DC"),
  bandwidthInMbps: z
    .number()
    .refine(
      (n) => (FASTCONNECT_BANDWIDTHS_MBPS as readonly number[]).includes(n),
      "must be 1000, 2000, 5000 or 10000 (FastConnect's shapes)",
    )
    .default(1000),
  circuitSku: z
    .strictObject({ tier: z.enum(["Standard", "Premium"]), family: z.enum(["MeteredData", "UnlimitedData"]) })
    .default({ tier: "Standard", family: "MeteredData" }),
  gateway: z
    .strictObject({ sku: z.enum(GATEWAY_SKUS).default("UltraPerformance"), fastPath: z.boolean().optional() })
    .default({ sku: "UltraPerformance" }),
  vcnId: z
    .string()
    .regex(/^ocid1\.vcn\./, "must be a VCN OCID")
    .optional(),
  bgp: z
    .strictObject({ primaryPeeringCidr: block30, secondaryPeeringCidr: block30 })
    .default({ primaryPeeringCidr: "192.168.100.0/30", secondaryPeeringCidr: "192.168.100.4/30" }),
  names: z
    .strictObject({
      circuit: armName.optional(),
      gateway: armName.optional(),
      publicIp: armName.optional(),
      connection: armName.optional(),
      drg: ociName.optional(),
      drgAttachment: ociName.optional(),
      virtualCircuit: ociName.optional(),
    })
    .default({}),
  /**
   * Leave out the VCN route rule of one VNet prefix (true: the VNet's first prefix), the mistake an
   * adoption reports as "routeRules: … has no rule … → DRG".
   */
  omitRouteRule: z.union([z.literal(true), cidr("one of the VNet's prefixes")]).optional(),
});

export type HandBuiltRequest = z.output<typeof handBuiltSchema>;

export interface SeedProblem {
  target: string;
  message: string;
}

/** A refused seed: ARM's error envelope with one `details` entry per field, `target` naming it. */
export class SeedRefused extends ArmError {
  constructor(
    status: number,
    code: string,
    readonly problems: SeedProblem[],
  ) {
    super(status, code, problems.map((p) => `${p.target}: ${p.message}`).join("; "));
  }

  override toBody(): { error: { code: string; message: string } } {
    return {
      error: { code: this.code, message: this.message, details: this.problems.map((p) => ({ code: this.code, ...p })) },
    } as { error: { code: string; message: string } };
  }
}

export function parseHandBuilt(body: unknown): HandBuiltRequest {
  const parsed = handBuiltSchema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new SeedRefused(
      400,
      "InvalidHandBuiltInterconnect",
      parsed.error.issues.map((i) => ({ target: i.path.join(".") || "body", message: i.message })),
    );
  }
  const r = parsed.data;
  const problems: SeedProblem[] = [];
  if (r.gateway.fastPath === true && !skuSupportsFastPath(r.gateway.sku, undefined))
    problems.push({ target: "gateway.fastPath", message: `${r.gateway.sku} has no FastPath (UltraPerformance or ErGw3AZ have)` });
  const [primary, secondary] = [parseCidr(r.bgp.primaryPeeringCidr), parseCidr(r.bgp.secondaryPeeringCidr)];
  if (primary && secondary && primary.base === secondary.base)
    problems.push({ target: "bgp.secondaryPeeringCidr", message: "must be another /30 than the primary" });
  if (problems.length) throw new SeedRefused(400, "InvalidHandBuiltInterconnect", problems);
  return r;
}
