/**
 * The DRG and its VCN attachment. Found again by display name (derived from the interconnect
 * name); created with an opc-retry-token derived from the orchestration instance, so a create
 * replayed after a lost answer is the same create.
 */
import type { Drg, DrgAttachment, OciNetwork } from "../clouds/oci/network";
import { resourceNames } from "../domain/names";
import {
  type ActivityInput,
  type DeleteOutcome,
  type DrgAttachmentObservation,
  type DrgObservation,
  type OciScope,
  withInterconnectTag,
  namesOf,
} from "../contracts";
import { defineActivity, type StepContext } from "./step";
import { deleteShared } from "./usage";

const GONE_DRG = new Set(["TERMINATED"]);
const GONE_ATTACHMENT = new Set(["DETACHED"]);

function drgObservation(d: Drg | undefined): DrgObservation {
  return d ? { found: true, drgId: d.id, lifecycleState: String(d.lifecycleState) } : { found: false };
}

function attachmentObservation(a: DrgAttachment | undefined): DrgAttachmentObservation {
  return a ? { found: true, drgAttachmentId: a.id, lifecycleState: String(a.lifecycleState) } : { found: false };
}

/** Live ones first (a name may also match a TERMINATED leftover of an earlier run). */
function pickByName<T extends { displayName?: string; lifecycleState: unknown }>(
  items: T[],
  name: string,
  gone: Set<string>,
): T | undefined {
  const named = items.filter((i) => i.displayName === name);
  return named.find((i) => !gone.has(String(i.lifecycleState))) ?? named[0];
}

async function findDrg(oci: OciNetwork, scope: OciScope, interconnect: string, drgId?: string): Promise<Drg | undefined> {
  if (drgId) return oci.getDrg(drgId);
  return pickByName(await oci.listDrgs(scope.compartmentId), resourceNames(interconnect).drg, GONE_DRG);
}

export const ociEnsureDrg = defineActivity("ociEnsureDrg", "mutation", async (input, ctx) => {
  const oci = ctx.oci(input.oci.region);
  const name = namesOf(ctx.opContext).drg;
  const existing = await findDrg(oci, input.oci, ctx.opContext.interconnect);
  if (existing && !GONE_DRG.has(String(existing.lifecycleState)) && String(existing.lifecycleState) !== "TERMINATING") {
    return drgObservation(existing);
  }
  const created = await oci.createDrg(
    {
      compartmentId: input.oci.compartmentId,
      displayName: name,
      freeformTags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
    },
    ctx.retryToken(name),
  );
  return drgObservation(created);
});

export const ociGetDrg = defineActivity("ociGetDrg", "read", async (input, ctx) => {
  return drgObservation(await findDrg(ctx.oci(input.oci.region), input.oci, ctx.opContext.interconnect, input.drgId));
});

export const ociDeleteDrg = defineActivity("ociDeleteDrg", "mutation", (input, ctx) =>
  deleteShared(ctx, input.release, () => deleteDrg(input, ctx)),
);

async function deleteDrg(input: ActivityInput<"ociDeleteDrg">, ctx: StepContext): Promise<DeleteOutcome> {
  const oci = ctx.oci(input.oci.region);
  const drg = await findDrg(oci, input.oci, ctx.opContext.interconnect, input.drgId);
  if (!drg || GONE_DRG.has(String(drg.lifecycleState))) return { status: "deleted" };
  if (String(drg.lifecycleState) === "TERMINATING") return { status: "deleting" };
  const others = await otherVirtualCircuits(oci, [input.oci.compartmentId, drg.compartmentId], drg.id, ctx.opContext.interconnect);
  if (others.length > 0)
    return {
      status: "in-use",
      message: `DRG ${drg.id} still serves virtual circuit(s) ${others.join(", ")} (live cloud); it is kept for them.`,
    };
  const attachments = (await oci.listDrgAttachments({ compartmentId: drg.compartmentId ?? input.oci.compartmentId, drgId: drg.id })).filter(
    (a) => !GONE_ATTACHMENT.has(String(a.lifecycleState)) && String(a.lifecycleState) !== "DETACHING",
  );
  if (attachments.length > 0) {
    const which = attachments.map((a) => `${a.id} (VCN ${a.vcnId ?? a.networkDetails?.id ?? "?"})`).join(", ");
    return { status: "in-use", message: `DRG ${drg.id} is still attached by ${which} (live cloud); it is kept for them.` };
  }
  return deleteOrConflict(() => oci.deleteDrg(drg.id));
}

/**
 * The live cloud's word on whether a DRG serves someone else: virtual circuits terminating on it that
 * are not ours (another interconnect reusing the DRG, or one made outside the service). While one
 * lives, the DRG, its VCN attachment and the route rules to it are that interconnect's path too.
 */
