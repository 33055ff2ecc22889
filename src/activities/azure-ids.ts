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

/** ARM ids are case-insensitive; compare them that way. */
export function sameArmId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

export { armResourceId as armId } from "../domain/names";
