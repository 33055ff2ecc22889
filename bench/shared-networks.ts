import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { assertBuilt, startBenchStack, type BenchStack } from "./provisioning/stack";
import { table } from "./provisioning/table";

/**
 * `npm run bench`, part 4: N interconnects (BENCH_SHARED_N, default 1,5,20) on shared networks,
 * provisioned at once and then torn down at once, on the real local stack. They are spread over
 * network pairs of at most BENCH_SHARED_PER_NETWORK (default 5) interconnects each (one VNet + one VCN
 * per pair), so each pair's runs must queue behind each other and different pairs must not.
 *
 * Measured per phase, in simulated time: end to end for all (first POST/DELETE → last active/deleted)
 * against one interconnect alone (N = 1) and against what the queue cannot avoid: the first run's
 * start, then on each pair the runs one after another, each as long as it took once it had its turn
 * (the first builds the gateway, the next reuse it), the pairs side by side. Cloud work per
 * interconnect: the cloud activities its own orchestration called (from its history), and the cloud
 * HTTP reads (GETs, without LRO polls) and writes the emulators saw, divided by N (these include the
 * health watch of the interconnects already active, at its slowest cadence here). Aims: all within 5 %
 * (+ 2 simulated minutes per hand-over from one run to the next) of that bound, and cloud activity
 * calls per interconnect no more than 10 % above one interconnect alone.
 *
 * The local stack's own latency (dispatch through Azurite, about a second per hand-over) counts in
 * simulated time times the clock speed: BENCH_SHARED_SPEED (default 60) trades run time for that.
 */
const ROOT = path.resolve(__dirname, "../..");
const COUNTS = (process.env.BENCH_SHARED_N ?? "1,5,20").split(",").map((v) => Number(v.trim()));
const PER_NETWORK = Number(process.env.BENCH_SHARED_PER_NETWORK ?? 5);
const SPEED = Number(process.env.BENCH_SHARED_SPEED ?? 60);
const RESULT = "BENCH_RESULT ";
const MIN = 60_000;
const AIM_OVER_BOUND = 0.05;
const HANDOVER_MS = 2 * MIN;
const AIM_READS_OVER_ALONE = 0.1;

interface Phase {
  /** First request → last interconnect done, simulated ms. */
  totalMs: number;
  /** From the first request to the first turn taken, then each pair's runs one after another (each from its turn to done), the longest pair; simulated ms. */
  boundMs: number;
  /** Cloud activities (azure*, oci*) the interconnects' own orchestrations called, in all. */
  cloudCalls: number;
  /** Runs the watchdog took for stalled and started again (a queued run is not stalled: this should be 0). */
  restarts: number;
  /** What the watchdog said of each run it restarted, to tell which rule fired. */
  restartReasons: string[];
  /** Each interconnect's own run, from its turn to done, simulated ms. */
  runsMs: number[];
  reads: number;
  writes: number;
  failed: string[];
}

interface Result {
  n: number;
  pairs: number;
  provision: Phase;
  teardown: Phase;
  realSeconds: number;
}

interface AuditRow {
  step: string;
  message?: string;
  details?: { at?: string; event?: string };
}

async function main(): Promise<void> {
  assertBuilt(ROOT);
  if (process.env.BENCH_SHARED_ONE !== undefined) {
    const result = await runOnce(Number(process.env.BENCH_SHARED_ONE));
    console.log(`${RESULT}${JSON.stringify(result)}`);
    return;
  }
  for (const n of COUNTS)
    if (!(Number.isInteger(n) && n >= 1 && n <= 30)) throw new Error(`BENCH_SHARED_N must be whole numbers 1-30, got ${n}`);
  console.log(
    `N interconnects on shared networks (at most ${PER_NETWORK} per VNet/VCN pair), provisioned at once then torn down at once; clock x${SPEED}.`,
  );
  const results: Result[] = [];
  for (const n of COUNTS) {
    const child = spawnSync(process.execPath, [__filename], {
      env: { ...process.env, BENCH_SHARED_ONE: String(n) },
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    });
    process.stderr.write(child.stderr ?? "");
    const line = (child.stdout ?? "").split("\n").find((l) => l.startsWith(RESULT));
    if (!line) {
      console.log(`N=${n}: the run failed (exit ${child.status}); output:\n${child.stdout}`);
      process.exitCode = 1;
      continue;
    }
    results.push(JSON.parse(line.slice(RESULT.length)) as Result);
  }
  report(results);
}

