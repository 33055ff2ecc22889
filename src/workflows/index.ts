import * as df from "durable-functions";
import {
  ADOPT_ORCHESTRATOR,
  CHANGE_ORCHESTRATOR,
  PLAN_ORCHESTRATOR,
  PROVISION_ORCHESTRATOR,
  TEARDOWN_ORCHESTRATOR,
  WATCHDOG_ORCHESTRATOR,
} from "./names";
import { adoptInterconnect } from "./adopt";
import { changeInterconnect } from "./change";
import { planInterconnect } from "./plan";
import { provisionInterconnect } from "./provision";
import { teardownInterconnect } from "./teardown";
import { healthWatch } from "./health-watch";
import { HEALTH_WATCH_ORCHESTRATOR } from "../domain/names";
import { watchdogSweep } from "./watchdog";

export * from "./names";
export { provisionInterconnect, PROVISION_STEPS, type ProvisionOutput } from "./provision";
export { teardownInterconnect, TEARDOWN_STEPS, type TeardownOutput } from "./teardown";
export { watchdogSweep, type WatchdogOutput } from "./watchdog";
export { planInterconnect, PLAN_STEPS } from "./plan";
export { adoptInterconnect, ADOPT_STEPS, type AdoptInput, type AdoptOutput } from "./adopt";
export { changeInterconnect, CHANGE_STEPS, type ChangeInput, type ChangeOutput } from "./change";
export type { PlanInput } from "./plan-input";
export type { WorkflowStatus } from "./run";
export { healthWatch, type HealthWatchInput } from "./health-watch";

/** Registers the orchestrators with the Functions host (called from src/functions/index.ts). */
export function registerWorkflows(): void {
  df.app.orchestration(PROVISION_ORCHESTRATOR, provisionInterconnect);
  df.app.orchestration(TEARDOWN_ORCHESTRATOR, teardownInterconnect);
  df.app.orchestration(HEALTH_WATCH_ORCHESTRATOR, healthWatch);
  df.app.orchestration(WATCHDOG_ORCHESTRATOR, watchdogSweep);
  df.app.orchestration(PLAN_ORCHESTRATOR, planInterconnect);
  df.app.orchestration(CHANGE_ORCHESTRATOR, changeInterconnect);
  df.app.orchestration(ADOPT_ORCHESTRATOR, adoptInterconnect);
}
