import {
  byTimeCreated,
  checkIfMatch,
  filterByQuery,
  ok,
  paginate,
  rememberCreate,
  replayCreate,
  requiredQuery,
  type ApiRequest,
  type ApiResponse,
} from "./api";
import type { OciContext } from "./context";
import { conflict, incorrectState, invalidParameter, notFound, relatedNotFound } from "./errors";
import type { Drg, DrgAttachment, Timed } from "./model";
import {
  asBody,
  definedTagsOf,
  freeformTagsOf,
  optionalDisplayName,
  optionalString,
  rejectUnknownFields,
  requiredString,
} from "./validate";

/** Dynamic routing gateways and their attachments to VCNs. */
export function createDrg(ctx: OciContext, req: ApiRequest): ApiResponse {
  const replay = replayCreate(ctx, req, "createDrg", (id) => ctx.state.drgs[id]?.resource);
  if (replay) return replay;
  const body = asBody(req.body, "createDrgDetails");
  rejectUnknownFields(body, ["compartmentId", "displayName", "freeformTags", "definedTags"], "createDrgDetails");
  const compartmentId = requiredString(body, "compartmentId");
  if (!ctx.knowsCompartment(compartmentId)) throw relatedNotFound("compartmentId", compartmentId);
  const id = ctx.newId("drg");
  const drg: Drg = {
    id,
    compartmentId,
    displayName: optionalDisplayName(body) ?? `drg${ctx.nowIso().replace(/\D/g, "").slice(0, 14)}`,
    lifecycleState: "PROVISIONING",
    timeCreated: ctx.nowIso(),
    freeformTags: freeformTagsOf(body) ?? {},
    definedTags: definedTagsOf(body) ?? {},
    defaultDrgRouteTables: { vcn: ctx.newId("drgroutetable"), virtualCircuit: ctx.newId("drgroutetable") },
  };
  ctx.state.drgs[id] = { resource: drg, dueAt: ctx.now() + ctx.durations.drgProvisioning };
  rememberCreate(ctx, req, "createDrg", id);
  ctx.store.changed();
  return ok(drg);
}

export function getDrg(ctx: OciContext, req: ApiRequest): ApiResponse {
  return ok(drgOf(ctx, req.segments[1]!).resource);
}

function drgOf(ctx: OciContext, id: string): Timed<Drg> {
  const rec = ctx.state.drgs[id];
  if (!rec) throw notFound("drg", id);
  return rec;
}

export function listDrgs(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  const items = Object.values(ctx.state.drgs)
    .map((r) => r.resource)
    .sort(byTimeCreated);
  return paginate(req, filterByQuery<Drg>(req, items, ["compartmentId"]));
}

/**
 * Oracle: a DRG can be deleted only when nothing uses it — detach it from every VCN and remove the
 * route rules and virtual circuits that target it first.
 */
export function deleteDrg(ctx: OciContext, req: ApiRequest): ApiResponse {
  const rec = drgOf(ctx, req.segments[1]!);
  checkIfMatch(req, rec.resource);
  const drg = rec.resource;
  if (drg.lifecycleState === "TERMINATING" || drg.lifecycleState === "TERMINATED") return { status: 204 };
  if (drg.lifecycleState === "PROVISIONING") throw incorrectState(`DRG ${drg.id} is PROVISIONING; delete it once it is AVAILABLE`);
  const attachment = Object.values(ctx.state.drgAttachments).find(
    (a) => a.resource.drgId === drg.id && a.resource.lifecycleState !== "DETACHED",
  );
  if (attachment)
    throw conflict(
      `DRG ${drg.id} still has attachment ${attachment.resource.id} (${attachment.resource.lifecycleState}); delete the attachment first`,
    );
  const table = Object.values(ctx.state.routeTables).find((t) => t.routeRules.some((r) => r.networkEntityId === drg.id));
  if (table) throw conflict(`route table ${table.id} has a rule that targets DRG ${drg.id}; remove the rule first`);
  const vc = Object.values(ctx.state.virtualCircuits).find(
    (v) => v.resource.gatewayId === drg.id && v.resource.lifecycleState !== "TERMINATED",
  );
  if (vc) throw conflict(`virtual circuit ${vc.resource.id} uses DRG ${drg.id}; delete the virtual circuit first`);
  drg.lifecycleState = "TERMINATING";
  rec.dueAt = ctx.now() + ctx.durations.drgTermination;
  ctx.store.changed();
  return { status: 204 };
}

