import { app, type HttpHandler } from "@azure/functions";
import type { ValidationIssue } from "../domain/errors";
import { defaultTriggerDeps } from "./default-deps";
import type { TriggerDeps } from "./deps";
import { guarded, pageBody, type Handler } from "./http/handler";
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

export function registerTeardownRejectionsHttp(getDeps: () => TriggerDeps = defaultTriggerDeps): void {
  app.http("teardownQueueRejections", {
    methods: ["GET"],
    route: "teardown-queue/rejections",
    authLevel: "function",
    handler: teardownRejectionsHandler(getDeps) as HttpHandler,
  });
}
