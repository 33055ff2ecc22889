import { healthNoteInput, type HealthNoteOutput } from "../../contracts/itsm";
import { healthNote } from "../../domain/itsm/notes";
import { enqueueNotes } from "../../store";
import { itsmActivityDeps } from "./deps";

/**
 * A health transition, noted on every ticket that provisioned the interconnect, through the outbox
 * (never the ITSM itself: a slow or absent ticket system cannot hold up the watch). The note id is the
 * transition's check, so a redelivered call, or the same transition replayed, adds nothing.
 */
export async function itsmHealthNote(raw: unknown): Promise<HealthNoteOutput> {
  const input = healthNoteInput.parse(raw);
  const deps = itsmActivityDeps();
  const tickets = await deps.itsm.tickets.provisionTicketsOf(input.interconnect);
  let added = 0;
  // ITSM_INCIDENT_ON_DOWN: the transition to down opens an incident too (opened with the note, once).
  const incident =
    deps.incidentOnDown && input.to === "down"
      ? {
          incident: {
            shortDescription: `Interconnect ${input.interconnect} is down (${
              input.findings
                .filter((f) => f.severity === "critical")
                .map((f) => f.code)
                .join(", ") || "critical findings"
            })`.slice(0, 160),
          },
        }
      : {};
  for (const ticketKey of tickets) {
    const notes = await enqueueNotes(deps.itsm, ticketKey, [
      {
        id: `health:${input.interconnect}:${input.checkedAt}:${input.to}`,
        text: healthNote(input),
        interconnect: input.interconnect,
        ...incident,
      },
    ]);
    added += notes.length;
  }
  return { tickets, added };
}
