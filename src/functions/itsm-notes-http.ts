import type { ItsmTriggerDeps } from "./deps";
import { z } from "zod";
import { listParkedNotes, redeliverParkedNotes } from "../requests/itsm/parked";
import { callerFromHeaders } from "./caller";
import type { ApiRoute } from "./http/api";
import { guarded, type Handler } from "./http/handler";
import * as schemas from "./http/schemas";

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

/** The outbox's operator routes, each with its OpenAPI description (see src/functions/api-routes.ts). */
export function itsmNotesRoutes(getDeps: () => ItsmTriggerDeps): ApiRoute[] {
  const h = itsmNotesHandlers(getDeps);
  return [
    {
      handler: h.parked,
      operation: {
        name: "itsmParkedNotes",
        method: "GET",
        route: "itsm/notes/parked",
        tag: "itsm",
        summary: "List the ticket notes the outbox parked",
        description:
          "Notes the outbox gave up on (after ITSM_OUTBOX_MAX_ATTEMPTS retryable failures, or at once when the ticket system refused the note for good), by ticket and in order. A parked note holds back the notes behind it on the same ticket. Empty when nothing is parked.",
        responses: { 200: { description: "Every parked note.", schema: schemas.parkedNotesSchema } },
        problems: {},
      },
    },
    {
      handler: h.redeliver,
      operation: {
        name: "itsmRedeliverNotes",
        method: "POST",
        route: "itsm/notes/{ticketKey}/redeliver",
        tag: "itsm",
        summary: "Redeliver a ticket's parked notes",
        description:
          "Puts the ticket's parked notes back in line with a fresh budget of attempts and starts a delivery round; the notes behind them follow in order, and a note that did land on its last attempt is found by its marker and not sent again. An audit row (step itsm-note, phase info) records who asked.",
        request: { params: z.object({ ticketKey: schemas.ticketKeyParam }), headers: schemas.callerHeaders },
        responses: {
          202: { description: "The notes are back in line; a delivery round is asked for.", schema: schemas.redeliveredSchema },
        },
        problems: { 400: "The ticketKey is not servicenow-<32 hex> or jira-<issue id>.", 404: "No such ticket is known to this service." },
      },
    },
  ];
}
