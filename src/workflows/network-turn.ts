import { permanent } from "../contracts";
import { queuedMessage, turnNetworks } from "../domain/network-queue";
import { summarize, WorkflowStepError } from "./failure";
import { interconnectNetworks, type NetworksOfSpec } from "../domain/networks";
import type { Flow, WorkflowRun } from "./run";

export const QUEUE_STEP = "queue";
/** The event a released turn raises on the next run in line; the round makes each wait's event its own (see awaitTurn). */
export const NETWORK_TURN_EVENT = "networkTurn";

/**
 * Waits durably for this run's turn on its VNet and VCN (both at once; first come, first served on
 * each) before it changes anything there. Between two looks it sleeps until the event a released
 * turn raises, or at the latest pollMaxIntervalSeconds (a lost event cannot strand it; the watchdog
 * counts that interval among a healthy run's pauses). Each round waits for an event of its own name,
 * written on its queue row before the look, so an event meant for an earlier round never wakes a
 * later one too early or is swallowed by a wait already abandoned. Gives up at the queue deadline.
 *
 * Returns false when the run was superseded while queued (a DELETE cancelled it, a restart replaced
 * it): it must then leave the interconnect alone.
 */
export function* awaitTurn(run: WorkflowRun, spec: NetworksOfSpec): Flow<boolean> {
  const networks = turnNetworks(spec);
  const since = run.now();
  const deadline = new Date(since.getTime() + run.timing.queueDeadlineMinutes * 60_000);
  let audited = false;
  for (let round = 1; ; round++) {
    const wakeEvent = `${NETWORK_TURN_EVENT}-${round}`;
    const turn = yield* run.call(QUEUE_STEP, "networkTurnTake", { networks, wakeEvent });
    if (turn.outcome === "superseded") {
      run.note({ message: `superseded while queued: ${turn.reason}` });
      return false;
    }
    if (turn.outcome === "granted") {
      if (audited) yield* run.audit(QUEUE_STEP, "waiting", "its turn came", { wait: "queue", outcome: "done" });
      return true;
    }
    const message = queuedMessage(turn.behind, since.toISOString());
    const where = interconnectNetworks(spec)
      .map((n) => `${n.kind === "vcn" ? "VCN" : "virtual network"} ${n.id}`)
      .join(" and ");
    const waitingFor = `its turn on ${where} (position ${turn.position} in line)`;
    run.note({ message, waitingFor, since: since.toISOString(), deadline: deadline.toISOString(), lastObserved: turn.behind.instanceId });
    if (!audited) {
      audited = true;
      yield* run.audit(QUEUE_STEP, "waiting", message, {
        wait: "queue",
        waitingFor,
        behind: turn.behind.owner,
        behindOperation: turn.behind.operation,
        behindInstanceId: turn.behind.instanceId,
        since: since.toISOString(),
        deadline: deadline.toISOString(),
      });
    }
    if (run.now().getTime() >= deadline.getTime()) {
      throw new WorkflowStepError(
        QUEUE_STEP,
        permanent(
          "DEADLINE_EXCEEDED",
          `gave up waiting for its turn after ${run.timing.queueDeadlineMinutes} min (since ${since.toISOString()}); ${message}`,
        ),
      );
    }
    const wakeAt = Math.min(run.now().getTime() + run.timing.pollMaxIntervalSeconds * 1000, deadline.getTime());
    const timer = run.context.df.createTimer(new Date(wakeAt));
    const woken = run.context.df.waitForExternalEvent(wakeEvent);
    const winner = yield run.context.df.Task.any([timer, woken]);
    if (winner === woken) timer.cancel();
  }
}

/**
 * Gives this run's turn (or its place) back and wakes the next in line; called on every way a run
 * ends by itself. Best effort: a turn left behind is freed by the next run's look (its holder has
 * ended), by the watchdog, or by the interconnect's next operation, which takes it over.
 */
export function* releaseTurn(run: WorkflowRun): Flow<void> {
  try {
    yield* run.call(QUEUE_STEP, "networkTurnRelease", {});
  } catch (error) {
    if (!(error instanceof WorkflowStepError)) throw error;
    const f = summarize(error, QUEUE_STEP);
    yield* run.audit(QUEUE_STEP, "skipped", `turn not released (${f.code}: ${f.message}); the next run frees it once this one has ended`);
  }
}
