import type { Ticket } from "../domain/itsm/ticket";

export interface ChannelNote {
  text: string;
  /** Written into the ticket with the text; found there, it proves an earlier attempt landed. */
  marker: string;
  /** With this note the ticket moves to the end of that operation (ServiceNow state, Jira transition). */
  close?: { action: "provision" | "decommission"; outcome: "succeeded" | "failed" };
  /**
   * Open an incident with this note (ServiceNow: a row in the incident table whose correlation_id is the
   * marker, so an earlier attempt's incident is found instead of opened twice). Jira: the comment only.
   */
  incident?: { shortDescription: string };
}

/** What the outbox needs from a ticket system. */
export interface TicketChannel {
  /**
   * Writes the note, exactly once. maybeDelivered: an earlier attempt failed in a way that may have
   * landed (a timeout, a 5xx after the write), so the ticket is searched for the marker first.
   */
  deliver(ticket: Ticket, note: ChannelNote, options: { maybeDelivered: boolean }): Promise<void>;
}

export function noteBody(note: ChannelNote): string {
  return `${note.text}\n\n${note.marker}`;
}
