import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_ARM_DURATIONS } from "../src/local/emulators/arm/durations";
import { DEFAULT_OCI_DURATIONS } from "../src/local/emulators/oci/model";
import type { CloudRequests } from "./provisioning/request-counter";
import { cloudCallsTable } from "./provisioning/report";
import { benchSpeeds, oneSpeed, printResult, runPerSpeed } from "./provisioning/runs";
import { assertBuilt, startBenchStack } from "./provisioning/stack";
import { table } from "./provisioning/table";
import { teardownModel, type TeardownModel } from "./teardown/critical-path";

/**
 * `npm run bench`, part 3: the teardown of the README example on the real local stack (provisioned
 * first, not measured), at the clock speeds of BENCH_SPEEDS (default npm start's and 60), each on a fresh stack in
 * a process of its own. Measures, in simulated time, DELETE -> record deleted against the removal
 * graph's critical path and against the same removals one after another; cloud requests and cloud
 * activity calls per teardown. As for provisioning, two speeds separate the local stack's real-time
 * costs (which grow with the speed) from the workflow's own waits.
 */
const ROOT = path.resolve(__dirname, "../..");
const NAME = "erp-prod";
const BOOKKEEPING = ["auditAppend", "recordUpdate", "recordRead", "provisioningInstanceState"];
/**
 * Aims: within 5 % of the critical path; no more cloud activity calls than the sequential teardown made (at most 46
 * with this bench, 2026-12-01) plus what a teardown must do since that it did not then: its turn on the VNet/VCN
 * queue (networkTurnTake, networkTurnRelease) and one usage-row call (the customer's networks released, the rows of
 * what it removed forgotten), less the gateway read before its delete, which the delete now makes itself: 48
 * (2026-12-02). The waits' polls are most of the calls, and their count moves with the local stack's overhead
 * (the removal of 2026-12-01 measured 44-54 on a loaded machine on 2026-12-02): the structure is pinned by
 * test/workflows/teardown.test.ts on the replay engine.
 */
const AIM_OVER_CRITICAL_PATH = 0.05;
const AIM_CLOUD_ACTIVITY_CALLS = 48;
/** The waits' observations (reads): the part of the calls that follows the clouds' durations and the wait profiles. */
const POLL = /^(azureGet|ociGet|azureRead)/;
const MIN = 60_000;
const minutes = (ms: number) => (ms / MIN).toFixed(2);
const over = (ms: number, of: number) => `${(((ms - of) / of) * 100).toFixed(1)}%`;
const met = (ok: boolean) => (ok ? "met" : "NOT met");

interface Measured {
  speed: number;
  state: string;
  totalMs: number | null;
  realSeconds: number;
  requests: Record<"arm" | "oci", CloudRequests>;
  cloudActivityCalls: number;
  /** The same calls by activity name, for what each kind of call costs. */
  byActivity: Record<string, number>;
}

async function main(): Promise<void> {
  assertBuilt(ROOT);
  const model = teardownModel(DEFAULT_ARM_DURATIONS, DEFAULT_OCI_DURATIONS);
  const speed = oneSpeed();
  if (speed !== undefined) {
    const run = await tearDownOnce(speed);
    printRun(run, model);
    printResult(run);
    return;
  }
  const speeds = benchSpeeds();
  console.log(
    "Teardown of the README example on the real local stack (provisioned first): Azurite, ARM + OCI emulators with their default durations, the compiled app in the local host.",
  );
  const runs = runPerSpeed<Measured>(__filename, speeds, (speed, status) => ({
    speed,
    state: `run failed (exit ${status})`,
    totalMs: null,
    realSeconds: 0,
    requests: { arm: none(), oci: none() },
    cloudActivityCalls: 0,
    byActivity: {},
  }));
  printSummary(runs, model);
  if (runs.some((r) => r.state !== "deleted")) process.exitCode = 1;
}

