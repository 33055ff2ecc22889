import { z } from "zod";
import { isMaskedServiceKey } from "./secrets";

/**
 * What the service created or found on both clouds, as the interconnect record keeps it. The service key
 * is never kept: only `serviceKeyMasked`; the workflow reads the real key from the circuit when it needs it.
 */

/**
 * The shared resources this interconnect created. Removal is decided by the usage rows
 * (src/domain/sharing.ts); this is the creator's word for a resource that has no row.
 */
export const OWNABLE_RESOURCES = ["gatewaySubnet", "gateway", "drg", "drgAttachment"] as const;
export type OwnableResource = (typeof OWNABLE_RESOURCES)[number];

/** Which shared resources this interconnect created. */
export type ResourceOwnership = Record<OwnableResource, boolean>;

/**
 * A provisioning restarted over a stopped one finds what the earlier attempt created already there and,
 * on its own, would take it for someone else's: what either attempt created is ours, or a teardown
 * would keep it (and a gateway would go on billing).
 */
export function ownedAcrossAttempts(now: ResourceOwnership, earlier: ResourceOwnership | undefined): ResourceOwnership {
  if (earlier === undefined) return now;
  return Object.fromEntries(OWNABLE_RESOURCES.map((k) => [k, now[k] || earlier[k]])) as ResourceOwnership;
}

/** Every field of InterconnectResources. */
export const RESOURCE_FIELDS = [
  "virtualNetworkId",
  "gatewaySubnetId",
  "gatewayId",
  "gatewayPublicIpId",
  "circuitId",
  "serviceKeyMasked",
  "connectionId",
  "drgId",
  "drgAttachmentId",
  "virtualCircuitId",
  "routeTableId",
  "connectionMonitorId",
  "routedPrefixes",
  "owned",
] as const satisfies readonly (keyof InterconnectResources)[];

/** Cloud resource ids as recorded on the interconnect (all optional: a half-built one has some). */
export interface InterconnectResources {
  virtualNetworkId?: string;
  gatewaySubnetId?: string;
  gatewayId?: string;
  /** The gateway's public IP (shared with the gateway). */
  gatewayPublicIpId?: string;
  circuitId?: string;
  serviceKeyMasked?: string;
  connectionId?: string;
  drgId?: string;
  drgAttachmentId?: string;
  virtualCircuitId?: string;
  routeTableId?: string;
  /** The optional end-to-end probe's connection monitor (spec.monitor). */
  connectionMonitorId?: string;
  /** VNet prefixes routed to the DRG. */
  routedPrefixes?: string[];
  owned?: ResourceOwnership;
  /**
   * An adopted interconnect's own ARM names (built by hand or by Terraform, not by resourceNames): every
   * activity looks its circuit, connection and gateway up under these.
   */
  names?: AdoptedNames;
  /** An adopted interconnect: the resource kinds its owner let this service tear down (teardown removes only these). */
  granted?: string[];
}

export interface AdoptedNames {
  circuit?: string;
  connection?: string;
  gateway?: string;
}

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const SECRET_NAME = /servicekey|privatekey|secret|password|passphrase/i;

const resourceId = z.string().refine((s) => !PEM.test(s), "contains a PEM block; secrets are never stored");

const ID_FIELDS = [
  "virtualNetworkId",
  "gatewaySubnetId",
  "gatewayId",
  "gatewayPublicIpId",
  "circuitId",
  "connectionId",
  "drgId",
  "drgAttachmentId",
  "virtualCircuitId",
  "routeTableId",
  "connectionMonitorId",
] as const;

const ownershipSchema = z.strictObject(
  Object.fromEntries(OWNABLE_RESOURCES.map((k) => [k, z.boolean()])) as Record<OwnableResource, z.ZodBoolean>,
);

const shape = {
  ...(Object.fromEntries(ID_FIELDS.map((k) => [k, resourceId.optional()])) as Record<
    (typeof ID_FIELDS)[number],
    z.ZodOptional<typeof resourceId>
  >),
  serviceKeyMasked: z
    .string()
    .refine(isMaskedServiceKey, 'must be a masked service key such as "1a2b3c4d-****-****-****-************"')
    .optional(),
  routedPrefixes: z.array(resourceId).optional(),
  owned: ownershipSchema.optional(),
  names: z.strictObject({ circuit: resourceId.optional(), connection: resourceId.optional(), gateway: resourceId.optional() }).optional(),
  granted: z.array(resourceId).optional(),
};
const KNOWN = new Set(Object.keys(shape));

/**
 * The record's `resources`, checked on every write and read. An unknown field is refused by name: a
 * secret-looking one says why (only serviceKeyMasked is ever kept), any other lists the fields allowed.
 */
export const interconnectResourcesSchema: z.ZodType<InterconnectResources> = z.looseObject(shape).superRefine((resources, ctx) => {
  for (const key of Object.keys(resources)) {
    if (KNOWN.has(key)) continue;
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: SECRET_NAME.test(key)
        ? "secrets are never stored; keep only serviceKeyMasked (see maskServiceKey)"
        : `unknown resource field; allowed fields: ${[...KNOWN].join(", ")}`,
    });
  }
});

/**
 * Records written before resources were structured hold a flat string map: `routedPrefixes` as
 * "10.10.0.0/16,10.20.0.0/16" and `owned` as the comma list of the owned resources ("gateway,drg").
 */
export function fromLegacyResources(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...value };
  if (typeof out.routedPrefixes === "string") out.routedPrefixes = out.routedPrefixes ? out.routedPrefixes.split(",") : [];
  if (typeof out.owned === "string") {
    const owned = new Set(out.owned.split(","));
    out.owned = Object.fromEntries(OWNABLE_RESOURCES.map((k) => [k, owned.has(k)]));
  }
  return out;
}