function report(results: Result[]): void {
  const alone = results.find((r) => r.n === 1);
  const m = (ms: number) => (ms / MIN).toFixed(1);
  for (const phase of ["provision", "teardown"] as const) {
    const one = alone?.[phase];
    const rows = results.map((r) => {
      const p = r[phase];
      const overBound = (p.totalMs - p.boundMs) / p.boundMs;
      const readsPer = p.reads / r.n;
      const callsPer = p.cloudCalls / r.n;
      const timeMet = p.totalMs <= p.boundMs * (1 + AIM_OVER_BOUND) + HANDOVER_MS * Math.max(0, Math.ceil(r.n / r.pairs) - 1);
      const readsMet = one === undefined || callsPer <= one.cloudCalls * (1 + AIM_READS_OVER_ALONE);
      return [
        String(r.n),
        String(r.pairs),
        m(p.totalMs),
        one ? `${(p.totalMs / one.totalMs).toFixed(1)}x` : "-",
        m(p.boundMs),
        `${(overBound * 100).toFixed(1)}%`,
        callsPer.toFixed(1),
        readsPer.toFixed(1),
        (p.writes / r.n).toFixed(1),
        String(p.restarts),
        p.failed.length
          ? `FAILED: ${p.failed.join(", ")}`
          : timeMet && readsMet && p.restarts === 0
            ? "met"
            : `NOT met${timeMet ? "" : " (time)"}${readsMet ? "" : " (reads)"}${p.restarts === 0 ? "" : " (runs restarted)"}`,
      ];
    });
    console.log(`\n${phase === "provision" ? "Provisioning" : "Teardown"} (simulated minutes):`);
    console.log(
      table(
        [
          "N",
          "pairs",
          "all, end to end",
          "vs one alone",
          "queue's bound",
          "over bound",
          "cloud calls/ic",
          "reads/ic",
          "writes/ic",
          "watchdog restarts",
          "target",
        ],
        rows,
      ),
    );
  }
  console.log(
    `\nqueue's bound: on each VNet/VCN pair its runs one after another, each as long as it took once it had its turn; the pairs in parallel.` +
      ` Target: within ${AIM_OVER_BOUND * 100}% (+${HANDOVER_MS / MIN} min per hand-over) of it, and cloud activity calls per interconnect at most ${AIM_READS_OVER_ALONE * 100}% above N=1.`,
  );
  for (const r of results) console.log(`N=${r.n}: ${r.realSeconds.toFixed(0)} s real`);
  for (const r of results)
    for (const [phase, p] of [
      ["provisioning", r.provision],
      ["teardown", r.teardown],
    ] as const)
      for (const reason of p.restartReasons ?? []) console.log(`N=${r.n} ${phase}, restarted by the watchdog: ${reason}`);
}

/** N interconnects on a fresh stack: all POSTed at once, all active, all DELETEd at once, all deleted. */
async function runOnce(n: number): Promise<Result> {
  // The health watch of the interconnects already active at its slowest cadence: it reads the clouds too.
  const stack = await startBenchStack(ROOT, SPEED, { HEALTH_CONTROL_PLANE_MINUTES: "60", HEALTH_ROUTES_MINUTES: "60" });
  const realStart = Date.now();
  try {
    const pairs = Math.ceil(n / PER_NETWORK);
    const specs = seedPairs(stack, pairs).flatMap((pair, p) =>
      Array.from({ length: Math.min(PER_NETWORK, n - p * PER_NETWORK) }, (_, i) => ({ ...pair, name: `shared-${p}-${i}` })),
    );
    const provision = await phase(stack, specs, "POST", (s) => s === "active" || s === "failed", "active", "activate");
    const teardown = await phase(stack, specs, "DELETE", (s) => s === "deleted" || s === "failed", "deleted", "deleted");
    return { n, pairs, provision, teardown, realSeconds: (Date.now() - realStart) / 1000 };
  } finally {
    await stack.close();
  }
}

type Spec = Record<string, unknown> & { name: string; azure: Record<string, unknown>; oci: Record<string, unknown> };

/** The README example's networks, and more VNet/VCN pairs seeded in the emulators, one spec template per pair. */
function seedPairs(stack: BenchStack, pairs: number): Spec[] {
  const example = JSON.parse(readFileSync(path.join(ROOT, "examples/erp-prod.json"), "utf8")) as Spec;
  delete example.bgp;
  const { arm, oci } = stack.emulators.handles;
  const out: Spec[] = [example];
  for (let p = 1; p < pairs; p++) {
    const prefix = `10.${100 + p}`;
    arm.seedVirtualNetwork(arm.resourceGroup, { name: `vnet-bench-${p}`, location: arm.location, addressPrefixes: [`${prefix}.0.0/16`] });
    const vcn = oci.createVcn({ displayName: `vcn-bench-${p}`, cidrBlocks: [`10.${150 + p}.0.0/16`] });
    out.push({
      ...example,
      azure: { ...example.azure, virtualNetwork: { name: `vnet-bench-${p}`, gatewaySubnetPrefix: `${prefix}.255.0/27` } },
      oci: { ...example.oci, vcnId: vcn.id },
    });
  }
  return out;
}

