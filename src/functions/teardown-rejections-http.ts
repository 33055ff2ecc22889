import { z } from "zod";
import type { ValidationIssue } from "../domain/errors";
import type { TriggerDeps } from "./deps";
import type { ApiRoute } from "./http/api";
import { guarded, pageBody, type Handler } from "./http/handler";
import * as schemas from "./http/schemas";
import { pageQuery, throwIfAny } from "./http/params";
import { QUEUE_AUDIT_PARTITION } from "./teardown-queue";

/**
 * GET /api/teardown-queue/rejections: every teardown message the queue trigger refused and parked on the
 * poison queue, oldest first, as audit rows. The only place an integrator sees a message that named no
 * usable interconnect; the others are also in their interconnect's audit trail.
 */
export function teardownRejectionsHandler(getDeps: () => TriggerDeps): Handler {
  return guarded(getDeps, async (req, _context, deps) => {
    const issues: ValidationIssue[] = [];
    const page = pageQuery(req.query, issues, 100);
    throwIfAny(issues);
    return { status: 200, jsonBody: pageBody(req.url, await deps.store.audit.list(QUEUE_AUDIT_PARTITION, page)) };
  });
}

export function teardownRejectionsRoute(getDeps: () => TriggerDeps): ApiRoute {
  return {
    handler: teardownRejectionsHandler(getDeps),
    operation: {
      name: "teardownQueueRejections",
      method: "GET",
      route: "teardown-queue/rejections",
      tag: "teardown-queue",
      summary: "List rejected teardown queue messages",
      description:
        "Every message the interconnect-teardown queue trigger refused and parked on the poison queue, oldest first, as audit rows (the actor is the message's requestedBy when valid).",
      request: { query: z.object({ top: schemas.topQuery.optional(), continuationToken: schemas.continuationTokenQuery.optional() }) },
      responses: { 200: { description: "A page of rejections.", schema: schemas.auditPageSchema } },
      problems: { 400: "A query parameter is not valid." },
    },
  };
}
