import { randomBytes } from "node:crypto";
import type { DurableClient } from "durable-functions";
import { planInstanceId } from "../domain/names";
import { parseInterconnectSpec } from "../domain/spec";
import { PLAN_ORCHESTRATOR, type PlanInput } from "../workflows";
import { previewBgpPlan } from "./bgp-allocation";
import type { Caller } from "./caller";
import type { RequestDeps } from "./deps";

/**
 * Validates the spec and starts its plan: the BGP plan the provisioning would get now (reserving
 * nothing), then the plan orchestration's read-only pass over both clouds. A spec that does not
 * parse starts nothing (400); a problem the clouds or the other interconnects make is the plan's.
 */
export async function requestPlan(
  deps: RequestDeps,
  client: DurableClient,
  body: unknown,
  caller: Caller,
): Promise<{ planId: string; name: string }> {
  const spec = parseInterconnectSpec(body, { catalog: deps.catalog });
  const { bgp, problems } = await previewBgpPlan(deps, spec);
  const planId = planInstanceId(spec.name, randomBytes(8).toString("hex"));
  const input: PlanInput = { planId, name: spec.name, actor: caller.actor, spec, bgp, problems, timing: deps.timing };
  await client.startNew(PLAN_ORCHESTRATOR, { instanceId: planId, input });
  return { planId, name: spec.name };
}
