import { expect } from "vitest";
import type { ProvisionInput, TeardownInput, WorkflowBgpPlan, WorkflowSpec } from "../../src/workflows/names";
import { provisionInterconnect } from "../../src/workflows/provision";
import { teardownInterconnect } from "../../src/workflows/teardown";
import { exampleSpec } from "../support/example-spec";
import { FakeClouds, type FakeOptions } from "./fake-clouds";
import { runOrchestration, type RunOptions, type RunResult } from "./harness";

/** The public example spec, as the domain parses it (defaults filled in). */
export const EXAMPLE_SPEC: WorkflowSpec = exampleSpec();

export const EXAMPLE_PLAN: WorkflowBgpPlan = {
  primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
  secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
};

export const PROVISION_ID = "provision-erp-prod-1";
export const TEARDOWN_ID = "teardown-erp-prod-1";

export function provisionInput(overrides: Partial<ProvisionInput> = {}): ProvisionInput {
  return {
    name: "erp-prod",
    spec: EXAMPLE_SPEC,
    bgpPlan: EXAMPLE_PLAN,
    actor: "alice@example.com",
    ticketRef: "CHG0001",
    attempt: 1,
    ...overrides,
  };
}

export function teardownInput(overrides: Partial<TeardownInput> = {}): TeardownInput {
  return { name: "erp-prod", reason: "decommission", actor: "bob@example.com", ...overrides };
}

export function cloudsWithRecord(
  options: FakeOptions = {},
  state: "requested" | "active" | "failed" | "provisioning" = "requested",
): FakeClouds {
  const clouds = new FakeClouds(options);
  clouds.record = { state, spec: EXAMPLE_SPEC, bgpPlan: EXAMPLE_PLAN, resources: {}, operationId: PROVISION_ID };
  return clouds;
}

/** Activity names called, without the audit/record bookkeeping. */
export function cloudCalls(calls: { name: string }[]): string[] {
  const bookkeeping = ["auditAppend", "recordUpdate", "recordRead", "networkTurnTake", "networkTurnRelease"];
  return calls.map((c) => c.name).filter((n) => !bookkeeping.includes(n));
}

/** By default erp-prod's own input against the clouds' boundary; a test names only what it changes. */
export type RunOverrides = Partial<Omit<RunOptions, "orchestrator" | "instanceId">>;

/** erp-prod's provisioning on the real replay engine, against the fake clouds. */
export function runProvision(clouds: FakeClouds, overrides: RunOverrides = {}): Promise<RunResult> {
  return runOrchestration({
    orchestrator: provisionInterconnect,
    input: provisionInput(),
    instanceId: PROVISION_ID,
    activities: clouds.boundary,
    ...overrides,
  });
}

/** erp-prod's teardown on the real replay engine, against the fake clouds. */
export function runTeardown(clouds: FakeClouds, overrides: RunOverrides = {}): Promise<RunResult> {
  return runOrchestration({
    orchestrator: teardownInterconnect,
    input: teardownInput(),
    instanceId: TEARDOWN_ID,
    activities: clouds.boundary,
    ...overrides,
  });
}

/**
 * Provisions erp-prod to the end and leaves its record as the DELETE trigger does (the teardown's
 * operation), so a teardown can follow; returns when the provisioning ended.
 */
export async function provisionedForTeardown(clouds: FakeClouds): Promise<Date> {
  const run = await runProvision(clouds);
  expect(run.error).toBeUndefined();
  clouds.record!.operationId = TEARDOWN_ID;
  return run.endedAt;
}
