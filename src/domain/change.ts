import type { PeeringLocationCatalog } from "./catalog";
import { ErrorCodes, ValidationError, type ValidationIssue } from "./errors";
import type { CircuitFamily, CircuitTier } from "./skus";
import { parseInterconnectSpec, type InterconnectSpec } from "./spec";

/**
 * Changing an active interconnect in place (day2-operations.md §3): what a JSON merge patch of its spec
 * may change, and what it may not. Pure: the request decides here, before anything runs, whether the
 * change is possible, and the change workflow is handed the items to carry out.
 *
 * In place: a bandwidth increase (Azure cannot decrease a circuit; FastConnect offers 1/2/5/10 Gbps), the
 * circuit SKU along §3.4's table (Standard ⇄ Premium, Local → Standard/Premium, MeteredData →
 * UnlimitedData and never back), the tags on both sides, FastPath on the existing connection where the
 * gateway SKU has it, and keepResourcesOnFailure (record only). Everything else needs a new interconnect.
 */

/** The patch's own field (not a spec field): the caller has read what cannot be undone and wants it. */
export const CONFIRM_FIELD = "confirmIrreversible";

export type ChangeKind = "bandwidth" | "circuitSku" | "tags" | "fastPath" | "record";

export interface ChangeItem {
  kind: ChangeKind;
  /** The spec field, dotted. */
  path: string;
  from: unknown;
  to: unknown;
  /** Why this cannot be undone, when it cannot. */
  irreversible?: string;
}

export interface ChangePlan {
  /** The spec once the change is done (defaults applied), what the record will hold. */
  next: InterconnectSpec;
  items: ChangeItem[];
}

/** RFC 7396: objects merge key by key, null removes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** What to do instead, for each field that only a rebuild changes. */
const REBUILD: { prefix: string; instead: string }[] = [
  {
    prefix: "azure.peeringLocation",
    instead:
      "the circuit's peering location is fixed at creation; provision a new interconnect (another name) at the new location, move the traffic, then DELETE this one",
  },
  {
    prefix: "oci.region",
    instead:
      "the virtual circuit belongs to its region; provision a new interconnect (another name) in the new region, move the traffic, then DELETE this one",
  },
  {
    prefix: "azure.location",
    instead: "the gateway and its public IP live in this region; provision a new interconnect (another name), then DELETE this one",
  },
  {
    prefix: "azure.subscriptionId",
    instead: "resources do not move between subscriptions here; provision a new interconnect (another name), then DELETE this one",
  },
  {
    prefix: "azure.resourceGroup",
    instead: "resources do not move between resource groups here; provision a new interconnect (another name), then DELETE this one",
  },
  {
    prefix: "azure.virtualNetwork",
    instead: "the gateway belongs to this VNet; provision a new interconnect (another name) for the other VNet, then DELETE this one",
  },
  {
    prefix: "azure.gateway.sku",
    instead: "this service does not resize a gateway in place (a long, disruptive ARM operation); provision a new interconnect instead",
  },
  {
    prefix: "azure.gateway.scaleUnits",
    instead: "this service does not resize a gateway in place (a long, disruptive ARM operation); provision a new interconnect instead",
  },
  {
    prefix: "oci.vcnId",
    instead: "the DRG is attached to this VCN; provision a new interconnect (another name) for the other VCN, then DELETE this one",
  },
  {
    prefix: "oci.compartmentId",
    instead: "the DRG and the virtual circuit live in this compartment; provision a new interconnect, then DELETE this one",
  },
  {
    prefix: "oci.drgId",
    instead: "moving the virtual circuit to another DRG re-provisions it and drops BGP; provision a new interconnect on that DRG instead",
  },
  {
    prefix: "bgp",
    instead:
      "Oracle configured the /30 blocks on the provider's private peering, which is never written by hand; provision a new interconnect with the new blocks, then DELETE this one",
  },
  { prefix: "name", instead: "the name is the interconnect's identity; provision a new interconnect under the new name" },
];

/**
 * Validates a merge patch against the current spec: 400 (ValidationError) for a patch that is not an
 * object or whose result is not a valid spec; 409 (ValidationError with status 409, code CONFLICT) for a
 * valid spec that cannot be reached in place, and for an irreversible change sent without
 * `confirmIrreversible: true`. Each issue names its field and says what to do instead.
 */
