import { enqueueNotes } from "../../store";
import { itsmActivityDeps } from "./deps";
import { enqueueNotesInput, type EnqueueNotesOutput } from "../../contracts/itsm";

/** Puts the watch's notes into the ticket's outbox (idempotent by note id) and kicks delivery; never calls the ITSM. */
export async function itsmEnqueueNotes(raw: unknown): Promise<EnqueueNotesOutput> {
  const input = enqueueNotesInput.parse(raw);
  const added = await enqueueNotes(itsmActivityDeps().itsm, input.ticketKey, input.notes);
  return { added: added.length };
}
