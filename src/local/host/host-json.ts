import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { QueuesConfig } from "./queue-trigger";

/** The parts of the app's host.json the local host honours. */
export interface HostJsonConfig {
  routePrefix: string;
  hubName: string;
  partitionCount: number;
  maxConcurrentActivityFunctions: number;
  maxConcurrentOrchestratorFunctions: number;
  storageConnectionSetting: string;
  queues: QueuesConfig;
}

/** .NET TimeSpan "[d.]hh:mm:ss[.fff]" as host.json writes durations. */
export function parseTimeSpan(value: unknown, field: string): number {
  if (typeof value !== "string") throw new Error(`host.json ${field} must be a TimeSpan string like "00:00:30"`);
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value);
  if (!m) throw new Error(`host.json ${field} "${value}" is not a TimeSpan like "00:00:30"`);
  const [, d, h, min, s, frac] = m;
  return (
    ((Number(d ?? 0) * 24 + Number(h)) * 3600 + Number(min) * 60 + Number(s)) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0)
  );
}

function int(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`host.json ${field} must be an integer ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function readHostJson(appDir: string): HostJsonConfig {
  const file = path.join(appDir, "host.json");
  const raw = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const ext = (raw.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const http = ext.http ?? {};
  const dt = ext.durableTask ?? {};
  const provider = (dt.storageProvider ?? {}) as Record<string, unknown>;
  const q = ext.queues ?? {};
  const routePrefix = http.routePrefix === undefined ? "api" : http.routePrefix;
  if (typeof routePrefix !== "string") throw new Error("host.json extensions.http.routePrefix must be a string");
  const hubName = dt.hubName === undefined ? "TestHubName" : dt.hubName;
  if (typeof hubName !== "string") throw new Error("host.json extensions.durableTask.hubName must be a string");
  const encoding = q.messageEncoding === undefined ? "base64" : String(q.messageEncoding).toLowerCase();
  if (encoding !== "base64" && encoding !== "none")
    throw new Error(`host.json extensions.queues.messageEncoding must be "base64" or "none"`);
  return {
    routePrefix: routePrefix.replace(/^\/+|\/+$/g, ""),
    hubName,
    partitionCount: int(provider.partitionCount, "extensions.durableTask.storageProvider.partitionCount", 4, 1, 16),
    maxConcurrentActivityFunctions: int(
      dt.maxConcurrentActivityFunctions,
      "extensions.durableTask.maxConcurrentActivityFunctions",
      10,
      1,
      1000,
    ),
    maxConcurrentOrchestratorFunctions: int(
      dt.maxConcurrentOrchestratorFunctions,
      "extensions.durableTask.maxConcurrentOrchestratorFunctions",
      10,
      1,
      1000,
    ),
    storageConnectionSetting: typeof provider.connectionStringName === "string" ? provider.connectionStringName : "AzureWebJobsStorage",
    queues: {
      maxDequeueCount: int(q.maxDequeueCount, "extensions.queues.maxDequeueCount", 5, 1, 1000),
      visibilityTimeoutSeconds:
        q.visibilityTimeout === undefined
          ? 0
          : Math.round(parseTimeSpan(q.visibilityTimeout, "extensions.queues.visibilityTimeout") / 1000),
      batchSize: int(q.batchSize, "extensions.queues.batchSize", 16, 1, 32),
      maxPollingIntervalMs:
        q.maxPollingInterval === undefined
          ? 60_000
          : Math.max(100, parseTimeSpan(q.maxPollingInterval, "extensions.queues.maxPollingInterval")),
      messageEncoding: encoding,
    },
  };
}