function none(): CloudRequests {
  return { reads: 0, writes: 0, lroPolls: 0 };
}

async function tearDownOnce(speed: number): Promise<Measured> {
  const stack = await startBenchStack(ROOT, speed);
  const { emulators, host, counter, armPort, ociPort } = stack;
  try {
    const timeoutMs = Number(process.env.BENCH_TIMEOUT_SECONDS ?? (3 * 3600) / speed) * 1000;
    const spec = readFileSync(path.join(ROOT, "examples/erp-prod.json"), "utf8");
    const posted = await fetch(`${host.url}/api/interconnects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: spec,
    });
    if (posted.status !== 202) throw new Error(`POST /api/interconnects answered ${posted.status}: ${await posted.text()}`);
    const provisioned = await waitForState(host.url, ["active", "failed"], timeoutMs);
    if (provisioned !== "active") throw new Error(`the provisioning before the teardown ended ${provisioned}`);
    counter.reset();
    const deletedAt = emulators.clock.now();
    const realStart = Date.now();
    const deleted = await fetch(`${host.url}/api/interconnects/${NAME}?reason=benchmark`, { method: "DELETE" });
    if (deleted.status !== 202) throw new Error(`DELETE answered ${deleted.status}: ${await deleted.text()}`);
    const instanceId = ((await deleted.json()) as { id: string }).id;
    const state = await waitForState(host.url, ["deleted", "failed"], timeoutMs);
    const realSeconds = (Date.now() - realStart) / 1000;
    const requests = { arm: counter.of(armPort), oci: counter.of(ociPort) };
    const status = (await (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true`)).json()) as {
      historyEvents?: { EventType: string; Name?: string }[];
    };
    const scheduled = (status.historyEvents ?? [])
      .filter((e) => e.EventType === "TaskScheduled" && !BOOKKEEPING.includes(e.Name ?? ""))
      .map((e) => e.Name ?? "");
    const byActivity: Record<string, number> = {};
    for (const name of scheduled) byActivity[name] = (byActivity[name] ?? 0) + 1;
    const end = await deletedAuditAt(host.url);
    return {
      speed,
      state,
      totalMs: end === undefined ? null : end - deletedAt,
      realSeconds,
      requests,
      cloudActivityCalls: scheduled.length,
      byActivity,
    };
  } finally {
    await stack.close();
  }
}