export function createDrgAttachment(ctx: OciContext, req: ApiRequest): ApiResponse {
  const replay = replayCreate(ctx, req, "createDrgAttachment", (id) => ctx.state.drgAttachments[id]?.resource);
  if (replay) return replay;
  const body = asBody(req.body, "createDrgAttachmentDetails");
  rejectUnknownFields(
    body,
    ["displayName", "drgId", "drgRouteTableId", "networkDetails", "definedTags", "freeformTags", "routeTableId", "vcnId"],
    "createDrgAttachmentDetails",
  );
  const drgId = requiredString(body, "drgId");
  const { vcnId, routeTableId } = attachedNetwork(body);
  const drg = ctx.state.drgs[drgId];
  if (!drg) throw relatedNotFound("drgId", drgId);
  const vcn = ctx.state.vcns[vcnId];
  if (!vcn) throw relatedNotFound(body.networkDetails ? "networkDetails.id" : "vcnId", vcnId);
  if (routeTableId !== undefined && ctx.state.routeTables[routeTableId]?.vcnId !== vcnId) {
    throw relatedNotFound("networkDetails.routeTableId", routeTableId);
  }
  if (drg.resource.lifecycleState !== "AVAILABLE") {
    throw incorrectState(`DRG ${drgId} is ${drg.resource.lifecycleState}; attach once it is AVAILABLE`);
  }
  // A VCN is attached to at most one DRG at a time.
  const existing = Object.values(ctx.state.drgAttachments).find(
    (a) => a.resource.vcnId === vcnId && a.resource.lifecycleState !== "DETACHED",
  );
  if (existing) throw conflict(`VCN ${vcnId} is already attached to DRG ${existing.resource.drgId} by ${existing.resource.id}`);
  const id = ctx.newId("drgattachment");
  const attachment: DrgAttachment = {
    id,
    compartmentId: drg.resource.compartmentId,
    displayName: optionalDisplayName(body) ?? `drgattachment${ctx.nowIso().replace(/\D/g, "").slice(0, 14)}`,
    drgId,
    vcnId,
    ...(routeTableId === undefined ? {} : { routeTableId }),
    ...(drg.resource.defaultDrgRouteTables ? { drgRouteTableId: drg.resource.defaultDrgRouteTables.vcn } : {}),
    networkDetails: { type: "VCN", id: vcnId, ...(routeTableId === undefined ? {} : { routeTableId }), vcnRouteType: "SUBNET_CIDRS" },
    lifecycleState: "ATTACHING",
    isCrossTenancy: false,
    timeCreated: ctx.nowIso(),
    freeformTags: freeformTagsOf(body) ?? {},
    definedTags: definedTagsOf(body) ?? {},
  };
  ctx.state.drgAttachments[id] = { resource: attachment, dueAt: ctx.now() + ctx.durations.drgAttachmentAttaching };
  rememberCreate(ctx, req, "createDrgAttachment", id);
  ctx.store.changed();
  return ok(attachment);
}

/** networkDetails {type:"VCN", id} is current; the top-level vcnId is deprecated but still accepted. */
function attachedNetwork(body: Record<string, unknown>): { vcnId: string; routeTableId?: string } {
  if (body.networkDetails !== undefined && body.networkDetails !== null) {
    const details = asBody(body.networkDetails, "networkDetails");
    rejectUnknownFields(details, ["type", "id", "routeTableId", "vcnRouteType"], "networkDetails");
    const type = requiredString(details, "type", "networkDetails.type");
    if (type !== "VCN") throw invalidParameter("networkDetails.type", "only VCN attachments can be created");
    const vcnId = requiredString(details, "id", "networkDetails.id");
    if (body.vcnId !== undefined && body.vcnId !== vcnId) throw invalidParameter("vcnId", "contradicts networkDetails.id");
    const routeTableId = optionalString(details, "routeTableId", "networkDetails.routeTableId") ?? optionalString(body, "routeTableId");
    return routeTableId === undefined ? { vcnId } : { vcnId, routeTableId };
  }
  const vcnId = requiredString(body, "vcnId", "networkDetails.id");
  const routeTableId = optionalString(body, "routeTableId");
  return routeTableId === undefined ? { vcnId } : { vcnId, routeTableId };
}

export function getDrgAttachment(ctx: OciContext, req: ApiRequest): ApiResponse {
  return ok(attachmentOf(ctx, req.segments[1]!).resource);
}

function attachmentOf(ctx: OciContext, id: string): Timed<DrgAttachment> {
  const rec = ctx.state.drgAttachments[id];
  if (!rec) throw notFound("drgAttachment", id);
  return rec;
}

export function listDrgAttachments(ctx: OciContext, req: ApiRequest): ApiResponse {
  ctx.requireCompartment(requiredQuery(req, "compartmentId"));
  const attachmentType = req.query.get("attachmentType");
  const networkId = req.query.get("networkId");
  const items = Object.values(ctx.state.drgAttachments)
    .map((r) => r.resource)
    .filter(
      (a) =>
        (attachmentType === null || attachmentType === "VCN" || attachmentType === "ALL") && (networkId === null || a.vcnId === networkId),
    )
    .sort(byTimeCreated);
  return paginate(req, filterByQuery<DrgAttachment>(req, items, ["compartmentId", "vcnId", "drgId", "displayName", "lifecycleState"]));
}

export function deleteDrgAttachment(ctx: OciContext, req: ApiRequest): ApiResponse {
  const rec = attachmentOf(ctx, req.segments[1]!);
  checkIfMatch(req, rec.resource);
  const attachment = rec.resource;
  if (attachment.lifecycleState === "DETACHING" || attachment.lifecycleState === "DETACHED") return { status: 204 };
  // Oracle: the VCN's route tables must not target the DRG any more before it is detached.
  const table = Object.values(ctx.state.routeTables).find(
    (t) => t.vcnId === attachment.vcnId && t.routeRules.some((r) => r.networkEntityId === attachment.drgId),
  );
  if (table)
    throw conflict(
      `route table ${table.id} of VCN ${attachment.vcnId} has a rule that targets DRG ${attachment.drgId}; remove the rule first`,
    );
  attachment.lifecycleState = "DETACHING";
  rec.dueAt = ctx.now() + ctx.durations.drgAttachmentDetaching;
  ctx.store.changed();
  return { status: 204 };
}