async function phase(
  stack: BenchStack,
  specs: Spec[],
  method: "POST" | "DELETE",
  done: (state: string) => boolean,
  wanted: string,
  lastStep: string,
): Promise<Phase> {
  const { host, counter, armPort, ociPort, emulators } = stack;
  counter.reset();
  const startedAt = emulators.clock.now();
  await Promise.all(
    specs.map(async (spec) => {
      const res =
        method === "POST"
          ? await fetch(`${host.url}/api/interconnects`, {
              method,
              headers: { "content-type": "application/json" },
              body: JSON.stringify(spec),
            })
          : await fetch(`${host.url}/api/interconnects/${spec.name}?reason=bench`, { method });
      if (res.status !== 202) throw new Error(`${method} ${spec.name} answered ${res.status}: ${await res.text()}`);
    }),
  );
  const states = await waitAll(host.url, specs, done);
  const arm = counter.of(armPort);
  const ociCount = counter.of(ociPort);
  const runs = await Promise.all(specs.map((s) => ownRun(host.url, s.name, lastStep)));
  const byPair = new Map<string, number>();
  specs.forEach((s, i) => {
    const key = String((s.oci as { vcnId: string }).vcnId);
    byPair.set(key, (byPair.get(key) ?? 0) + (runs[i]?.ms ?? 0));
  });
  const end = Math.max(...runs.map((r) => r.endAt));
  const firstTurn = Math.min(...runs.map((r) => r.turnAt ?? end));
  return {
    totalMs: end - startedAt,
    boundMs: firstTurn - startedAt + Math.max(...byPair.values()),
    cloudCalls: runs.reduce((sum, r) => sum + r.cloudCalls, 0),
    restarts: runs.reduce((sum, r) => sum + r.restarts, 0),
    restartReasons: runs.flatMap((r, i) => r.restartReasons.map((m) => `${specs[i]?.name}: ${m}`)),
    runsMs: runs.map((r) => r.ms),
    reads: arm.reads + ociCount.reads,
    writes: arm.writes + ociCount.writes,
    failed: specs.filter((_, i) => states[i] !== wanted).map((s) => s.name),
  };
}

async function waitAll(url: string, specs: Spec[], done: (state: string) => boolean): Promise<string[]> {
  const until = Date.now() + Number(process.env.BENCH_TIMEOUT_SECONDS ?? 3600) * 1000;
  for (;;) {
    const states = await Promise.all(
      specs.map(async (s) => {
        const res = await fetch(`${url}/api/interconnects/${s.name}`);
        return res.status === 200 ? ((await res.json()) as { state: string }).state : "unknown";
      }),
    );
    if (states.every(done)) return states;
    if (Date.now() > until) throw new Error(`not done within the timeout: ${states.join(", ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * One interconnect's own run of the latest operation: from its turn (the queue step done) to its last
 * step, orchestration time; and the cloud activities its orchestration called.
 */
async function ownRun(
  url: string,
  name: string,
  lastStep: string,
): Promise<{ ms: number; endAt: number; turnAt?: number; cloudCalls: number; restarts: number; restartReasons: string[] }> {
  const record = (await (await fetch(`${url}/api/interconnects/${name}`)).json()) as { currentOperation?: { instanceId: string } };
  const instanceId = record.currentOperation?.instanceId;
  const status = instanceId
    ? ((await (await fetch(`${url}/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true`)).json()) as {
        historyEvents?: { EventType: string; Name?: string }[];
      })
    : {};
  const cloudCalls = (status.historyEvents ?? []).filter(
    (e) => e.EventType === "TaskScheduled" && /^(azure|oci)/.test(e.Name ?? ""),
  ).length;
  const rows: AuditRow[] = [];
  let next: string | null = `${url}/api/interconnects/${name}/audit?top=1000&order=asc`;
  while (next) {
    const page = (await (await fetch(next)).json()) as { items: AuditRow[]; nextLink: string | null };
    rows.push(...page.items);
    next = page.nextLink;
  }
  const at = (step: string, event: string) =>
    rows
      .filter((r) => r.step === step && r.details?.event === event && typeof r.details.at === "string")
      .map((r) => Date.parse(r.details?.at ?? ""))
      .at(-1);
  // A run the watchdog took for stalled and started again: its own history is then only the last attempt's.
  const kind = instanceId?.split("-")[0] ?? "";
  const restartReasons = rows
    .filter((r) => r.step === "watchdog" && (r.message ?? "").startsWith(`Operation ${kind}-`))
    .map((r) => r.message ?? "");
  const restarts = restartReasons.length;
  const turn = at("queue", "succeeded");
  const end = at(lastStep, "succeeded");
  if (turn === undefined || end === undefined) return { ms: 0, endAt: end ?? 0, cloudCalls, restarts, restartReasons };
  return { ms: end - turn, endAt: end, turnAt: turn, cloudCalls, restarts, restartReasons };
}

main().catch((e: unknown) => {
  console.error(`shared-networks benchmark failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
