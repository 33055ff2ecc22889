import { StepFailed } from "./step";
import { permanent } from "../contracts";

export interface ArmResourceRef {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. "virtualNetworkGateways" */
  type: string;
  name: string;
}

/** /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/{type}/{name}[/...] */
export function parseArmId(id: string, field: string): ArmResourceRef {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/([^/]+)\/([^/]+)/i.exec(id);
  if (!m) throw new StepFailed(permanent("VALIDATION_FAILED", `${field}: "${id}" is not a Microsoft.Network resource id`));
  return { subscriptionId: m[1] as string, resourceGroup: m[2] as string, type: m[3] as string, name: m[4] as string };
}

/** A resource given by its id (`field` names it in the error if it is not one), or else by `defaultName` in the interconnect's own scope. */
export function armRefOr(
  scope: { subscriptionId: string; resourceGroup: string },
  id: string | undefined,
  field: string,
  defaultName: string,
): { subscriptionId: string; resourceGroup: string; name: string } {
  if (id) {
    const ref = parseArmId(id, field);
    return { subscriptionId: ref.subscriptionId, resourceGroup: ref.resourceGroup, name: ref.name };
  }
  return { subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup, name: defaultName };
}

/** ARM ids are case-insensitive; compare them that way. */
export function sameArmId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export { armResourceId as armId } from "../domain/names";
