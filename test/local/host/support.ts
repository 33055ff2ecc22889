import path from "node:path";
import { startAzurite, type RunningAzurite } from "../../../src/local/azurite";
import { VirtualClock } from "../../../src/local/clock/virtual-clock";
import { startHost, type HostOptions, type RunningHost } from "../../../src/local/host/host";
import { silentLogger } from "../../../src/local/host/log";

export const FIXTURE_APP = path.resolve(__dirname, "../../fixtures/durable-app");

/** Virtual minutes pass in real milliseconds: a 10-day timer takes under a second. */
export const FAST = 2_000_000;

export interface Harness {
  azurite: RunningAzurite;
  host: RunningHost;
  clock: VirtualClock;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<HostOptions> = {}, speed = FAST): Promise<Harness> {
  const azurite = await startAzurite();
  const clock = new VirtualClock({ speed });
  process.env.AzureWebJobsStorage = azurite.connectionString;
  const host = await startHost({
    appDir: FIXTURE_APP,
    port: 0,
    clock,
    logger: silentLogger,
    leaseSeconds: 2,
    maxPollingIntervalMs: 200,
    ...options,
  });
  return {
    azurite,
    host,
    clock,
    close: async () => {
      await host.close();
      await azurite.stop();
    },
  };
}

export async function call(base: string, method: string, pathAndQuery: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${pathAndQuery}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> & unknown[] };
}

export const DT = "/runtime/webhooks/durabletask";

export async function startOrchestration(base: string, name: string, input?: unknown, instanceId?: string): Promise<string> {
  const res = await call(base, "POST", `/api/orchestrators/${name}${instanceId ? `/${instanceId}` : ""}`, input);
  if (res.status !== 202) throw new Error(`start ${name}: ${res.status} ${res.text}`);
  return (res.json as unknown as { id: string }).id;
}

export interface Status {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
  input: unknown;
  historyEvents?: {
    EventType: string;
    FunctionName?: string;
    Name?: string;
    Result?: unknown;
    EventId: number;
    TimerId?: number;
    TaskScheduledId?: number;
    Attempt?: number;
  }[];
}

export async function waitForStatus(
  base: string,
  id: string,
  statuses: string[] = ["Completed", "Failed", "Terminated"],
  timeoutMs = 15_000,
): Promise<Status> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(base, "GET", `${DT}/instances/${encodeURIComponent(id)}?showHistory=true&showHistoryOutput=true`);
    const s = res.json as unknown as Status;
    if (res.status !== 404 && statuses.includes(s.runtimeStatus)) return s;
    if (Date.now() > until) throw new Error(`instance ${id} is ${s?.runtimeStatus ?? res.status}, expected ${statuses.join("/")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