export async function otherVirtualCircuits(
  oci: OciNetwork,
  compartmentIds: (string | undefined)[],
  drgId: string,
  interconnect: string,
): Promise<string[]> {
  const ours = resourceNames(interconnect).virtualCircuit;
  const seen = new Set<string>();
  for (const compartmentId of new Set(compartmentIds.filter((c): c is string => c !== undefined))) {
    for (const vc of await oci.listVirtualCircuits(compartmentId)) {
      const live = !["TERMINATING", "TERMINATED"].includes(String(vc.lifecycleState));
      if (live && vc.gatewayId === drgId && vc.displayName !== ours && vc.id)
        seen.add(vc.displayName ? `${vc.displayName} (${vc.id})` : vc.id);
    }
  }
  return [...seen].sort();
}

async function findAttachment(
  oci: OciNetwork,
  scope: OciScope,
  interconnect: string,
  vcnId: string,
  ids: { drgAttachmentId?: string; drgId?: string },
): Promise<DrgAttachment | undefined> {
  if (ids.drgAttachmentId) return oci.getDrgAttachment(ids.drgAttachmentId);
  const all = await oci.listDrgAttachments({ compartmentId: scope.compartmentId, vcnId, ...(ids.drgId ? { drgId: ids.drgId } : {}) });
  return pickByName(all, resourceNames(interconnect).drgAttachment, GONE_ATTACHMENT);
}

export const ociEnsureDrgAttachment = defineActivity("ociEnsureDrgAttachment", "mutation", async (input, ctx) => {
  const oci = ctx.oci(input.oci.region);
  const name = namesOf(ctx.opContext).drgAttachment;
  // A VCN attaches to one DRG at most: an existing live attachment to this DRG (ours or the user's) is used as is.
  const attachments = await oci.listDrgAttachments({ compartmentId: input.oci.compartmentId, drgId: input.drgId, vcnId: input.vcnId });
  const live = attachments.find((a) => !GONE_ATTACHMENT.has(String(a.lifecycleState)) && String(a.lifecycleState) !== "DETACHING");
  if (live) return attachmentObservation(live);
  const created = await oci.createDrgAttachment(
    {
      drgId: input.drgId,
      displayName: name,
      networkDetails: { type: "VCN", id: input.vcnId },
      freeformTags: withInterconnectTag(input.tags, ctx.opContext.interconnect),
    },
    ctx.retryToken(name),
  );
  return attachmentObservation(created);
});

export const ociGetDrgAttachment = defineActivity("ociGetDrgAttachment", "read", async (input, ctx) => {
  const oci = ctx.oci(input.oci.region);
  return attachmentObservation(await findAttachment(oci, input.oci, ctx.opContext.interconnect, input.vcnId, input));
});

export const ociDeleteDrgAttachment = defineActivity("ociDeleteDrgAttachment", "mutation", (input, ctx) =>
  deleteShared(ctx, input.release, () => deleteAttachment(input, ctx)),
);

async function deleteAttachment(input: ActivityInput<"ociDeleteDrgAttachment">, ctx: StepContext): Promise<DeleteOutcome> {
  const oci = ctx.oci(input.oci.region);
  const att = await findAttachment(oci, input.oci, ctx.opContext.interconnect, input.vcnId, input);
  if (!att || GONE_ATTACHMENT.has(String(att.lifecycleState))) return { status: "deleted" };
  if (String(att.lifecycleState) === "DETACHING") return { status: "deleting" };
  const others = await otherVirtualCircuits(oci, [input.oci.compartmentId], att.drgId, ctx.opContext.interconnect);
  if (others.length > 0) {
    return {
      status: "in-use",
      message: `DRG attachment ${att.id} still carries the traffic of virtual circuit(s) ${others.join(", ")} on DRG ${att.drgId} (live cloud); it is kept for them.`,
    };
  }
  // Rules that still target the DRG (someone's, or kept for another interconnect): OCI refuses the detach, and they would lose their route.
  // Every route table of the VCN, not only the one the record names: a rule added by hand sits in whichever table its subnets use.
  const tables = await oci.listRouteTables({ compartmentId: input.oci.compartmentId, vcnId: input.vcnId });
  if (input.routeTableId !== undefined && !tables.some((t) => t.id === input.routeTableId)) {
    const named = await oci.getRouteTable(input.routeTableId);
    if (named) tables.push(named.routeTable);
  }
  const routing = tables.flatMap((t) => {
    const targeting = (t.routeRules ?? []).filter((r) => r.networkEntityId === att.drgId);
    const rules = targeting.map((r) => `${r.destination ?? r.cidrBlock} (${r.description ?? "no description"})`).join(", ");
    return targeting.length > 0 ? [`route table ${t.displayName ? `${t.displayName} (${t.id})` : t.id} still routes ${rules}`] : [];
  });
  if (routing.length > 0) {
    return {
      status: "in-use",
      message: `DRG attachment ${att.id} is kept: ${routing.join("; ")} to DRG ${att.drgId} (live cloud).`,
    };
  }
  return deleteOrConflict(() => oci.deleteDrgAttachment(att.id));
}

/** OCI says 409 IncorrectState while something still depends on the resource: try again later. */
export async function deleteOrConflict(run: () => Promise<"deleting" | "deleted">): Promise<DeleteOutcome> {
  try {
    return { status: await run() };
  } catch (err) {
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode === 409) return { status: "conflict", message: e.message ?? e.code ?? "conflict", retryAfterSeconds: 30 };
    throw err;
  }
}
