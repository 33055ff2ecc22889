import type { ProvisionInput, TeardownInput, WorkflowBgpPlan, WorkflowSpec } from "../../src/workflows/names";
import { exampleSpec } from "../support/example-spec";
import { FakeClouds, type FakeOptions } from "./fake-clouds";

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
