import { failedProvisioningLeftNothing, type RecordOutcome } from "./failed-provisioning";
import type { PlanAction } from "./plan";

/**
 * What "shared" means, and what may be removed (issue 9). Usage, not creation, decides removal: every
 * resource two interconnects can have in common has a usage row in the store listing the live
 * interconnects that use it, and who of this service created it. A teardown or a compensation takes
 * its name off the row first and removes the resource only when nobody else is left on it and this
 * service created it (by whichever interconnect: the last user removes it, which is the hand-over).
 * The live cloud is checked again by the delete itself (activities), since the store can be wrong and
 * someone outside the service may use the resource too.
 */
export const SHARED_KINDS = [
  "virtual-network",
  "vcn",
  "route-table",
  "gateway-subnet",
  "gateway",
  "gateway-public-ip",
  "drg",
  "drg-attachment",
  "route-rule",
] as const;
export type SharedKind = (typeof SHARED_KINDS)[number];

/** The customer's own networks: shared, but never removed by this service. */
const NEVER_REMOVED: readonly SharedKind[] = ["virtual-network", "vcn", "route-table"];

/** One usage row: a shareable resource and the interconnects that use it. */
export interface Usage {
  kind: SharedKind;
  resourceId: string;
  /** Live interconnects using the resource, sorted. */
  users: string[];
  /** The interconnect of this service that created it; absent: it existed before (the customer's, or made outside the service). */
  createdBy?: string;
}

/** A VCN route rule is identified by its table, its destination and its target: one row per prefix → DRG. */
export function routeRuleId(routeTableId: string, destination: string, drgId: string): string {
  return `${routeTableId}/${destination}->${drgId}`;
}

/** ARM ids are case-insensitive; OCIDs are compared the same way, which cannot confuse two OCIDs. */
export function sameResource(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Whether an interconnect's record still counts as a user of what it names: a deleted one uses
 * nothing, nor a failed provisioning that left nothing (its compensation gave everything back).
 */
export function usesResources(record: RecordOutcome | undefined): boolean {
  return record !== undefined && record.state !== "deleted" && !failedProvisioningLeftNothing(record);
}

export type RemovalDecision =
  { remove: true; message: string } | { remove: false; why: "shared" | "not-ours"; users: string[]; message: string };

const label = (kind: SharedKind, resourceId: string) => `${kind} ${resourceId}`;

/**
 * May `self` remove the resource now that it has taken its name off the row (`row` as left after that)?
 * `createdBySelf`: the record says this interconnect created it, for a resource with no row (one
 * recorded before usage rows existed, or created by a step that failed before recording its use).
 */
export function removalDecision(
  kind: SharedKind,
  resourceId: string,
  row: Pick<Usage, "users" | "createdBy"> | undefined,
  self: string,
  createdBySelf: boolean,
): RemovalDecision {
  const what = label(kind, resourceId);
  const users = (row?.users ?? []).filter((u) => u !== self);
  if (users.length > 0) {
    return {
      remove: false,
      why: "shared",
      users,
      message: `${what} is kept: interconnect(s) ${users.join(", ")} still use it; the last of them removes it.`,
    };
  }
  const createdBy = row?.createdBy ?? (createdBySelf ? self : undefined);
  if (createdBy === undefined || NEVER_REMOVED.includes(kind)) {
    return { remove: false, why: "not-ours", users: [], message: `${what} is kept: this service did not create it.` };
  }
  return {
    remove: true,
    message:
      createdBy === self
        ? `${what}: no other interconnect uses it; removing it.`
        : `${what} was created by interconnect ${createdBy} and handed over; ${self} is its last user and removes it.`,
  };
}

/** What the record view says about one resource. */
export interface SharingView {
  kind: SharedKind;
  resourceId: string;
  shared: boolean;
  /** The other live interconnects using it. */
  sharedWith: string[];
  /** The interconnect that created it, or null when it existed before (not this service's). */
  createdBy: string | null;
}

export function sharingView(row: Usage, self: string): SharingView {
  const sharedWith = row.users.filter((u) => u !== self);
  return { kind: row.kind, resourceId: row.resourceId, shared: sharedWith.length > 0, sharedWith, createdBy: row.createdBy ?? null };
}

/** One interconnect's use of one resource, as the plan reads it. */
export interface ResourceUse {
  resourceId: string;
  interconnect: string;
}

export function usesOf(rows: readonly Usage[]): ResourceUse[] {
  return rows.flatMap((row) => row.users.map((interconnect) => ({ resourceId: row.resourceId, interconnect })));
}

export function usersOf(resourceId: string, uses: readonly ResourceUse[], self: string): string[] {
  const users = uses.filter((u) => u.interconnect !== self && sameResource(u.resourceId, resourceId)).map((u) => u.interconnect);
  return [...new Set(users)].sort();
}

/** create when nothing exists; share when another interconnect uses the existing resource; reuse otherwise. */
export function planAction(existingId: string | null, users: readonly string[]): PlanAction {
  if (existingId === null) return "create";
  return users.length > 0 ? "share" : "reuse";
}

/** The usage rows an interconnect's record names: what it has in common with others, or may have. */
export function usageRefsOf(
  resources: {
    virtualNetworkId?: string;
    gatewaySubnetId?: string;
    gatewayId?: string;
    gatewayPublicIpId?: string;
    drgId?: string;
    drgAttachmentId?: string;
    routeTableId?: string;
    routedPrefixes?: string[];
  },
  vcnId: string | undefined,
): { kind: SharedKind; resourceId: string }[] {
  const refs: { kind: SharedKind; resourceId: string | undefined }[] = [
    { kind: "virtual-network", resourceId: resources.virtualNetworkId },
    { kind: "vcn", resourceId: vcnId },
    { kind: "route-table", resourceId: resources.routeTableId },
    { kind: "gateway-subnet", resourceId: resources.gatewaySubnetId },
    { kind: "gateway", resourceId: resources.gatewayId },
    { kind: "gateway-public-ip", resourceId: resources.gatewayPublicIpId },
    { kind: "drg", resourceId: resources.drgId },
    { kind: "drg-attachment", resourceId: resources.drgAttachmentId },
    ...(resources.routeTableId !== undefined && resources.drgId !== undefined
      ? (resources.routedPrefixes ?? []).map((d) => ({
          kind: "route-rule" as const,
          resourceId: routeRuleId(resources.routeTableId!, d, resources.drgId!),
        }))
      : []),
  ];
  return refs.flatMap((r) => (r.resourceId ? [{ kind: r.kind, resourceId: r.resourceId }] : []));
}
