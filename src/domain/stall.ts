/**
 * When an operation that should be moving is stuck: its instance runs (as far as the task hub says)
 * but nothing will ever wake it, e.g. a durable timer whose queue message was lost. Pure: the
 * watchdog workflow applies it with the orchestration clock, the clock of the statuses it reads.
 */

/** What the watchdog knows of one in-flight operation. */
export interface WatchedOperation {
  runtimeStatus: string;
  /** The operation's custom status (WorkflowStatus); anything, as read from the task hub. */
  customStatus: unknown;
  /** When the instance last made progress (the task hub's lastUpdatedTime), ISO. */
  lastUpdatedTime: string | null;
}

export interface StallRule {
  /** How far past what the operation itself promised (its deadline, its longest pause) it may be before it counts as stalled. */
  marginMinutes: number;
  /** The longest a healthy operation stays quiet: its longest wait between two looks (from its wait profiles and polling settings). */
  longestPauseMinutes: number;
}

export interface Stall {
  reason: string;
  /** From when on it counts as stuck (ISO): the deadline, or the last progress. */
  since: string;
}

const RUNNING = new Set(["Running", "Pending", "ContinuedAsNew"]);
const MINUTE = 60_000;

export function findStall(op: WatchedOperation, now: Date, rule: StallRule): Stall | undefined {
  if (!RUNNING.has(op.runtimeStatus)) return undefined;
  const margin = rule.marginMinutes * MINUTE;
  const deadline = statusDeadline(op.customStatus);
  if (deadline !== undefined && now.getTime() > deadline.getTime() + margin) {
    return {
      reason: `its deadline ${deadline.toISOString()} passed ${minutes(now.getTime() - deadline.getTime())} min ago and nothing enforced it`,
      since: deadline.toISOString(),
    };
  }
  const last = op.lastUpdatedTime === null ? Number.NaN : Date.parse(op.lastUpdatedTime);
  if (Number.isFinite(last) && now.getTime() > last + rule.longestPauseMinutes * MINUTE + margin) {
    return {
      reason: `no progress for ${minutes(now.getTime() - last)} min, longer than its longest pause (${rule.longestPauseMinutes} min) allows`,
      since: new Date(last).toISOString(),
    };
  }
  return undefined;
}

function statusDeadline(status: unknown): Date | undefined {
  if (status === null || typeof status !== "object") return undefined;
  const raw = (status as { deadline?: unknown }).deadline;
  if (typeof raw !== "string") return undefined;
  const at = new Date(raw);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

function minutes(ms: number): number {
  return Math.round(ms / MINUTE);
}

/** What the watchdog knows of a change's or an adoption's instance that may have ended without finishing. */
export interface EndedOperation extends WatchedOperation {
  /** When the record's operation began, ISO. */
  startedAt: string;
}

const UNFINISHED = new Set(["Terminated", "Failed", "Canceled"]);

/**
 * A change or adoption whose instance ended without finishing (terminated, failed without writing its
 * failure to the record: the scan leaves out those that did) or that the task hub lost (absent past the
 * margin a start takes). Nothing will ever finish it; the record must say so. Provisioning and teardown
 * are not judged here: their record shows "orphaned" and a DELETE resolves it.
 */
export function findEnded(op: EndedOperation, now: Date, rule: Pick<StallRule, "marginMinutes">): Stall | undefined {
  if (UNFINISHED.has(op.runtimeStatus)) {
    return { reason: `its instance ended ${op.runtimeStatus} before it finished`, since: op.lastUpdatedTime ?? op.startedAt };
  }
  const started = Date.parse(op.startedAt);
  if (op.runtimeStatus === ABSENT && Number.isFinite(started) && now.getTime() > started + rule.marginMinutes * MINUTE) {
    return {
      reason: `its instance is not in the task hub ${minutes(now.getTime() - started)} min after it began (never started, lost or purged)`,
      since: op.startedAt,
    };
  }
  return undefined;
}

/** The runtime status the watchdog's scan gives an instance the task hub has no record of. */
export const ABSENT = "Absent";
