import type { AuditRow } from "./types.js";

/**
 * A run's Gantt model, derived from its audit rows alone. The workflow's own rows carry the orchestration
 * time (`details.at`, the clock of the custom status) and `details.event`; the activities' rows carry only
 * the wall-clock `at`, so they are placed by interpolating between their neighbours (the two clocks agree
 * in Azure; on the local stack the orchestration runs on the virtual clock).
 */

export type Outcome = "running" | "succeeded" | "failed" | "skipped" | "unfinished";
export type Lane = "main" | "compensation";

export interface Wait {
  start: number;
  end: number;
  /** What the durable wait waited for, in the workflow's words. */
  what: string;
  deadline?: string;
  open: boolean;
}

export interface Mark {
  at: number;
  kind: "retry" | "throttled" | "gave-up";
  text: string;
}

export interface Bar {
  lane: Lane;
  step: string;
  start: number;
  end: number;
  outcome: Outcome;
  message?: string;
  code?: string;
  waits: Wait[];
  marks: Mark[];
  /** Cloud calls (activity names) made inside the step. */
  cloudSteps: string[];
}

export interface Run {
  instanceId: string;
  operation: string;
  start: number;
  end: number;
  outcome: Outcome;
  bars: Bar[];
  failure?: { step: string; message: string };
  actor?: string;
  ticketRef?: string;
  live: boolean;
}

const THROTTLE = /throttl|TooManyRequests|\b429\b|TooMany/i;

function eventOf(row: AuditRow): string | undefined {
  const e = row.details?.event;
  return typeof e === "string" ? e : undefined;
}

