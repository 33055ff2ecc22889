import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_SIM_SPEED } from "../src/local/clock/virtual-clock";
import { DEFAULT_ARM_DURATIONS } from "../src/local/emulators/arm/durations";
import { DEFAULT_OCI_DURATIONS } from "../src/local/emulators/oci/model";
import { pathModel } from "./provisioning/critical-path";
import { printRun, printSummary, totalMs, type AuditRow, type Measured } from "./provisioning/report";
import { benchSpeeds, oneSpeed, printResult, runPerSpeed } from "./provisioning/runs";
import { assertBuilt, startBenchStack } from "./provisioning/stack";
import { StateWatch } from "./provisioning/state-watch";

/**
 * `npm run bench`, part 2: one provisioning of the README example on the real local stack (Azurite,
 * both emulators with their default durations, the compiled app in the local Functions host) at a
 * high clock speed. Measures, in simulated time: end to end vs the critical path and vs the seed's
 * steps one after another; cloud HTTP requests; detection lag per wait (emulator state flip ->
 * the workflow's audit row for that step). It runs at two clock speeds (BENCH_SPEEDS, default
 * npm start's default speed and 60): the local stack's real-time costs (activity dispatch through Azurite queues, the SDK's LRO
 * waits) grow with the speed, the workflow's own waits do not, so the two runs separate them.
 */
const ROOT = path.resolve(__dirname, "../..");
const NAME = "erp-prod";

/** Each speed runs in a process of its own (this file again, see runPerSpeed). */
async function main(): Promise<void> {
  assertBuilt(ROOT);
  const model = pathModel(DEFAULT_ARM_DURATIONS, DEFAULT_OCI_DURATIONS);
  const speed = oneSpeed();
  if (speed !== undefined) {
    const run = await provisionOnce(speed);
    printRun(run, model);
    printResult({ speed: run.speed, total: totalMs(run) ?? null, state: run.state });
    return;
  }
  const speeds = benchSpeeds();
  console.log(
    "Provisioning of the README example on the real local stack: Azurite, ARM + OCI emulators with their default durations, the compiled app in the local host.",
  );
  const points = runPerSpeed<{ speed: number; total: number | null; state: string }>(__filename, speeds, (speed, status) => ({
    speed,
    total: null,
    state: `run failed (exit ${status})`,
  }));
  printSummary(points, model, DEFAULT_SIM_SPEED);
  const atDefault = points.find((p) => p.speed === DEFAULT_SIM_SPEED);
  if (atDefault?.total != null)
    console.log(
      `Default speed x${DEFAULT_SIM_SPEED} (what npm start runs): ${(atDefault.total / 60_000).toFixed(2)} simulated min, ` +
        `${(((atDefault.total - model.criticalPathMs) / model.criticalPathMs) * 100).toFixed(1)}% over the critical path: aim <= 5% ` +
        `${atDefault.total <= model.criticalPathMs * 1.05 ? "met" : "NOT met"}.`,
    );
  if (points.some((p) => p.state !== "active")) process.exitCode = 1;
}

/** One provisioning on a fresh stack at this clock speed. */
async function provisionOnce(speed: number): Promise<Measured> {
  const stack = await startBenchStack(ROOT, speed);
  const { emulators, host, counter, armPort, ociPort } = stack;
  let watch: StateWatch | undefined;
  try {
    watch = new StateWatch(emulators);
    counter.reset();
    const spec = readFileSync(path.join(ROOT, "examples/erp-prod.json"), "utf8");
    const postedAt = emulators.clock.now();
    const realStart = Date.now();
    const posted = await fetch(`${host.url}/api/interconnects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: spec,
    });
    if (posted.status !== 202) throw new Error(`POST /api/interconnects answered ${posted.status}: ${await posted.text()}`);
    const instanceId = ((await posted.json()) as { id: string }).id;
    const state = await waitForRecord(host.url, Number(process.env.BENCH_TIMEOUT_SECONDS ?? (3 * 3600) / speed) * 1000);
    const realSeconds = (Date.now() - realStart) / 1000;
    watch.sample();
    watch.stop();
    const requests = { arm: counter.of(armPort), oci: counter.of(ociPort) };
    const audit = await auditRows(host.url);
    const status = (await (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true`)).json()) as {
      historyEvents?: { EventType: string; Name?: string }[];
    };
    const scheduled = (status.historyEvents ?? []).filter((e) => e.EventType === "TaskScheduled").map((e) => e.Name ?? "");
    return {
      speed,
      state,
      postedAt,
      realSeconds,
      audit,
      requests,
      scheduled,
      flippedAt: new Map(watch.flippedAt),
      resolutionMs: watch.resolutionMs,
    };
  } finally {
    watch?.stop();
    await stack.close();
  }
}

async function waitForRecord(url: string, timeoutRealMs: number): Promise<string> {
  const until = Date.now() + Math.max(timeoutRealMs, 60_000);
  let last = "";
  for (;;) {
    const res = await fetch(`${url}/api/interconnects/${NAME}`);
    if (res.status === 200) {
      const text = await res.text();
      last = text;
      const record = JSON.parse(text) as { state: string };
      if (record.state === "active" || record.state === "failed") return record.state;
    }
    if (Date.now() > until)
      throw new Error(`provisioning did not finish within ${Math.round(timeoutRealMs / 1000)} s real; last record: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function auditRows(url: string): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let next: string | null = `${url}/api/interconnects/${NAME}/audit?top=1000&order=asc`;
  while (next) {
    const page = (await (await fetch(next)).json()) as { items: AuditRow[]; nextLink: string | null };
    rows.push(...page.items);
    next = page.nextLink;
  }
  return rows;
}

main().catch((e: unknown) => {
  console.error(`provisioning benchmark failed: ${(e as Error)?.stack ?? String(e)}`);
  process.exit(1);
});
