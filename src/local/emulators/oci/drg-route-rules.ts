import { createHash } from "node:crypto";
import { type ApiRequest, type ApiResponse, paginate } from "./api";
import { regionKey } from "./catalog";
import type { OciContext } from "./context";
import { notFound } from "./errors";
import type { Drg } from "./model";

/**
 * ListDrgRouteRules of a DRG's default route tables, derived from live state as OCI's dynamic routes are:
 * - the VCN table (what traffic from the VCN follows) holds one VIRTUAL_CIRCUIT rule per prefix Azure
 *   advertises over a virtual circuit on this DRG whose BGP is UP: the VNet address spaces of the gateways
 *   Connected to the circuit (so a deleted connection or a grown VNet shows here);
 * - the virtual-circuit table (what OCI advertises to Azure) holds one VCN rule per attached VCN CIDR.
 */
export function listDrgRouteRules(ctx: OciContext, req: ApiRequest): ApiResponse {
  const tableId = req.segments[1]!;
  const drg = Object.values(ctx.state.drgs)
    .map((r) => r.resource)
    .find((d) => d.defaultDrgRouteTables?.vcn === tableId || d.defaultDrgRouteTables?.virtualCircuit === tableId);
  if (!drg || drg.lifecycleState === "TERMINATED") throw notFound("drgRouteTable", tableId);
  const rules = drg.defaultDrgRouteTables?.vcn === tableId ? fromVirtualCircuits(ctx, drg) : fromVcns(ctx, drg);
  const routeType = req.query.get("routeType");
  return paginate(
    req,
    rules
      .filter((r) => routeType === null || r.routeType === routeType)
      .map((r) => ({ ...r, id: ruleId(tableId, r.destination, r.routeProvenance) })),
  );
}

interface Rule {
  destination: string;
  destinationType: "CIDR_BLOCK";
  nextHopDrgAttachmentId: string;
  routeType: "DYNAMIC";
  routeProvenance: "VIRTUAL_CIRCUIT" | "VCN";
  isConflict: boolean;
  isBlackhole: boolean;
}

function fromVirtualCircuits(ctx: OciContext, drg: Drg): Rule[] {
  const live = Object.values(ctx.state.virtualCircuits)
    .map((r) => r.resource)
    .filter((vc) => vc.gatewayId === drg.id && vc.lifecycleState === "PROVISIONED" && vc.bgpSessionState === "UP");
  return live.flatMap((vc) => {
    let prefixes: string[] = [];
    try {
      prefixes = ctx.link.azure.advertisedPrefixes(vc.providerServiceKeyName ?? "");
    } catch {
      // No Azure side registered: nothing is learned over the wire.
    }
    return prefixes.map((destination) => rule(destination, "VIRTUAL_CIRCUIT", virtualCircuitAttachmentId(ctx, vc.id)));
  });
}

function fromVcns(ctx: OciContext, drg: Drg): Rule[] {
  return Object.values(ctx.state.drgAttachments)
    .map((r) => r.resource)
    .filter((a) => a.drgId === drg.id && a.lifecycleState === "ATTACHED")
    .flatMap((a) => (ctx.state.vcns[a.vcnId]?.cidrBlocks ?? []).map((cidr) => rule(cidr, "VCN", a.id)));
}

function rule(destination: string, routeProvenance: Rule["routeProvenance"], nextHopDrgAttachmentId: string): Rule {
  return {
    destination,
    destinationType: "CIDR_BLOCK",
    nextHopDrgAttachmentId,
    routeType: "DYNAMIC",
    routeProvenance,
    isConflict: false,
    isBlackhole: false,
  };
}

/** OCI attaches a virtual circuit to its DRG by itself; this is that attachment's stable id. */
export function virtualCircuitAttachmentId(ctx: OciContext, virtualCircuitId: string): string {
  return `ocid1.drgattachment.oc1.${regionKey(ctx.region)}.aaaaaaaa${digest(virtualCircuitId).slice(0, 52)}`;
}

function ruleId(tableId: string, destination: string, provenance: string): string {
  return `${provenance.toLowerCase()}-${digest(`${tableId} ${destination}`).slice(0, 16)}`;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
