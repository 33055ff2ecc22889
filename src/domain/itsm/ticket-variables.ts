import type { PeeringLocationCatalog } from "../catalog";
import { ValidationError, type ValidationIssue } from "../errors";
import { parseInterconnectSpec, type InterconnectSpec } from "../spec";

/**
 * The catalog item's variables (ServiceNow) or the mapped fields (Jira), all strings as ServiceNow
 * sends them, and where each lands in the InterconnectSpec. The table is the public contract of
 * integrations/servicenow/catalog-item.md: a variable is reported by its own name, never by a spec path.
 */
type Kind = "string" | "number" | "boolean";
interface VariableDef {
  /** Dotted spec path. */
  path: string;
  kind: Kind;
}

export const TICKET_VARIABLES = {
  interconnect_name: { path: "name", kind: "string" },
  bandwidth_gbps: { path: "bandwidthGbps", kind: "number" },
  azure_subscription_id: { path: "azure.subscriptionId", kind: "string" },
  azure_resource_group: { path: "azure.resourceGroup", kind: "string" },
  azure_location: { path: "azure.location", kind: "string" },
  er_peering_location: { path: "azure.peeringLocation", kind: "string" },
  er_sku_tier: { path: "azure.circuitSku.tier", kind: "string" },
  er_sku_family: { path: "azure.circuitSku.family", kind: "string" },
  azure_vnet_name: { path: "azure.virtualNetwork.name", kind: "string" },
  gateway_subnet_prefix: { path: "azure.virtualNetwork.gatewaySubnetPrefix", kind: "string" },
  gateway_sku: { path: "azure.gateway.sku", kind: "string" },
  fastpath: { path: "azure.gateway.fastPath", kind: "boolean" },
  gateway_scale_units: { path: "azure.gateway.scaleUnits", kind: "number" },
  oci_region: { path: "oci.region", kind: "string" },
  oci_compartment_ocid: { path: "oci.compartmentId", kind: "string" },
  oci_vcn_ocid: { path: "oci.vcnId", kind: "string" },
  oci_drg_ocid: { path: "oci.drgId", kind: "string" },
  bgp_primary_cidr: { path: "bgp.primaryPeeringCidr", kind: "string" },
  bgp_secondary_cidr: { path: "bgp.secondaryPeeringCidr", kind: "string" },
  keep_resources_on_failure: { path: "keepResourcesOnFailure", kind: "boolean" },
  cost_center: { path: "tags.cost-center", kind: "string" },
} as const satisfies Record<string, VariableDef>;

export type TicketVariableName = keyof typeof TICKET_VARIABLES;
export const TICKET_VARIABLE_NAMES = Object.keys(TICKET_VARIABLES) as TicketVariableName[];

/** Spec paths that have no single variable: the first variable that fills them takes the blame. */
const GROUPS: Record<string, TicketVariableName> = {
  "": "interconnect_name",
  azure: "azure_subscription_id",
  "azure.circuitSku": "er_sku_tier",
  "azure.virtualNetwork": "azure_vnet_name",
  "azure.gateway": "gateway_sku",
  oci: "oci_region",
  bgp: "bgp_primary_cidr",
  tags: "cost_center",
};

export interface TicketVariablesOptions {
  catalog?: PeeringLocationCatalog;
  /** How an issue names a variable: "variables.<name>" for ServiceNow, the Jira field for Jira. */
  label?: (variable: TicketVariableName) => string;
}

/**
 * Variables (strings; "" means unset, as ServiceNow sends an empty variable) to a validated spec.
 * Conversions come first, so "ten" for bandwidth_gbps says so by the variable's name; then the spec's
 * own validation, whose paths are mapped back to variable names. Every problem is listed at once.
 */
export function specFromTicketVariables(
  variables: Readonly<Record<string, unknown>>,
  options: TicketVariablesOptions = {},
): InterconnectSpec {
  const label = options.label ?? ((v) => `variables.${v}`);
  const issues: ValidationIssue[] = [];
  const spec: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(variables)) {
    const def = (TICKET_VARIABLES as Record<string, VariableDef>)[name];
    if (!def) {
      issues.push({
        path: `variables.${name}`,
        message: `is not a variable of the interconnect request; known variables: ${TICKET_VARIABLE_NAMES.join(", ")}`,
      });
      continue;
    }
    if (typeof raw !== "string") {
      issues.push({ path: label(name as TicketVariableName), message: "must be a string (catalog variables are sent as strings)" });
      continue;
    }
    const value = raw.trim();
    if (value === "") continue;
    const converted = convert(value, def.kind);
    if (converted === undefined) {
      issues.push({
        path: label(name as TicketVariableName),
        message:
          def.kind === "number"
            ? `must be a whole number, got ${JSON.stringify(raw)}`
            : `must be true or false, got ${JSON.stringify(raw)}`,
      });
      continue;
    }
    put(spec, def.path, converted);
  }
  try {
    const parsed = parseInterconnectSpec(spec, options.catalog ? { catalog: options.catalog } : {});
    if (issues.length === 0) return parsed;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const named = new Set(issues.map((i) => i.path));
    for (const issue of err.issues) {
      const path = label(variableFor(issue.path));
      // A value that failed conversion is absent from the spec, and "required" would repeat the point.
      if (!named.has(path)) issues.push({ path, message: issue.message });
    }
  }
  throw new ValidationError(issues);
}

function convert(value: string, kind: Kind): string | number | boolean | undefined {
  if (kind === "string") return value;
  if (kind === "number") return /^\d{1,6}$/.test(value) ? Number(value) : undefined;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

function put(target: Record<string, unknown>, path: string, value: unknown): void {
  // Tag names contain hyphens but no dots: split off only the object path.
  const keys = path.startsWith("tags.") ? ["tags", path.slice(5)] : path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1] as string] = value;
}

/** The variable behind a spec path: exact, else the closest enclosing group. */
export function variableFor(specPath: string): TicketVariableName {
  for (const name of TICKET_VARIABLE_NAMES) if (TICKET_VARIABLES[name].path === specPath) return name;
  if (specPath.startsWith("tags")) return "cost_center";
  let prefix = specPath;
  while (prefix !== "") {
    const group = GROUPS[prefix];
    if (group) return group;
    prefix = prefix.includes(".") ? prefix.slice(0, prefix.lastIndexOf(".")) : "";
  }
  return GROUPS[""] as TicketVariableName;
}
