import * as df from "durable-functions";
import { PROVISION_ORCHESTRATOR, TEARDOWN_ORCHESTRATOR, WATCHDOG_ORCHESTRATOR } from "./names";
import { provisionInterconnect } from "./provision";
import { teardownInterconnect } from "./teardown";
import { watchdogSweep } from "./watchdog";

export * from "./names";
export { provisionInterconnect, PROVISION_STEPS, type ProvisionOutput } from "./provision";
export { teardownInterconnect, TEARDOWN_STEPS, type TeardownOutput } from "./teardown";
export { watchdogSweep, type WatchdogOutput } from "./watchdog";
export type { WorkflowStatus } from "./run";

/** Registers the orchestrators with the Functions host (called from src/functions/index.ts). */
export function registerWorkflows(): void {
  df.app.orchestration(PROVISION_ORCHESTRATOR, provisionInterconnect);
  df.app.orchestration(TEARDOWN_ORCHESTRATOR, teardownInterconnect);
  df.app.orchestration(WATCHDOG_ORCHESTRATOR, watchdogSweep);
}
