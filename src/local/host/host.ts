import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { VirtualClock } from "../clock/virtual-clock";
import { DurableHttpApi, WEBHOOK_PATH } from "./durable/client-api";
import { DurableEngine } from "./durable/engine";
import { TaskHubStore } from "./durable/task-hub";
import { readHostJson, type HostJsonConfig } from "./host-json";
import { HttpTriggers } from "./http-trigger";
import { problem, type RawRequest, type RawResponse } from "./http-types";
import { consoleLogger, type HostLogger } from "./log";
import { QueueTriggerListener } from "./queue-trigger";
import { refuseTarget } from "./request-target";
import { TimerTriggerListener } from "./timer-trigger";
import { loadApp, type FunctionRegistry } from "./registry";

export interface HostOptions {
  /** Folder with the app's package.json ("main") and host.json. */
  appDir: string;
  /** App settings ("Values"); copied into process.env before the app loads, as Core Tools does. */
  settings?: Record<string, string>;
  /** 7071 by default; 0 picks a free port. */
  port?: number;
  clock?: VirtualClock;
  logger?: HostLogger;
  /** Require x-functions-key / ?code= with one of these keys on non-anonymous HTTP functions (401 otherwise). */
  functionKeys?: string[];
  /** Real seconds a dequeued task-hub message stays invisible between renewals (default 30). */
  leaseSeconds?: number;
  /** Idle polling ceiling for the task hub queues in real ms (default 1000). */
  maxPollingIntervalMs?: number;
  onActivityDispatch?: (latencyMs: number) => void;
}

export interface RunningHost {
  url: string;
  port: number;
  registry: FunctionRegistry;
  config: HostJsonConfig;
  store: TaskHubStore;
  clock: VirtualClock;
  close(): Promise<void>;
}

/** The local Functions host: the app's HTTP and queue triggers, and its orchestrations on a task hub in Azure Storage. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const logger = options.logger ?? consoleLogger();
  const clock = options.clock ?? new VirtualClock();
  for (const [k, v] of Object.entries(options.settings ?? {})) if (process.env[k] === undefined) process.env[k] = v;
  const config = readHostJson(options.appDir);
  const connection = process.env[config.storageConnectionSetting];
  if (!connection) throw new Error(`app setting ${config.storageConnectionSetting} (the task hub's storage connection) is not set`);
  const registry = loadApp(options.appDir);
  const store = await TaskHubStore.open(connection, config.hubName, config.partitionCount);
  // Bound late: the API exists after the engine, and the origin once the server listens.
  const durableClientInput = (type: string, o = origin): unknown =>
    type === "durableClient" || type === "orchestrationClient" ? api.clientBindingData(o) : undefined;
  const engine = new DurableEngine({
    store,
    registry,
    clock,
    logger,
    leaseSeconds: options.leaseSeconds ?? 30,
    maxConcurrentActivities: config.maxConcurrentActivityFunctions,
    maxConcurrentOrchestrations: config.maxConcurrentOrchestratorFunctions,
    maxPollingIntervalMs: options.maxPollingIntervalMs ?? 1000,
    onActivityDispatch: options.onActivityDispatch,
    // Activities may declare df.input.durableClient() too (e.g. to read another instance's status).
    activityExtraInput: (type) => durableClientInput(type),
  });
  const api = new DurableHttpApi(store, engine, registry, clock);
  let origin = "";
  const http = new HttpTriggers({
    registry,
    routePrefix: config.routePrefix,
    logger,
    functionKeys: options.functionKeys,
    extraInput: (type, o) => durableClientInput(type, o),
  });
  const queueListeners = registry.ofType("queueTrigger").map((fn) => {
    const setting = typeof fn.trigger.connection === "string" && fn.trigger.connection ? fn.trigger.connection : "AzureWebJobsStorage";
    const cs = process.env[setting];
    if (!cs) throw new Error(`queue trigger '${fn.name}': app setting "${setting}" (its connection) is not set`);
    return new QueueTriggerListener(fn, cs, config.queues, http, () => origin, logger);
  });
  const timers = registry.ofType("timerTrigger").map((fn) => new TimerTriggerListener(fn, clock, http, () => origin, logger));
  const unsupported = [...registry.functions.values()].filter(
    (f) => !["httpTrigger", "queueTrigger", "timerTrigger", "orchestrationTrigger", "activityTrigger"].includes(f.trigger.type),
  );
  for (const f of unsupported) logger.warn(`Function '${f.name}' has a ${f.trigger.type} the local host does not run; it is skipped`);

  const server = createServer(
    (req, res) =>
      void serve(
        req,
        res,
        async (raw) => {
          if (raw.url.pathname === WEBHOOK_PATH || raw.url.pathname.startsWith(`${WEBHOOK_PATH}/`)) return api.handle(raw);
          return (await http.handle(raw)) ?? problem(404, "Not found", `no function serves ${raw.method} ${raw.url.pathname}`);
        },
        logger,
      ),
  );
  const port = await listen(server, options.port ?? 7071);
  origin = `http://127.0.0.1:${port}`;
  // The durable client rewrites binding URLs to localhost:7071 unless WEBSITE_HOSTNAME names the real host.
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
  engine.start();
  // What a restart picks up: the instances the task hub says are in flight (their messages resume them).
  const inFlight = (await store.queryInstances({ runtimeStatus: ["Running", "Pending"], top: 100 })).items;
  if (inFlight.length > 0)
    logger.info(`Resuming ${inFlight.length} in-flight orchestration(s): ${inFlight.map((i) => `${i.instanceId} (${i.name})`).join(", ")}`);
  await Promise.all(queueListeners.map((l) => l.start()));
  for (const t of timers) t.start();
  logger.debug(`Host started on ${origin}: ${registry.functions.size} functions, task hub ${config.hubName}, clock x${clock.speed}`);
  for (const r of http.list()) logger.debug(`  ${r.name}: [${r.methods.join(",")}] ${origin}${r.route}`);
  return {
    url: origin,
    port,
    registry,
    config,
    store,
    clock,
    close: async () => {
      await Promise.all([engine.stop(), ...queueListeners.map((l) => l.stop()), ...timers.map((t) => t.stop())]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      reject(
        e.code === "EADDRINUSE"
          ? new Error(`port ${port} is already in use: stop what listens there (another host or npm start?) or choose another port`)
          : e,
      );
    });
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (r: RawRequest) => Promise<RawResponse>,
  logger: HostLogger,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  let out: RawResponse;
  try {
    const refused = refuseTarget(req.url ?? "/");
    if (refused) out = refused;
    else {
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
      out = await handler({ method: (req.method ?? "GET").toUpperCase(), url, headers, body: Buffer.concat(chunks) });
    }
  } catch (e) {
    logger.error(`${req.method} ${req.url} failed: ${(e as Error)?.stack ?? e}`);
    out = problem(500, "Host error", (e as Error)?.message ?? String(e));
  }
  res.writeHead(out.status, out.headers);
  res.end(out.body);
}
