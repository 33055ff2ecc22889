import * as df from "durable-functions";
import { PLAN_ORCHESTRATOR, PROVISION_ORCHESTRATOR, TEARDOWN_ORCHESTRATOR } from "./names";
import { planInterconnect } from "./plan";
import { provisionInterconnect } from "./provision";
import { teardownInterconnect } from "./teardown";

export * from "./names";
export { provisionInterconnect, PROVISION_STEPS, type ProvisionOutput } from "./provision";
export { teardownInterconnect, TEARDOWN_STEPS, type TeardownOutput } from "./teardown";
export { planInterconnect, PLAN_STEPS } from "./plan";
export type { PlanInput } from "./plan-input";
export type { WorkflowStatus } from "./run";

/** Registers the orchestrators with the Functions host (called from src/functions/index.ts). */
export function registerWorkflows(): void {
  df.app.orchestration(PROVISION_ORCHESTRATOR, provisionInterconnect);
  df.app.orchestration(TEARDOWN_ORCHESTRATOR, teardownInterconnect);
  df.app.orchestration(PLAN_ORCHESTRATOR, planInterconnect);
}
