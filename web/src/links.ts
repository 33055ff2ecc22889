import type { InterconnectRecord, Resources } from "./types.js";

export interface ResourceRow {
  kind: string;
  cloud: "Azure" | "OCI";
  id: string;
  region: string;
  url: string;
  /** Whether this interconnect created it (teardown removes it) or found it, where the record says. */
  owned?: boolean;
}

/** The Azure portal opens any ARM resource by its id; the id carries subscription, group and region scope. */
export function azurePortalUrl(armId: string): string {
  return `https://portal.azure.com/#resource${armId.split("/").map(encodeURIComponent).join("/")}/overview`;
}

/** The OCI Console's pages per resource kind; the region is a query parameter, as the Console's own links carry it. */
export function ociConsoleUrl(
  kind: "vcn" | "routeTable" | "drg" | "drgAttachment" | "virtualCircuit",
  ocid: string,
  region: string,
  parent?: string,
): string {
  const q = `?region=${encodeURIComponent(region)}`;
  const id = encodeURIComponent(ocid);
  switch (kind) {
    case "vcn":
      return `https://cloud.oracle.com/networking/vcns/${id}${q}`;
    case "routeTable":
      return parent
        ? `https://cloud.oracle.com/networking/vcns/${encodeURIComponent(parent)}/route-tables/${id}${q}`
        : `https://cloud.oracle.com/networking/vcns${q}`;
    case "drg":
      return `https://cloud.oracle.com/networking/drgs/${id}${q}`;
    case "drgAttachment":
      return parent
        ? `https://cloud.oracle.com/networking/drgs/${encodeURIComponent(parent)}/drg-attachments/${id}${q}`
        : `https://cloud.oracle.com/networking/drgs${q}`;
    case "virtualCircuit":
      return `https://cloud.oracle.com/networking/fast-connect/virtual-circuit/${id}${q}`;
  }
}

/** Every cloud resource of the record (or, for a deleted one, those it had), in the order they are built. */
export function resourceRows(record: InterconnectRecord): ResourceRow[] {
  const r: Resources = record.state === "deleted" ? (record.lastKnownResources ?? {}) : record.resources;
  const location = record.spec.azure.location;
  const region = record.spec.oci.region;
  const owned = r.owned ?? {};
  const rows: ResourceRow[] = [];
  const azure = (kind: string, id: string | undefined, own?: boolean) => {
    if (id)
      rows.push({ kind, cloud: "Azure", id, region: location, url: azurePortalUrl(id), ...(own === undefined ? {} : { owned: own }) });
  };
  const oci = (kind: string, id: string | undefined, url: string, own?: boolean) => {
    if (id) rows.push({ kind, cloud: "OCI", id, region, url, ...(own === undefined ? {} : { owned: own }) });
  };
  azure("Virtual network", r.virtualNetworkId, false);
  azure("GatewaySubnet", r.gatewaySubnetId, owned.gatewaySubnet);
  azure("Virtual network gateway (ExpressRoute)", r.gatewayId, owned.gateway);
  azure("ExpressRoute circuit", r.circuitId, true);
  azure("Connection", r.connectionId, true);
  const vcnId = record.spec.oci.vcnId;
  oci("VCN", vcnId, ociConsoleUrl("vcn", vcnId, region), false);
  if (r.drgId) oci("DRG", r.drgId, ociConsoleUrl("drg", r.drgId, region), owned.drg);
  if (r.drgAttachmentId)
    oci("DRG attachment", r.drgAttachmentId, ociConsoleUrl("drgAttachment", r.drgAttachmentId, region, r.drgId), owned.drgAttachment);
  if (r.virtualCircuitId)
    oci("FastConnect virtual circuit", r.virtualCircuitId, ociConsoleUrl("virtualCircuit", r.virtualCircuitId, region), true);
  if (r.routeTableId)
    oci("Route table (rules to the DRG)", r.routeTableId, ociConsoleUrl("routeTable", r.routeTableId, region, vcnId), false);
  return rows;
}
