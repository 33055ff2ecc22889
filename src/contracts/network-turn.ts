/** The per-network queue (domain/network-queue.ts): take a turn, give it back, and the watchdog's sweep of dead places. */
import { z } from "zod";
import { interconnectName, opContext, type ActivityFamily } from "./common";

const network = z.string().min(3).max(600);
const instanceId = z.string().min(1).max(200);

export const turnHolder = z.object({
  owner: interconnectName,
  operation: z.string().min(1).max(40),
  instanceId,
  /** When it took its turn (holding) or joined (waiting), ISO. */
  since: z.string().min(1),
  holds: z.boolean(),
});
export type TurnHolder = z.infer<typeof turnHolder>;

export const networkTurnActivities = {
  /**
   * Joins the queue of each network (once; a place or turn the interconnect already has is taken over
   * by this instance), gives up the places of a dead run ahead of it, and takes the turn on all the
   * networks at once when it is first on each. "superseded": the record's operation is no longer this
   * instance (a DELETE cancelled it, a restart replaced it): the run must not touch the networks.
   */
  networkTurnTake: {
    input: z.object({ opContext, networks: z.array(network).min(1).max(4), wakeEvent: z.string().min(1).max(100) }),
    output: z.discriminatedUnion("outcome", [
      z.object({ outcome: z.literal("granted") }),
      z.object({ outcome: z.literal("waiting"), behind: turnHolder, position: z.number().int().min(1), released: z.array(instanceId) }),
      z.object({ outcome: z.literal("superseded"), reason: z.string().min(1).max(500) }),
    ]),
  },
  /** Gives up this instance's turns and places (the run ended) and wakes the next run in line on each network. */
  networkTurnRelease: {
    input: z.object({ opContext }),
    output: z.object({ networks: z.array(network), woke: z.array(instanceId) }),
  },
  /** The watchdog's part: every turn or place whose instance has ended (or never started) is given up, and the next in line woken. */
  networkTurnSweep: {
    input: z.object({ opContext }),
    output: z.object({
      released: z.array(z.object({ owner: interconnectName, instanceId, runtimeStatus: z.string() })),
      woke: z.array(instanceId),
    }),
  },
} satisfies ActivityFamily;
