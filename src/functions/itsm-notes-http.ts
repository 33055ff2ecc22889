import type { ItsmTriggerDeps } from "./deps";
import { app, type HttpHandler } from "@azure/functions";
import { listParkedNotes, redeliverParkedNotes } from "../requests/itsm/parked";
import { callerFromHeaders } from "./caller";
import { guarded, type Handler } from "./http/handler";

/** GET /api/itsm/notes/parked and POST /api/itsm/notes/{ticketKey}/redeliver: the outbox's poison, for operators. */
export function itsmNotesHandlers(getDeps: () => ItsmTriggerDeps): { parked: Handler; redeliver: Handler } {
  return {
    parked: guarded(getDeps, async (_req, _context, deps) => ({ status: 200, jsonBody: { items: await listParkedNotes(deps) } })),
    redeliver: guarded(getDeps, async (req, _context, deps) => {
      const caller = callerFromHeaders(req.headers, { trustPrincipalHeader: deps.trustClientPrincipalHeader, query: req.query });
      return { status: 202, jsonBody: await redeliverParkedNotes(deps, req.params.ticketKey ?? "", caller.actor) };
    }),
  };
}

export function registerItsmNotesHttp(getDeps: () => ItsmTriggerDeps): void {
  const h = itsmNotesHandlers(getDeps);
  app.http("itsmParkedNotes", { methods: ["GET"], route: "itsm/notes/parked", authLevel: "function", handler: h.parked as HttpHandler });
  app.http("itsmRedeliverNotes", { methods: ["POST"], route: "itsm/notes/{ticketKey}/redeliver", authLevel: "function", handler: h.redeliver as HttpHandler });
}