function orchestrationMs(row: AuditRow): number | undefined {
  const at = row.details?.at;
  const ms = typeof at === "string" ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Orchestration time for every row: its own, or interpolated on the wall clock between the nearest rows that have one. */
export function placeRows(rows: AuditRow[]): number[] {
  const wall = rows.map((r) => Date.parse(r.at));
  const own = rows.map(orchestrationMs);
  return rows.map((_, i) => {
    const mine = own[i];
    if (mine !== undefined) return mine;
    let p = i - 1;
    while (p >= 0 && own[p] === undefined) p--;
    let n = i + 1;
    while (n < rows.length && own[n] === undefined) n++;
    const w = wall[i] as number;
    if (p >= 0 && n < rows.length) {
      const [pw, po, nw, no] = [wall[p] as number, own[p] as number, wall[n] as number, own[n] as number];
      if (nw <= pw) return po;
      return po + Math.min(1, Math.max(0, (w - pw) / (nw - pw))) * (no - po);
    }
    if (p >= 0) return own[p] as number;
    if (n < rows.length) return own[n] as number;
    return w;
  });
}

/** Rows in the order they were written (row keys sort chronologically), whatever order the API returned. */
export function chronological(rows: AuditRow[]): AuditRow[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const RUN_OPERATIONS = new Set(["provision", "teardown", "change", "adopt"]);
/** The step each operation ends with once it has done everything: provisioning and adoption activate, teardown deleted, change commit. */
const FINAL_STEPS = new Set(["activate", "deleted", "commit"]);

export interface LiveHint {
  instanceId: string;
  /** The latest orchestration time known (custom status since, lastUpdatedTime): where open bars end. */
  nowMs: number;
}

/** One run per orchestration instance, newest first. */
export function buildRuns(all: AuditRow[], live?: LiveHint): Run[] {
  const byInstance = new Map<string, AuditRow[]>();
  for (const row of chronological(all)) {
    // Runs are provisionings, teardowns, changes and adoptions; the health watch (operation "watch") runs forever and is no run.
    if (!row.instanceId || !RUN_OPERATIONS.has(row.operation ?? "")) continue;
    const list = byInstance.get(row.instanceId) ?? [];
    list.push(row);
    byInstance.set(row.instanceId, list);
  }
  const runs = [...byInstance.entries()].map(([id, rows]) => buildRun(id, rows, live?.instanceId === id ? live.nowMs : undefined));
  return runs.sort((a, b) => b.start - a.start);
}

export function buildRun(instanceId: string, rows: AuditRow[], liveNowMs?: number): Run {
  const times = placeRows(rows);
  const bars: Bar[] = [];
  let lane: Lane = "main";
  let failure: Run["failure"];
  let finished: "succeeded" | undefined;
  const open = (step: string, l: Lane) => [...bars].reverse().find((b) => b.step === step && b.lane === l && b.outcome === "running");
  const innermost = () => [...bars].reverse().find((b) => b.outcome === "running");
  const request = rows.find((r) => r.step === "request");

  rows.forEach((row, i) => {
    const t = times[i] as number;
    const event = eventOf(row);
    if (event === undefined) {
      // An activity's own row: a cloud call, or its retryable outcome.
      const bar = innermost();
      if (!bar) return;
      if (row.phase === "retrying") {
        const code = typeof row.details?.code === "string" ? row.details.code : "";
        bar.marks.push({
          at: t,
          kind: THROTTLE.test(`${code} ${row.message ?? ""}`) ? "throttled" : "retry",
          text: `${row.step}: ${row.message ?? code}`,
        });
      } else if (!bar.cloudSteps.includes(row.step)) bar.cloudSteps.push(row.step);
      return;
    }
    if (row.step === "compensation" && event === "started") lane = "compensation";
    if (event === "started") {
      bars.push({ lane, step: row.step, start: t, end: t, outcome: "running", waits: [], marks: [], cloudSteps: [] });
      return;
    }
    const bar = open(row.step, lane) ?? (row.step === "compensation" ? open(row.step, "compensation") : undefined);
    if (event === "succeeded" || event === "failed" || event === "skipped") {
      if (!bar) {
        if (event === "skipped") {
          bars.push({
            lane,
            step: row.step,
            start: t,
            end: t,
            outcome: "skipped",
            ...(row.message ? { message: row.message } : {}),
            waits: [],
            marks: [],
            cloudSteps: [],
          });
        } else if (event === "failed") {
          // A cloud step given up on (step = the activity's name): a mark on the step that called it.
          innermost()?.marks.push({ at: t, kind: "gave-up", text: row.message ?? row.step });
        }
        return;
      }
      bar.end = t;
      bar.outcome = event;
      closeWaits(bar, t);
      if (row.message && event !== "succeeded") bar.message = row.message;
      const code = row.details?.code;
      if (typeof code === "string") bar.code = code;
      if (event === "failed" && bar.lane === "main" && !failure) failure = { step: bar.step, message: row.message ?? "failed" };
      if (event === "succeeded" && bar.lane === "main" && FINAL_STEPS.has(row.step)) finished = "succeeded";
      if (row.step === "compensation") lane = "main";
      return;
    }
    const target = bar ?? innermost();
    if (!target) return;
    if (event === "waiting") {
      const d = row.details ?? {};
      closeWaits(target, t);
      if (d.outcome === "done") return;
      const what = typeof d.waitingFor === "string" ? d.waitingFor : (row.message ?? "waiting");
      target.waits.push({
        start: typeof d.since === "string" && Date.parse(d.since) <= t ? Math.max(target.start, Date.parse(d.since)) : t,
        end: t,
        what,
        ...(typeof d.deadline === "string" ? { deadline: d.deadline } : {}),
        open: true,
      });
    } else if (event === "retrying") {
      const code = typeof row.details?.code === "string" ? row.details.code : "";
      const text = row.message ?? "retrying";
      target.marks.push({ at: t, kind: THROTTLE.test(`${code} ${text}`) ? "throttled" : "retry", text });
      const delay = row.details?.delaySeconds;
      // The back-off is a durable timer too: shade it with what it waits out.
      if (typeof delay === "number" && delay > 0) {
        closeWaits(target, t);
        target.waits.push({ start: t, end: t + delay * 1000, what: `retry in ${delay} s after ${text}`, open: false });
      }
    }
  });

  const lastTime = Math.max(...times, 0);
  const live = liveNowMs !== undefined && !finished;
  const end = live ? Math.max(lastTime, liveNowMs) : lastTime;
  for (const bar of bars) {
    if (bar.outcome !== "running") continue;
    bar.end = end;
    for (const w of bar.waits) if (w.open) w.end = end;
    if (!live) bar.outcome = "unfinished";
  }
  const start = Math.min(...bars.map((b) => b.start), ...(times.length ? [times[0] as number] : [end]));
  const outcome: Outcome = finished ? "succeeded" : live ? "running" : failure ? "failed" : "unfinished";
  const run: Run = { instanceId, operation: rows[0]?.operation ?? "", start, end, outcome, bars, live };
  if (failure) run.failure = failure;
  const actor = request?.actor ?? rows[0]?.actor;
  if (actor) run.actor = actor;
  const ticketRef = request?.ticketRef ?? rows.find((r) => r.ticketRef)?.ticketRef;
  if (ticketRef) run.ticketRef = ticketRef;
  return run;
}

/** A wait ends when the step's next workflow row arrives (or the step ends); its own end row says so explicitly. */
function closeWaits(bar: Bar, t: number): void {
  for (const w of bar.waits) {
    if (!w.open) continue;
    w.end = Math.max(w.start, t);
    w.open = false;
  }
}
