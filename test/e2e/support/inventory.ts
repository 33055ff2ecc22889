/**
 * What exists on the two emulated clouds, read from the admin endpoint's state dump. The dump is
 * walked generically (ARM resources by their "type", OCI resources by their OCID kind) so the checks
 * do not depend on how the emulators arrange their state internally.
 */
export interface CloudResource {
  id: string;
  name?: string;
  state?: string;
  raw: Record<string, unknown>;
}

export interface Inventory {
  circuits: CloudResource[];
  gateways: CloudResource[];
  connections: CloudResource[];
  publicIps: CloudResource[];
  gatewaySubnets: CloudResource[];
  virtualCircuits: CloudResource[];
  drgs: CloudResource[];
  drgAttachments: CloudResource[];
  routeRules: { routeTableId: string; destination: string; networkEntityId: string; description?: string }[];
  /** The optional end-to-end probe's connection monitors. */
  connectionMonitors: CloudResource[];
}

const ARM_TYPES: Record<string, keyof Inventory> = {
  "microsoft.network/expressroutecircuits": "circuits",
  "microsoft.network/virtualnetworkgateways": "gateways",
  "microsoft.network/connections": "connections",
  "microsoft.network/publicipaddresses": "publicIps",
  "microsoft.network/networkwatchers/connectionmonitors": "connectionMonitors",
};

const OCI_KINDS: Record<string, keyof Inventory> = {
  virtualcircuit: "virtualCircuits",
  drg: "drgs",
  drgattachment: "drgAttachments",
};

/** OCI keeps TERMINATED/DETACHED resources visible for a while; they are gone for billing purposes. */
const OCI_GONE = new Set(["TERMINATED", "DETACHED"]);

export function inventory(state: unknown): Inventory {
  const inv: Inventory = {
    circuits: [],
    gateways: [],
    connections: [],
    publicIps: [],
    gatewaySubnets: [],
    virtualCircuits: [],
    drgs: [],
    drgAttachments: [],
    routeRules: [],
    connectionMonitors: [],
  };
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    const id = typeof obj.id === "string" ? obj.id : undefined;
    if (id && !seen.has(id.toLowerCase())) {
      const type = typeof obj.type === "string" ? obj.type.toLowerCase() : "";
      const props = (obj.properties ?? {}) as Record<string, unknown>;
      const armBucket = ARM_TYPES[type];
      if (armBucket) {
        seen.add(id.toLowerCase());
        (inv[armBucket] as CloudResource[]).push({ id, name: String(obj.name), state: String(props.provisioningState ?? ""), raw: obj });
      } else if (type === "microsoft.network/virtualnetworks/subnets" && obj.name === "GatewaySubnet") {
        seen.add(id.toLowerCase());
        inv.gatewaySubnets.push({ id, name: "GatewaySubnet", raw: obj });
      }
      const kind = /^ocid1\.([a-z]+)\./.exec(id)?.[1];
      const ociBucket = kind ? OCI_KINDS[kind] : undefined;
      if (ociBucket && typeof obj.lifecycleState === "string") {
        seen.add(id.toLowerCase());
        if (!OCI_GONE.has(obj.lifecycleState))
          (inv[ociBucket] as CloudResource[]).push({ id, name: String(obj.displayName ?? ""), state: obj.lifecycleState, raw: obj });
      }
      if (kind === "routetable" && Array.isArray(obj.routeRules)) {
        seen.add(id.toLowerCase());
        for (const rule of obj.routeRules as Record<string, string>[]) {
          inv.routeRules.push({
            routeTableId: id,
            destination: rule.destination ?? "",
            networkEntityId: rule.networkEntityId ?? "",
            ...(rule.description ? { description: rule.description } : {}),
          });
        }
      }
    }
    Object.values(obj).forEach(visit);
  };
  visit(state);
  return inv;
}

/** Counts per kind, for "nothing left behind" and "no duplicates" assertions with readable diffs. */
export function counts(inv: Inventory): Record<keyof Inventory, number> {
  return Object.fromEntries(Object.entries(inv).map(([k, v]) => [k, (v as unknown[]).length])) as Record<keyof Inventory, number>;
}

export const NOTHING: Record<keyof Inventory, number> = {
  circuits: 0,
  gateways: 0,
  connections: 0,
  publicIps: 0,
  gatewaySubnets: 0,
  virtualCircuits: 0,
  drgs: 0,
  drgAttachments: 0,
  routeRules: 0,
  connectionMonitors: 0,
};

export const ONE_INTERCONNECT: Record<keyof Inventory, number> = {
  circuits: 1,
  gateways: 1,
  connections: 1,
  publicIps: 1,
  gatewaySubnets: 1,
  virtualCircuits: 1,
  drgs: 1,
  drgAttachments: 1,
  routeRules: 1,
  connectionMonitors: 0,
};