async function waitForState(url: string, final: string[], timeoutRealMs: number): Promise<string> {
  const until = Date.now() + Math.max(timeoutRealMs, 60_000);
  let last = "";
  for (;;) {
    const res = await fetch(`${url}/api/interconnects/${NAME}`);
    last = await res.text();
    if (res.status === 200) {
      const { state } = JSON.parse(last) as { state: string };
      if (final.includes(state)) return state;
    }
    if (Date.now() > until)
      throw new Error(`no ${final.join("/")} within ${Math.round(timeoutRealMs / 1000)} s real; last record: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Orchestration time of the teardown's last step (the workflow writes it in details.at). */
async function deletedAuditAt(url: string): Promise<number | undefined> {
  let next: string | null = `${url}/api/interconnects/${NAME}/audit?top=1000&order=asc`;
  while (next) {
    const page = (await (await fetch(next)).json()) as {
      items: { step: string; details?: { at?: string; event?: string } }[];
      nextLink: string | null;
    };
    const row = page.items.find((a) => a.step === "deleted" && a.details?.event === "succeeded" && typeof a.details.at === "string");
    if (row?.details?.at !== undefined) return Date.parse(row.details.at);
    next = page.nextLink;
  }
  return undefined;
}

function printRun(run: Measured, model: TeardownModel): void {
  console.log(`\n--- clock x${run.speed}: ${run.state}, ${run.realSeconds.toFixed(0)} s real ---`);
  if (run.totalMs === null) {
    console.log("No 'deleted succeeded' audit row: the teardown did not complete, so no timing is reported for this run.");
    return;
  }
  console.log(
    table(
      ["measure", "simulated min", ""],
      [
        [
          "end to end (DELETE -> record deleted)",
          minutes(run.totalMs),
          `${over(run.totalMs, model.criticalPathMs)} over the critical path`,
        ],
        [
          "critical path (removal graph, emulator durations)",
          minutes(model.criticalPathMs),
          `gateway ${minutes(model.chains.gatewayMs)}, circuit ${minutes(model.chains.circuitMs)}, OCI ${minutes(model.chains.ociMs)}`,
        ],
        [
          "the same removals one after another",
          minutes(model.sequentialMs),
          `measured saves ${minutes(model.sequentialMs - run.totalMs)} min`,
        ],
      ],
    ),
  );
  console.log(
    "\n" +
      cloudCallsTable("cloud calls per teardown", run.requests, [
        `cloud activity calls (task-hub history; aim <= ${AIM_CLOUD_ACTIVITY_CALLS})`,
        String(run.cloudActivityCalls),
      ]),
  );
  const byActivity = Object.entries(run.byActivity).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const polls = byActivity.filter(([name]) => POLL.test(name)).reduce((sum, [, n]) => sum + n, 0);
  console.log(
    "\n" +
      table(
        ["cloud activity calls by activity", "calls"],
        [...byActivity.map(([name, n]) => [name, String(n)]), ["of them the waits' polls (reads)", String(polls)]],
      ),
  );
}

/** As for provisioning: total = base + k * speed; base is the teardown without the local stack's real-time costs. */
function printSummary(runs: Measured[], model: TeardownModel): void {
  console.log("\n--- teardown summary ---");
  console.log(
    table(
      ["clock speed", "outcome", "end to end min", "over critical path", "cloud activity calls"],
      runs.map((r) => [
        `x${r.speed}`,
        r.state,
        r.totalMs === null ? "-" : minutes(r.totalMs),
        r.totalMs === null ? "-" : over(r.totalMs, model.criticalPathMs),
        String(r.cloudActivityCalls),
      ]),
    ),
  );
  const points = runs.filter((r): r is Measured & { totalMs: number } => r.totalMs !== null);
  const [a, b] = [points[0], points.at(-1)];
  const calls = Math.max(...runs.map((r) => r.cloudActivityCalls));
  console.log(
    `Target: cloud activity calls <= ${AIM_CLOUD_ACTIVITY_CALLS} per teardown: ${met(runs.every((r) => r.state === "deleted") && calls <= AIM_CLOUD_ACTIVITY_CALLS)} (at most ${calls}).`,
  );
  if (!a || !b || a.speed === b.speed) {
    const best = points.length > 0 ? Math.min(...points.map((p) => p.totalMs)) : undefined;
    console.log(
      `Target: within ${AIM_OVER_CRITICAL_PATH * 100}% of the critical path: ${met(best !== undefined && best <= model.criticalPathMs * (1 + AIM_OVER_CRITICAL_PATH))} (one speed only, local overhead included).`,
    );
    return;
  }
  const perSpeed = (a.totalMs - b.totalMs) / (a.speed - b.speed);
  const base = a.totalMs - perSpeed * a.speed;
  console.log(
    `Extrapolated to no local real-time overhead (speed -> 0; from x${a.speed} and x${b.speed}): ${minutes(base)} min, ${over(base, model.criticalPathMs)} over the critical path of ` +
      `${minutes(model.criticalPathMs)} min; the same removals one after another take ${minutes(model.sequentialMs)} min.`,
  );
  console.log(
    `Target: within ${AIM_OVER_CRITICAL_PATH * 100}% of the critical path: ${met(base <= model.criticalPathMs * (1 + AIM_OVER_CRITICAL_PATH))}.`,
  );
}

main().catch((e: unknown) => {
  console.error(`teardown benchmark failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
