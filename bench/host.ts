import path from "node:path";
import { startAzurite } from "../src/local/azurite";
import { VirtualClock } from "../src/local/clock/virtual-clock";
import { startHost } from "../src/local/host/host";
import { silentLogger } from "../src/local/host/log";

/**
 * Local host throughput: N concurrent orchestrations of 10 sequential activities each, on a real
 * Azurite task hub. Reports orchestrations/s, activity dispatches/s and the dispatch latency
 * (work item enqueued -> activity running).
 */
const APP = path.resolve(__dirname, "../../test/fixtures/durable-app");
const ACTIVITIES_PER_INSTANCE = 10;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  process.env.AzureWebJobsStorage = azurite.connectionString;
  let latencies: number[] = [];
  const host = await startHost({
    appDir: APP, port: 0, clock: new VirtualClock({ speed: 1 }), logger: silentLogger, maxPollingIntervalMs: 200,
    onActivityDispatch: (ms) => latencies.push(ms),
  });
  const rows: string[][] = [];
  try {
    for (const concurrency of [1, 10, 50]) {
      latencies = [];
      const names = Array.from({ length: ACTIVITIES_PER_INSTANCE }, (_, i) => `a${i}`);
      const started = Date.now();
      const ids = await Promise.all(Array.from({ length: concurrency }, async () => {
        const res = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/Sequence`, { method: "POST", body: JSON.stringify(names) });
        return ((await res.json()) as { id: string }).id;
      }));
      for (const id of ids) {
        for (;;) {
          const s = (await (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`)).json()) as { runtimeStatus: string };
          if (s.runtimeStatus === "Completed") break;
          if (s.runtimeStatus === "Failed") throw new Error(`benchmark instance ${id} failed`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      const seconds = (Date.now() - started) / 1000;
      const sorted = [...latencies].sort((a, b) => a - b);
      rows.push([String(concurrency), (concurrency / seconds).toFixed(1), (latencies.length / seconds).toFixed(0),
        percentile(sorted, 50).toFixed(0), percentile(sorted, 99).toFixed(0), seconds.toFixed(2)]);
    }
  } finally {
    await host.close();
    await azurite.stop();
  }
  const header = ["instances", "orchestrations/s", "activities/s", "p50 dispatch ms", "p99 dispatch ms", "wall s"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  console.log(`Local Functions host, ${ACTIVITIES_PER_INSTANCE} sequential activities per orchestration, task hub in Azurite (in memory)`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log("Targets: >= 200 activity dispatches/s and p99 dispatch < 50 ms at 50 instances.");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
