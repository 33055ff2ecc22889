import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvocationContext, type FunctionInput, type FunctionOutput } from "@azure/functions";
import * as df from "durable-functions";

/**
 * The Durable Functions extension's HTTP API, reduced to what the triggers call (start, status,
 * terminate). It is the true boundary of the trigger layer: the orchestrations themselves run in the
 * end-to-end tests on the local host.
 */
export interface FakeInstance {
  name: string;
  instanceId: string;
  input: unknown;
  runtimeStatus: string;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  terminateReason?: string;
}

/** An instance as the task hub would list it, stamped now; the activities' tests seed the stand-in with these. */
export function fakeInstance(name: string, instanceId: string, runtimeStatus: string, input: unknown = null): FakeInstance {
  const now = new Date().toISOString();
  return { name, instanceId, input, runtimeStatus, customStatus: null, createdTime: now, lastUpdatedTime: now };
}

export interface FakeDurableApi {
  url: string;
  instances: Map<string, FakeInstance>;
  starts: FakeInstance[];
  /** The query string of every list request, in order. */
  lists: string[];
  terminations: { instanceId: string; reason: string }[];
  /** Instances that take a terminate request but keep running (an activity still finishing its cloud call). */
  slowToTerminate: Set<string>;
  /** Runs before a status read is answered (what the instance does meanwhile: ending, say). */
  beforeStatus?: (instanceId: string) => Promise<void>;
  context(options?: { functionName?: string; trigger?: FunctionInput; extraOutputs?: FunctionOutput[] }): InvocationContext;
  close(): Promise<void>;
}

export async function startFakeDurableApi(): Promise<FakeDurableApi> {
  const instances = new Map<string, FakeInstance>();
  const starts: FakeInstance[] = [];
  const lists: string[] = [];
  const terminations: { instanceId: string; reason: string }[] = [];
  const slowToTerminate = new Set<string>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const send = (status: number, payload?: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(payload === undefined ? "" : JSON.stringify(payload));
      };
      const start = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === "POST" && start) {
        const [, name, instanceId] = start as unknown as [string, string, string];
        const instance = fakeInstance(name, instanceId, "Running", body ? JSON.parse(body) : null);
        instances.set(instanceId, instance);
        starts.push(instance);
        return send(202, { id: instanceId });
      }
      const terminate = /^\/durabletask\/instances\/([^/]+)\/terminate$/.exec(url.pathname);
      if (req.method === "POST" && terminate) {
        const instance = instances.get(terminate[1] as string);
        if (!instance) return send(404);
        const reason = decodeURIComponent(url.searchParams.get("reason") ?? "");
        terminations.push({ instanceId: instance.instanceId, reason });
        if (slowToTerminate.has(instance.instanceId)) return send(202);
        instance.runtimeStatus = "Terminated";
        instance.terminateReason = reason;
        return send(202);
      }
      if (req.method === "GET" && url.pathname === "/durabletask/instances/") return list();
      const status = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && status) {
        void (api.beforeStatus?.(status[1] as string) ?? Promise.resolve()).then(() => answerStatus(status[1] as string));
        return;
      }
      send(404, { error: `fake durable API: no route for ${req.method} ${url.pathname}` });

      /** The list query as the extension answers it: filtered, ordered by instance id, paged by an opaque token. */
      function list(): void {
        lists.push(url.search);
        const prefix = url.searchParams.get("instanceIdPrefix") ?? "";
        const statuses = (url.searchParams.get("runtimeStatus") ?? "").split(",").filter(Boolean);
        const top = Number(url.searchParams.get("top") ?? "100");
        const showInput = url.searchParams.get("showInput") !== "false";
        const after = req.headers["x-ms-continuation-token"];
        const matching = [...instances.values()]
          .filter((i) => i.instanceId.startsWith(prefix) && (statuses.length === 0 || statuses.includes(i.runtimeStatus)))
          .filter((i) => typeof after !== "string" || i.instanceId > Buffer.from(after, "base64").toString("utf8"))
          .sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
        const page = matching.slice(0, top);
        const last = page.at(-1);
        res.writeHead(200, {
          "content-type": "application/json",
          ...(matching.length > top && last ? { "x-ms-continuation-token": Buffer.from(last.instanceId).toString("base64") } : {}),
        });
        res.end(JSON.stringify(page.map((i) => ({ ...payload(i), ...(showInput ? {} : { input: null }) }))));
      }

      function payload(instance: FakeInstance) {
        const { name, instanceId, runtimeStatus, customStatus, createdTime, lastUpdatedTime, input } = instance;
        return {
          name,
          instanceId,
          runtimeStatus,
          customStatus,
          createdTime,
          lastUpdatedTime,
          input,
          output: instance.terminateReason ?? null,
        };
      }

      function answerStatus(id: string): void {
        const instance = instances.get(id);
        if (!instance) return send(404);
        const { name, instanceId, runtimeStatus, customStatus, createdTime, lastUpdatedTime, input } = instance;
        return send(runtimeStatus === "Running" ? 202 : 200, {
          name,
          instanceId,
          runtimeStatus,
          customStatus,
          createdTime,
          lastUpdatedTime,
          input,
          output: instance.terminateReason ?? null,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
  const q = "taskHub=TestHub&connection=Storage&code=systemkey";
  const clientData = {
    taskHubName: "TestHub",
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${q}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}`,
    },
    managementUrls: {
      id: "INSTANCEID",
      statusQueryGetUri: `${base}/instances/INSTANCEID?${q}`,
      sendEventPostUri: `${base}/instances/INSTANCEID/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${base}/instances/INSTANCEID/terminate?reason={text}&${q}`,
      rewindPostUri: `${base}/instances/INSTANCEID/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${base}/instances/INSTANCEID?${q}`,
      restartPostUri: `${base}/instances/INSTANCEID/restart?${q}`,
      suspendPostUri: `${base}/instances/INSTANCEID/suspend?reason={text}&${q}`,
      resumePostUri: `${base}/instances/INSTANCEID/resume?reason={text}&${q}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: q,
    // The client calls the rpc base for start/status/terminate; the management URLs only shape responses.
    rpcBaseUrl: `http://127.0.0.1:${port}/durabletask/`,
  };
  const api: FakeDurableApi = {
    url: `http://127.0.0.1:${port}`,
    instances,
    starts,
    lists,
    terminations,
    slowToTerminate,
    context({ functionName = "test", trigger = { type: "httpTrigger", name: "req" }, extraOutputs = [] } = {}) {
      const clientInput = df.input.durableClient();
      const ctx = new InvocationContext({
        invocationId: `inv-${Math.random().toString(36).slice(2)}`,
        functionName,
        logHandler: () => undefined,
        options: { trigger, extraInputs: [clientInput], extraOutputs },
      });
      ctx.extraInputs.set(clientInput, clientData);
      return ctx;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return api;
}
