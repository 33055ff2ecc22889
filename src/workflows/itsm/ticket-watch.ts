import type { OrchestrationContext, Task } from "durable-functions";
import { z } from "zod";
import { ITSM_ACTIVITY, observeOperationOutput, type EnqueueNotesInput, type ObserveOperationInput } from "../../contracts/itsm";
import { MILESTONES, nextMilestones, type Milestone } from "../../domain/itsm/milestones";
import { milestoneNote } from "../../domain/itsm/notes";
import { ticketKey, ticketSchema } from "../../domain/itsm/ticket";

export const TICKET_WATCH_ORCHESTRATOR = "itsmTicketWatch";

export const ticketWatchInput = z.strictObject({
  ticket: ticketSchema,
  action: z.enum(["plan", "provision", "decommission"]),
  interconnect: z.string().regex(/^[a-z0-9-]{3,40}$/),
  /** The provisioning or teardown instance reported on. */
  instanceId: z.string().min(1).max(200),
  intervalSeconds: z.number().int().min(1).max(3600),
  /** Milestones already reported (carried over continueAsNew). */
  sent: z.array(z.enum(MILESTONES)).default([]),
});
export type TicketWatchInput = z.input<typeof ticketWatchInput>;

/** Looks per episode before continueAsNew, so the history of a watch over a long wait stays short. */
const LOOKS_PER_EPISODE = 40;
const CLOSING: Partial<Record<Milestone, "succeeded" | "failed">> = {
  active: "succeeded",
  failed: "failed",
  "torn-down": "succeeded",
  "teardown-failed": "failed",
};

/**
 * Reports one operation's milestones to its ticket, looking at the operation every intervalSeconds
 * (durable timers) until it ends; the last note closes the ticket. The watch only writes to the
 * outbox: the ITSM's availability never reaches it, so it never slows or fails the cloud work.
 * Pure: the orchestration's own clock and activities only.
 */
export function* itsmTicketWatch(context: OrchestrationContext): Generator<Task, { reported: Milestone[] }, unknown> {
  const input = ticketWatchInput.parse(context.df.getInput());
  const kind = input.action === "decommission" ? "teardown" : input.action;
  const sent = [...input.sent];
  for (let look = 1; ; look++) {
    const observe: ObserveOperationInput = { interconnect: input.interconnect, kind, instanceId: input.instanceId };
    const obs = observeOperationOutput.parse(yield context.df.callActivity(ITSM_ACTIVITY.observeOperation, observe));
    const { milestones, done } = nextMilestones(obs, sent);
    if (milestones.length > 0) {
      const notes: EnqueueNotesInput["notes"] = milestones.map((m) => {
        const close = CLOSING[m];
        return {
          id: `${input.instanceId}:${m}`,
          text: milestoneNote(m, input.interconnect, obs),
          interconnect: input.interconnect,
          ...(close && input.action !== "plan" ? { close: { action: input.action, outcome: close } } : {}),
        };
      });
      const enqueue: EnqueueNotesInput = { ticketKey: ticketKey(input.ticket), notes };
      yield context.df.callActivity(ITSM_ACTIVITY.enqueueNotes, enqueue);
      sent.push(...milestones);
    }
    if (done) return { reported: sent };
    if (look >= LOOKS_PER_EPISODE) {
      context.df.continueAsNew({ ...input, sent });
      return { reported: sent };
    }
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.intervalSeconds * 1000));
  }
}
