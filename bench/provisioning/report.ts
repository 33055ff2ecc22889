import type { PathModel } from "./critical-path";
import type { CloudRequests } from "./request-counter";
import { FLIPS, type Flip } from "./state-watch";
import { table } from "./table";

export interface AuditRow {
  step: string;
  phase: string;
  details?: { at?: string; event?: string };
}

export interface Measured {
  speed: number;
  state: string;
  /** Virtual ms of the POST. */
  postedAt: number;
  realSeconds: number;
  audit: AuditRow[];
  requests: Record<"arm" | "oci", CloudRequests>;
  /** Activity names scheduled by the orchestration (task-hub history). */
  scheduled: string[];
  flippedAt: Map<Flip, number>;
  resolutionMs: number;
}

/** The workflow step whose "succeeded" audit row marks moving on after each awaited state. */
const STEP_OF: Record<Flip, string> = {
  "DRG AVAILABLE": "drg",
  "DRG attachment ATTACHED": "drg-attachment",
  "provider done (BGP UP + circuit Provisioned)": "provider",
  "gateway Succeeded": "gateway-ready",
  "connection Connected": "connection",
};
const BOOKKEEPING = ["auditAppend", "recordUpdate", "recordRead"];
const MIN = 60_000;
const minutes = (ms: number) => (ms / MIN).toFixed(2);
const over = (ms: number, of: number) => `${(((ms - of) / of) * 100).toFixed(1)}%`;

/** Orchestration time of a step's audit row (the workflow writes it in details.at). */
function auditAt(run: Measured, step: string, event: string): number | undefined {
  const row = run.audit.find((a) => a.step === step && a.details?.event === event && typeof a.details.at === "string");
  return row?.details?.at === undefined ? undefined : Date.parse(row.details.at);
}

export function totalMs(run: Measured): number | undefined {
  const end = auditAt(run, "activate", "succeeded");
  return end === undefined ? undefined : end - run.postedAt;
}

export function printRun(run: Measured, model: PathModel): void {
  console.log(
    `\n--- clock x${run.speed}: ${run.state}, ${run.realSeconds.toFixed(0)} s real; state flips sampled every ${(run.resolutionMs / 1000).toFixed(1)} s simulated ---`,
  );
  const total = totalMs(run);
  if (total === undefined) {
    console.log("No 'activate succeeded' audit row: the provisioning did not complete, so no timing is reported for this run.");
    return;
  }
  const gatewayStarted = auditAt(run, "gateway", "started");
  const connected = run.flippedAt.get("connection Connected");
  console.log(
    table(
      ["measure", "simulated min", ""],
      [
        ["end to end (POST -> record active)", minutes(total), `${over(total, model.criticalPathMs)} over the critical path`],
        ["critical-path lower bound (emulator durations)", minutes(model.criticalPathMs), "gateway track + connection + tables"],
        ["seed steps one after another", minutes(model.sequentialMs), `measured saves ${minutes(model.sequentialMs - total)} min`],
        [
          "  of which: POST -> gateway step started",
          gatewayStarted === undefined ? "-" : minutes(gatewayStarted - run.postedAt),
          "pre-flight, record, audit rows",
        ],
        [
          "  of which: connection Connected -> active",
          connected === undefined ? "-" : minutes(run.postedAt + total - connected),
          "verification, record, audit rows",
        ],
      ],
    ),
  );
  const cloudActivities = run.scheduled.filter((n) => !BOOKKEEPING.includes(n)).length;
  console.log(
    "\n" +
      cloudCallsTable("cloud calls per provisioning", run.requests, [
        "cloud activity calls (task-hub history; aim <= 60)",
        `${cloudActivities} (${cloudActivities <= 60 ? "met" : "NOT met"})`,
      ]),
  );
  console.log(
    "\n" +
      table(
        ["cloud state", "workflow step", "flipped at min", "step took min", "detection lag"],
        FLIPS.map((flip) => {
          const flipped = run.flippedAt.get(flip);
          const moved = auditAt(run, STEP_OF[flip], "succeeded");
          const started = auditAt(run, STEP_OF[flip], "started");
          if (flipped === undefined || moved === undefined) return [flip, STEP_OF[flip], "-", "-", "not observed"];
          return [
            flip,
            STEP_OF[flip],
            minutes(flipped - run.postedAt),
            started === undefined ? "-" : minutes(moved - started),
            `${((moved - flipped) / 1000).toFixed(1)} s`,
          ];
        }),
      ),
  );
}

/**
 * Real-time costs of the local stack (dispatch through Azurite queues, SDK LRO waits in real
 * seconds) turn into simulated time in proportion to the clock speed; the workflow's timers do not.
 * Two speeds give the line total = base + k * speed; base is the provisioning without them.
 */
export function printSummary(runs: { speed: number; total: number | null; state: string }[], model: PathModel, defaultSpeed: number): void {
  console.log("\n--- summary ---");
  console.log(
    table(
      ["clock speed", "outcome", "end to end min", "over critical path", "aim <= 5% over"],
      runs.map((r) => [
        `x${r.speed}${r.speed === defaultSpeed ? " (npm start default)" : ""}`,
        r.state,
        r.total === null ? "-" : minutes(r.total),
        r.total === null ? "-" : over(r.total, model.criticalPathMs),
        r.total === null ? "-" : r.total <= model.criticalPathMs * 1.05 ? "met" : "NOT met",
      ]),
    ),
  );
  const points = runs.filter((r): r is { speed: number; total: number; state: string } => r.total !== null);
  const [a, b] = [points[0], points.at(-1)];
  if (!a || !b || a.speed === b.speed) return;
  const perSpeed = (a.total - b.total) / (a.speed - b.speed);
  const base = a.total - perSpeed * a.speed;
  console.log(
    `Extrapolated to no local real-time overhead (speed -> 0; an estimate from x${a.speed} and x${b.speed}): ${minutes(base)} min, ` +
      `${over(base, model.criticalPathMs)} over the critical path of ${minutes(model.criticalPathMs)} min (aim <= 5%). ` +
      `Each x1 of clock speed adds ${(perSpeed / 1000).toFixed(2)} s simulated through the stack's real-time costs (queue dispatch, SDK LRO waits in real seconds).`,
  );
}

/** The cloud HTTP requests of one run by kind (ARM, OCI, total), and a last row for its cloud activity calls. */
export function cloudCallsTable(title: string, requests: Record<"arm" | "oci", CloudRequests>, activityCalls: [string, string]): string {
  const http = (c: CloudRequests) => c.reads + c.writes + c.lroPolls;
  const { arm, oci } = requests;
  return table(
    [title, "ARM", "OCI", "total"],
    [
      ["HTTP GET reads", String(arm.reads), String(oci.reads), String(arm.reads + oci.reads)],
      ["HTTP writes (PUT/POST/DELETE)", String(arm.writes), String(oci.writes), String(arm.writes + oci.writes)],
      ["HTTP LRO status polls (SDK, inside activities)", String(arm.lroPolls), String(oci.lroPolls), String(arm.lroPolls + oci.lroPolls)],
      ["HTTP requests, all", String(http(arm)), String(http(oci)), String(http(arm) + http(oci))],
      [activityCalls[0], "", "", activityCalls[1]],
    ],
  );
}