export function planChange(current: InterconnectSpec, body: unknown, options: { catalog?: PeeringLocationCatalog } = {}): ChangePlan {
  if (!isObject(body)) throw new ValidationError([{ path: "", message: "must be a JSON object: a merge patch of the spec" }]);
  const { [CONFIRM_FIELD]: confirm, ...patch } = body;
  if (confirm !== undefined && typeof confirm !== "boolean")
    throw new ValidationError([{ path: CONFIRM_FIELD, message: "must be true or false" }]);
  const next = parseInterconnectSpec(applyMergePatch(current, patch), options.catalog ? { catalog: options.catalog } : {});

  const refused: ValidationIssue[] = [];
  const items: ChangeItem[] = [];
  for (const path of changedPaths(current, next)) {
    const rebuild = REBUILD.find((r) => path === r.prefix || path.startsWith(`${r.prefix}.`));
    if (rebuild) {
      refused.push({ path, message: `cannot change in place: ${rebuild.instead}` });
      continue;
    }
    if (path === "bandwidthGbps" || path.startsWith("azure.circuitSku") || path.startsWith("tags") || path === "azure.gateway.fastPath")
      continue;
    if (path === "keepResourcesOnFailure") {
      items.push({ kind: "record", path, from: current.keepResourcesOnFailure, to: next.keepResourcesOnFailure });
      continue;
    }
    refused.push({ path, message: "cannot change in place; provision a new interconnect instead" });
  }

  if (next.bandwidthGbps !== current.bandwidthGbps) {
    if (next.bandwidthGbps < current.bandwidthGbps) {
      refused.push({
        path: "bandwidthGbps",
        message: `cannot decrease from ${current.bandwidthGbps} to ${next.bandwidthGbps} Gbps: an ExpressRoute circuit's bandwidth can only be increased; provision a new interconnect at ${next.bandwidthGbps} Gbps, move the traffic, then DELETE this one`,
      });
    } else {
      items.push({
        kind: "bandwidth",
        path: "bandwidthGbps",
        from: current.bandwidthGbps,
        to: next.bandwidthGbps,
        irreversible: `${current.bandwidthGbps} → ${next.bandwidthGbps} Gbps can never be undone: Azure cannot decrease a circuit's bandwidth (going back means a new interconnect), and the higher bandwidth bills from the change on`,
      });
    }
  }

  const skuIssue = skuTransition(current.azure.circuitSku, next.azure.circuitSku);
  if (skuIssue.refused) refused.push(skuIssue.refused);
  else if (skuIssue.item) items.push(skuIssue.item);

  if (JSON.stringify(current.tags ?? {}) !== JSON.stringify(next.tags ?? {}))
    items.push({ kind: "tags", path: "tags", from: current.tags ?? {}, to: next.tags ?? {} });

  // The spec's own rule already refuses fastPath true on a gateway SKU without it (400 naming the field).
  if (current.azure.gateway.fastPath !== next.azure.gateway.fastPath)
    items.push({ kind: "fastPath", path: "azure.gateway.fastPath", from: current.azure.gateway.fastPath, to: next.azure.gateway.fastPath });

  if (refused.length > 0) throw conflict(refused);
  const irreversible = items.filter((i) => i.irreversible !== undefined);
  if (irreversible.length > 0 && confirm !== true) {
    throw conflict(
      irreversible.map((i) => ({
        path: i.path,
        message: `${i.irreversible}; send "${CONFIRM_FIELD}": true in the patch to go ahead`,
      })),
    );
  }
  return { next, items };
}

function skuTransition(
  from: { tier: CircuitTier; family: CircuitFamily },
  to: { tier: CircuitTier; family: CircuitFamily },
): { refused?: ValidationIssue; item?: ChangeItem } {
  if (from.tier === to.tier && from.family === to.family) return {};
  if (from.family === "UnlimitedData" && to.family === "MeteredData") {
    return {
      refused: {
        path: "azure.circuitSku.family",
        message:
          "cannot go from UnlimitedData back to MeteredData (Azure: unsupported workflow); provision a new interconnect with MeteredData, move the traffic, then DELETE this one",
      },
    };
  }
  if (to.tier === "Local" && from.tier !== "Local") {
    return {
      refused: {
        path: "azure.circuitSku.tier",
        message:
          "cannot become Local in place: ExpressRoute Local serves only the Azure regions of its peering location's metro; provision a new interconnect with tier Local instead",
      },
    };
  }
  const item: ChangeItem = { kind: "circuitSku", path: "azure.circuitSku", from, to };
  if (from.family === "MeteredData" && to.family === "UnlimitedData") {
    item.irreversible = "MeteredData → UnlimitedData can never be undone: Azure does not move a circuit back to MeteredData";
  }
  return { item };
}

/** Leaf paths whose value differs between the two specs (objects compared key by key, arrays whole). */
function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function conflict(issues: ValidationIssue[]): ValidationError {
  return new ValidationError(
    issues,
    `The change is not possible in place: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    ErrorCodes.CONFLICT,
    409,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
