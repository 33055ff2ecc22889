/**
 * Every activity's contract, declared once: its name (the key), the schema of its input (checked by
 * the activity on every call) and of its output; the types are inferred from them. Registration
 * (df.app.activity), the activities' handlers and the workflows' calls (context.df.callActivity) are
 * all typed from here. Shared by three layers, so it depends on src/domain only.
 *
 * A new resource family adds one file exporting its `...Activities` and spreads it below.
 */
import type { z } from "zod";
import { adoptActivities } from "./adopt";
import { changeActivities } from "./change";
import { circuitActivities } from "./circuit";
import { connectionActivities } from "./connection";
import { drgActivities } from "./drg";
import { gatewayActivities } from "./gateway";
import { healthActivities } from "./health";
import { networkTurnActivities } from "./network-turn";
import { monitorActivities } from "./monitor";
import { planActivities } from "./plan";
import { preflightActivities } from "./preflight";
import { recordActivities } from "./record";
import { routeRulesActivities } from "./route-rules";
import { taskHubActivities } from "./task-hub";
import { usageActivities } from "./usage";
import { virtualCircuitActivities } from "./virtual-circuit";
import { watchdogActivities } from "./watchdog";

export const ACTIVITIES = {
  ...preflightActivities,
  ...gatewayActivities,
  ...drgActivities,
  ...circuitActivities,
  ...virtualCircuitActivities,
  ...routeRulesActivities,
  ...connectionActivities,
  ...taskHubActivities,
  ...recordActivities,
  ...healthActivities,
  ...monitorActivities,
  ...watchdogActivities,
  ...networkTurnActivities,
  ...planActivities,
  ...usageActivities,
  ...changeActivities,
  ...adoptActivities,
};

export type ActivityName = keyof typeof ACTIVITIES;
export const ACTIVITY_NAMES = Object.keys(ACTIVITIES) as ActivityName[];
export type ActivityInput<N extends ActivityName> = z.infer<(typeof ACTIVITIES)[N]["input"]>;
export type ActivityOutput<N extends ActivityName> = z.infer<(typeof ACTIVITIES)[N]["output"]>;

export function isActivityName(name: string): name is ActivityName {
  return Object.prototype.hasOwnProperty.call(ACTIVITIES, name);
}

export * from "./adopt";
export * from "./change";
export * from "./circuit";
export * from "./common";
export * from "./connection";
export * from "./drg";
export * from "./failure";
export * from "./gateway";
export * from "./health";
export * from "./network-turn";
export * from "./monitor";
export * from "./plan";
export * from "./preflight";
export * from "./record";
export * from "./usage";
export * from "./virtual-circuit";
export * from "./watchdog";
export type { InterconnectResources, ResourceOwnership } from "../domain/resources";
