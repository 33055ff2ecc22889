import { subscribe } from "node:diagnostics_channel";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { startAzurite } from "../src/local/azurite";
import { VirtualClock } from "../src/local/clock/virtual-clock";
import { startHost, type RunningHost } from "../src/local/host/host";
import { silentLogger } from "../src/local/host/log";

/**
 * Local host throughput: N concurrent orchestrations of 10 sequential activities each, on a real
 * Azurite task hub. Reports orchestrations/s, activity dispatches/s, the dispatch latency (work item
 * scheduled -> activity running), and what each activity costs: storage requests, and CPU of the host
 * process and of Azurite.
 */
const ROOT = findRoot(__dirname);
const APP = path.join(ROOT, "test/fixtures/durable-app");
const ACTIVITIES_PER_INSTANCE = 10;
const DT = "/runtime/webhooks/durabletask";

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "test/fixtures/durable-app"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no project root (with test/fixtures/durable-app) above ${from}`);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** CPU ms a process has used so far (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

let storageRequests = 0;
let azuritePorts = new Set<string>();
// Counts the host's requests to Azurite (the bench's own calls to the host go through fetch, not node:http).
subscribe("http.client.request.start", (message) => {
  const req = (message as { request: { host?: string; getHeader(name: string): unknown } }).request;
  if ([...azuritePorts].some((p) => String(req.getHeader("host") ?? "").endsWith(`:${p}`))) storageRequests++;
});

async function round(host: RunningHost, concurrency: number, tag: string, latencies: number[]): Promise<string[]> {
  latencies.length = 0;
  const names = Array.from({ length: ACTIVITIES_PER_INSTANCE }, (_, i) => `a${i}`);
  const prefix = `bench-${tag}-`;
  const requests0 = storageRequests;
  const hostCpu0 = process.cpuUsage();
  const azuriteCpu0 = processCpuMs(azuritePid);
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const res = await fetch(`${host.url}${DT}/orchestrators/Sequence/${prefix}${i}`, { method: "POST", body: JSON.stringify(names) });
      if (res.status !== 202) throw new Error(`starting a benchmark instance: ${res.status} ${await res.text()}`);
    }),
  );
  // One list query per poll, and polls spaced with the elapsed time (5% resolution), so the benchmark's
  // own status reads stay a small share of the load it measures.
  for (;;) {
    const res = await fetch(
      `${host.url}${DT}/instances?instanceIdPrefix=${prefix}&runtimeStatus=Completed,Failed&top=${concurrency}&showInput=false`,
    );
    const done = (await res.json()) as { instanceId: string; runtimeStatus: string }[];
    const failed = done.find((s) => s.runtimeStatus === "Failed");
    if (failed) throw new Error(`benchmark instance ${failed.instanceId} failed`);
    if (done.length >= concurrency) break;
    await new Promise((r) => setTimeout(r, Math.min(100, Math.max(10, (Date.now() - started) / 20))));
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(hostCpu0);
  const activities = latencies.length;
  const sorted = [...latencies].sort((a, b) => a - b);
  return [
    String(concurrency),
    (concurrency / seconds).toFixed(1),
    (activities / seconds).toFixed(0),
    percentile(sorted, 50).toFixed(0),
    percentile(sorted, 99).toFixed(0),
    ((storageRequests - requests0) / activities).toFixed(1),
    ((cpu.user + cpu.system) / 1000 / activities).toFixed(1),
    ((processCpuMs(azuritePid) - azuriteCpu0) / activities).toFixed(1),
    seconds.toFixed(2),
  ];
}

let azuritePid: number | undefined;

async function main(): Promise<void> {
  const azurite = await startAzurite();
  azuritePid = azurite.process.pid;
  azuritePorts = new Set([azurite.queueUrl, azurite.tableUrl, azurite.blobUrl].map((u) => new URL(u).port));
  process.env.AzureWebJobsStorage = azurite.connectionString;
  const latencies: number[] = [];
  const host = await startHost({
    appDir: APP,
    port: 0,
    clock: new VirtualClock({ speed: 1 }),
    logger: silentLogger,
    onActivityDispatch: (ms) => latencies.push(ms),
  });
  const rows: string[][] = [];
  try {
    // Warm-up (JIT, first table and queue accesses), not reported.
    await round(host, 5, "warmup", latencies);
    for (const concurrency of [1, 10, 50]) rows.push(await round(host, concurrency, String(concurrency), latencies));
  } finally {
    await host.close();
    await azurite.stop();
  }
  const header = [
    "instances",
    "orchestrations/s",
    "activities/s",
    "p50 dispatch ms",
    "p99 dispatch ms",
    "storage req/activity",
    "host cpu ms/activity",
    "azurite cpu ms/activity",
    "wall s",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  console.log(`Local Functions host, ${ACTIVITIES_PER_INSTANCE} sequential activities per orchestration, task hub in Azurite (in memory)`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  const at50 = rows.at(-1) ?? [];
  const perSecond = Number(at50[2]);
  const p99 = Number(at50[4]);
  console.log(
    `Targets at 50 instances: >= 200 activity dispatches/s: ${perSecond >= 200 ? "met" : "NOT met"} (${perSecond}/s); ` +
      `p99 dispatch < 50 ms: ${p99 < 50 ? "met" : "NOT met"} (${p99} ms).`,
  );
  // What the CPU cost allows whatever else runs: each process is single-threaded, and together they share the cores.
  const hostMs = Number(at50[6]);
  const azuriteMs = Number(at50[7]);
  const cores = availableParallelism();
  const ceiling = Math.min(1000 / hostMs, 1000 / azuriteMs, (cores * 1000) / (hostMs + azuriteMs));
  console.log(
    `CPU per activity ${hostMs} ms host + ${azuriteMs} ms Azurite: on ${cores} idle cores that allows at most ${ceiling.toFixed(0)} activity dispatches/s ` +
      `(${ceiling >= 200 ? "the 200/s target is within reach" : "below the 200/s target"}); the measured rate is lower when other processes share the cores (load average ${loadavg()[0]?.toFixed(1)}).`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
