import * as df from "durable-functions";
import { z } from "zod";
import { DomainError, ErrorCodes } from "../domain/errors";
import { planSchema } from "../domain/plan";
import { callerFromHeaders } from "./caller";
import type { TriggerDeps } from "./deps";
import { findInstance } from "../requests/durable";
import { requestPlan } from "../requests/plan";
import { durableCheckStatus } from "./http/durable-accepted";
import type { ApiRoute } from "./http/api";
import { guarded } from "./http/handler";
import { readJsonBody } from "./http/json-body";
import { planIdParam } from "./http/params";
import * as schemas from "./http/schemas";
import { problemResponse } from "./http/problem";
import { interconnectSpecSchema } from "../domain/spec";

export function planLink(origin: string, planId: string): string {
  return `${origin}/api/interconnects/plans/${encodeURIComponent(planId)}`;
}

const planLinks = z.strictObject({ self: z.string().meta({ description: "GET: this plan (202 while it runs, 200 with the plan)." }) });

export const planAcceptedSchema = z
  .strictObject({
    ...schemas.durableManagement,
    planId: z.string(),
    name: z.string(),
    links: planLinks,
  })
  .meta({ id: "PlanAccepted" });

export const planPendingSchema = z
  .strictObject({ planId: z.string(), runtimeStatus: z.string(), customStatus: z.unknown(), links: planLinks })
  .meta({ id: "PlanPending" });

export const planResultSchema = planSchema.extend({ links: planLinks }).meta({ id: "PlanResult" });

/** How long a client waits before it looks at a running plan again: its reads take seconds. */
const RETRY_AFTER_SECONDS = "2";

export function planRoutes(getDeps: () => TriggerDeps): ApiRoute[] {
  return [
    {
      operation: {
        name: "interconnectPlansCreate",
        method: "POST",
        route: "interconnects/plans",
        tag: "plans",
        summary: "Plan a provisioning (dry run)",
        description:
          "Validates the spec and starts a read-only plan of it against the live clouds: for every resource create, reuse or share (with the existing id) and its deterministic name, the BGP plan, what bills from which step, the expected duration and every problem with its field path and fix. It creates, reserves and changes nothing.",
        durableClient: true,
        request: {
          headers: schemas.callerHeaders,
          body: { schema: interconnectSpecSchema.meta({ id: "InterconnectSpec" }), description: "The interconnect spec to plan." },
        },
        responses: {
          202: {
            description: "The plan runs (Durable async pattern); GET links.self for its result.",
            schema: planAcceptedSchema,
            headers: { Location: "The Durable status query URL of the plan's instance.", "Retry-After": "Seconds to wait before polling." },
            links: {
              plan: {
                operationId: "interconnectPlansGet",
                parameters: { planId: "$response.body#/planId" },
                description: "The plan's result.",
              },
              status: {
                operationId: "durableInstanceStatus",
                parameters: { instanceId: "$response.body#/id" },
                description: "The plan instance's Durable status.",
              },
            },
          },
        },
        problems: {
          400: "The spec or a header is not valid: errors lists every field.",
          413: "The body is larger than 32 KiB.",
          415: "The body is not JSON.",
        },
      },
      handler: guarded(getDeps, async (req, context, deps) => {
        const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
        const body = await readJsonBody(req);
        const client = df.getClient(context);
        const { planId, name } = await requestPlan(deps, client, body, caller);
        context.log(`POST interconnects/plans: started ${planId} (actor ${caller.actor})`);
        const { headers, management } = await durableCheckStatus(client, req, planId);
        return {
          status: 202,
          headers,
          jsonBody: { ...management, planId, name, links: { self: planLink(new URL(req.url).origin, planId) } },
        };
      }),
    },
    {
      operation: {
        name: "interconnectPlansGet",
        method: "GET",
        route: "interconnects/plans/{planId}",
        tag: "plans",
        summary: "Read a plan",
        description:
          "202 with the plan's progress while it reads the clouds, then 200 with the plan. ready is true when it found no problem: POST /api/interconnects?planId= may then reference it.",
        durableClient: true,
        request: { params: z.object({ planId: schemas.planIdParam }) },
        responses: {
          200: { description: "The plan.", schema: planResultSchema },
          202: {
            description: "The plan is still reading the clouds.",
            schema: planPendingSchema,
            headers: { "Retry-After": "Seconds to wait before looking again." },
          },
        },
        problems: { 400: "The planId is not valid.", 404: "No such plan.", 500: "The plan could not be made (its instance failed)." },
      },
      handler: guarded(getDeps, async (req, context) => {
        const planId = planIdParam(req.params.planId);
        const status = await findInstance(df.getClient(context), planId);
        if (status === undefined) throw new DomainError(ErrorCodes.NOT_FOUND, `Plan "${planId}" does not exist.`, { details: { planId } });
        const links = { self: planLink(new URL(req.url).origin, planId) };
        const runtimeStatus = String(status.runtimeStatus);
        if (runtimeStatus === "Completed") return { status: 200, jsonBody: { ...planSchema.parse(status.output), links } };
        if (runtimeStatus === "Pending" || runtimeStatus === "Running") {
          return {
            status: 202,
            headers: { "retry-after": RETRY_AFTER_SECONDS },
            jsonBody: { planId, runtimeStatus, customStatus: status.customStatus ?? null, links },
          };
        }
        const error = new DomainError(
          "PLAN_FAILED",
          `Plan ${planId} ended ${runtimeStatus}: ${String(status.output ?? "no output")}; plan again.`,
          { status: 500 },
        );
        return problemResponse(error, new URL(req.url).pathname);
      }),
    },
  ];
}
