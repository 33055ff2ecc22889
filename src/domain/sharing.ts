import type { PlanAction } from "./plan";

/**
 * Which other interconnects use a cloud resource. Today this is read from the interconnect records'
 * resource ids; usage records of shared resources replace that source later, not this rule.
 */
export interface ResourceUse {
  resourceId: string;
  interconnect: string;
}

/** ARM ids are case-insensitive; OCIDs are compared the same way, which cannot confuse two OCIDs. */
export function usersOf(resourceId: string, uses: readonly ResourceUse[], self: string): string[] {
  const id = resourceId.toLowerCase();
  const users = uses.filter((u) => u.interconnect !== self && u.resourceId.toLowerCase() === id).map((u) => u.interconnect);
  return [...new Set(users)].sort();
}

/** create when nothing exists; share when another interconnect uses the existing resource; reuse otherwise. */
export function planAction(existingId: string | null, users: readonly string[]): PlanAction {
  if (existingId === null) return "create";
  return users.length > 0 ? "share" : "reuse";
}
