import type { DurableClient } from "durable-functions";
import { DomainError, ErrorCodes, ValidationError } from "../domain/errors";
import { planSchema } from "../domain/plan";
import type { InterconnectSpec } from "../domain/spec";
import type { PlanExpectation } from "../workflows/names";
import { sameSpec } from "./spec-identity";

function stale(planId: string, why: string): DomainError {
  return new DomainError(
    ErrorCodes.CONFLICT,
    `plan is stale: ${why} (plan ${planId}); make a new plan with POST /api/interconnects/plans.`,
    { details: { planId } },
  );
}

/**
 * A provisioning started from a plan (?planId=): the plan must be finished, ready (no problems) and of
 * this very spec. What only the clouds can tell, that they still match it, the provisioning's
 * pre-flight checks before it creates anything (PLAN_STALE).
 */
export async function planExpectation(client: DurableClient, planId: string, spec: InterconnectSpec): Promise<PlanExpectation> {
  let status;
  try {
    status = await client.getStatus(planId, { showInput: true });
  } catch (err) {
    if (err instanceof Error && /HTTP 404 response/.test(err.message))
      throw new ValidationError([{ path: "query planId", message: `no plan ${planId} exists` }]);
    throw err;
  }
  const runtimeStatus = String(status.runtimeStatus);
  if (runtimeStatus !== "Completed") {
    throw new DomainError(
      ErrorCodes.CONFLICT,
      `plan ${planId} is ${runtimeStatus}, not finished; wait until GET /api/interconnects/plans/${planId} answers 200.`,
      { details: { planId, runtimeStatus } },
    );
  }
  const plan = planSchema.parse(status.output);
  const input = status.input as { spec?: unknown } | undefined;
  if (!sameSpec(input?.spec, spec)) throw stale(planId, "the spec is not the one that was planned");
  if (!plan.ready)
    throw stale(
      planId,
      `the plan found ${plan.problems.length} problem(s) to fix first: ${plan.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; ")}`,
    );
  return {
    planId,
    resources: plan.resources.map(({ kind, name, id }) => ({ kind, name, id })),
    bgp: plan.bgp === null ? null : { primary: plan.bgp.primary.cidr, secondary: plan.bgp.secondary.cidr },
  };
}
