import type { DurableClient } from "durable-functions";
import { planBgp, type BgpPlan } from "../../domain/bgp-plan";
import { isDomainError, ValidationError } from "../../domain/errors";
import type { PlanProblem } from "../../domain/plan";
import type { InterconnectSpec } from "../../domain/spec";
import { usedBlocks } from "../bgp-allocation";
import { findInstance } from "../durable";
import { PLAN_ORCHESTRATOR, type PlanInput } from "../../workflows";
import type { ItsmDeps } from "./deps";

/**
 * Starts the plan orchestration (issue 12's planInterconnect: read-only on both clouds) for a ticket.
 * The BGP plan is what a provisioning would get now, reserving nothing: a clash with another
 * interconnect's block is one of the plan's problems, not a rejection, because the board reviews it.
 */
export async function startTicketPlan(
  deps: ItsmDeps,
  client: DurableClient,
  spec: InterconnectSpec,
  actor: string,
  instanceId: string,
): Promise<string> {
  if ((await findInstance(client, instanceId)) !== undefined) return instanceId;
  const problems: PlanProblem[] = [];
  let bgp: PlanInput["bgp"] = null;
  try {
    const plan: BgpPlan = planBgp({
      ...(spec.bgp ? { requested: { primary: spec.bgp.primaryPeeringCidr, secondary: spec.bgp.secondaryPeeringCidr } } : {}),
      pool: deps.bgpAddressPool,
      used: await usedBlocks(deps, spec),
      avoid: [spec.azure.virtualNetwork.gatewaySubnetPrefix],
    });
    bgp = { plan, source: spec.bgp ? "requested" : "allocated" };
  } catch (err) {
    if (err instanceof ValidationError)
      problems.push(
        ...err.issues.map((i) => ({
          path: i.path,
          message: i.message,
          fix: "choose other /30 blocks, or leave both out to have them allocated",
        })),
      );
    else if (isDomainError(err) && err.status < 500)
      problems.push({ path: "bgp", message: err.message, fix: "widen BGP_ADDRESS_POOL or give both /30 blocks" });
    else throw err;
  }
  const input: PlanInput = { planId: instanceId, name: spec.name, actor, spec, bgp, problems, timing: deps.timing };
  await client.startNew(PLAN_ORCHESTRATOR, { instanceId, input });
  return instanceId;
}
