import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { FaultInjector } from "../shared/faults";
import type { ProviderLink } from "../shared/provider-link";
import type { Json } from "./body";
import { ensureLocalCertificate } from "./certificate";
import { type ArmDurations, resolveArmDurations } from "./durations";
import { ArmError } from "./errors";
import { applyTransition, azureProviderSide } from "./lifecycle";
import { API_VERSION, ArmNetwork, type Reply } from "./network";
import { type ParsedPath, operationName, parsePath, resolveHandler, unknownResourceType } from "./routes";
import { type VirtualNetworkSeed, seedVirtualNetwork } from "./resources/virtual-networks";
import type { ArmIncident } from "../shared/incidents";
import { applyArmIncident } from "./incidents";
import { ArmByHand } from "./by-hand";
import { COMPUTE, COMPUTE_API_VERSION, seedVirtualMachine } from "./resources/compute";
import { METRICS_API_VERSION, listMetrics } from "./resources/metrics";
import { type ArmStateData, StateFile, emptyState } from "./state";

export const ARM_SEED = {
  subscriptionId: "11111111-1111-4111-8111-111111111111",
  resourceGroup: "rg-erp-network",
  location: "eastus",
  virtualNetwork: {
    name: "vnet-erp",
    location: "eastus",
    addressPrefixes: ["10.10.0.0/16"],
    subnets: [{ name: "snet-app", addressPrefix: "10.10.1.0/24" }],
  },
  /** Azure creates it with the region's first VNet (day2-operations.md §4). */
  networkWatcher: { resourceGroup: "NetworkWatcherRG", name: "NetworkWatcher_eastus", location: "eastus" },
  /** Sources for the end-to-end probe: one with the Network Watcher agent extension, one without. */
  virtualMachines: [
    { name: "vm-probe", location: "eastus", networkWatcherAgent: true },
    { name: "vm-noagent", location: "eastus", networkWatcherAgent: false },
  ],
} as const;

export const DEFAULT_ARM_TOKEN = "local-emulator-token";

/** Answers /admin/* requests (the runtime wires both emulators into it); undefined = not an admin route. */
export type AdminHandler = (method: string, url: URL, body: unknown) => Promise<Reply | undefined>;

export interface ArmEmulatorOptions {
  clock: VirtualClock;
  faults: FaultInjector;
  /** The ARM emulator registers Azure's side on it and reads the OCI side for BGP facts. */
  link?: ProviderLink;
  port?: number;
  host?: string;
  token?: string;
  /** Where ca.pem, server.pem and server-key.pem are made on first start. */
  certDir: string;
  /** Persist state here (debounced, atomic); omitted = memory only. */
  stateFile?: string;
  durations?: Partial<ArmDurations>;
  /** Real seconds sent as Retry-After on running LROs (0 = no header, the client's own interval applies). */
  retryAfterSeconds?: number;
  admin?: AdminHandler;
}

export interface RunningArmEmulator {
  url: string;
  token: string;
  caCertPath: string;
  caCertPem: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  virtualNetworkId: string;
  network: ArmNetwork;
  /** Creates a VNet (and its resource group when new) directly in Succeeded state. */
  seedVirtualNetwork(resourceGroup: string, seed: VirtualNetworkSeed): Json;
  reset(): void;
  snapshot(): ArmStateData;
  /** A day-2 incident, applied at once (admin: POST /admin/incidents). */
  applyIncident(incident: ArmIncident): unknown;
  /** The portal of someone building by hand (admin: POST /admin/seed/handBuiltInterconnects). */
  byHand: ArmByHand;
  close(): Promise<void>;
}

export async function startArmEmulator(opts: ArmEmulatorOptions): Promise<RunningArmEmulator> {
  const token = opts.token ?? DEFAULT_ARM_TOKEN;
  const cert = ensureLocalCertificate(opts.certDir);
  const net = new ArmNetwork(opts.clock, resolveArmDurations(opts.durations), opts.retryAfterSeconds ?? 1);
  const settle = (): void => net.settle((t) => applyTransition(net, t));
  const retryAfterWindowMs = Math.max(1, opts.retryAfterSeconds ?? 1) * 1000;
  const file = opts.stateFile ? new StateFile(opts.stateFile, () => net.data) : undefined;
  const loaded = file?.load();
  const seed = (): void => {
    net.data = emptyState();
    net.addResourceGroup(ARM_SEED.subscriptionId, ARM_SEED.resourceGroup, ARM_SEED.location);
    seedVirtualNetwork(
      net,
      { subscriptionId: ARM_SEED.subscriptionId, resourceGroup: ARM_SEED.resourceGroup },
      {
        ...ARM_SEED.virtualNetwork,
        addressPrefixes: [...ARM_SEED.virtualNetwork.addressPrefixes],
        subnets: ARM_SEED.virtualNetwork.subnets.map((s) => ({ ...s })),
      },
    );
    const nw = ARM_SEED.networkWatcher;
    net.addResourceGroup(ARM_SEED.subscriptionId, nw.resourceGroup, nw.location);
    const nwScope = { subscriptionId: ARM_SEED.subscriptionId, resourceGroup: nw.resourceGroup };
    net.put({
      id: net.resourceId(nwScope, "networkWatchers", nw.name),
      name: nw.name,
      type: "Microsoft.Network/networkWatchers",
      location: nw.location,
      etag: "",
      properties: { provisioningState: "Succeeded" },
    });
    for (const vm of ARM_SEED.virtualMachines) {
      seedVirtualMachine(net, { subscriptionId: ARM_SEED.subscriptionId, resourceGroup: ARM_SEED.resourceGroup }, { ...vm });
    }
  };
  if (loaded) net.data = loaded;
  else seed();
  if (file) {
    net.onChange(() => file.schedule());
    file.schedule();
  }
  opts.link?.registerAzure(azureProviderSide(net, settle));

  const server: Server = createServer({ key: cert.serverKeyPem, cert: cert.serverCertPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof ArmError ? err : new ArmError(500, "InternalServerError", `The emulator failed: ${(err as Error).message}`);
      send(res, { status: e.status, body: e.toBody(), headers: e.headers }, requestIds(req));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ids = requestIds(req);
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", net.baseUrl);
    const raw = await readBody(req);

    if (url.pathname === "/admin" || url.pathname.startsWith("/admin/")) {
      if (!isLoopback(req)) throw new ArmError(403, "Forbidden", "Admin endpoints answer loopback clients only.");
      const reply = opts.admin ? await opts.admin(method, url, parseJson(raw, true)) : undefined;
      if (!reply) throw new ArmError(404, "NotFound", `No admin endpoint ${method} ${url.pathname}.`);
      return send(res, reply, ids);
    }

    authenticate(req.headers.authorization, token);
    const metrics = METRICS_PATH.exec(url.pathname);
    const parsed = parsePath(metrics ? (metrics[1] as string) : url.pathname);
    checkApiVersion(url, parsed, metrics ? METRICS_API_VERSION : parsed?.provider === COMPUTE ? COMPUTE_API_VERSION : API_VERSION);
    const op = metrics ? `${method} metrics` : operationName(method, parsed);
    const latency = opts.faults.latencyMs("arm", op);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const decision = opts.faults.decide("arm", op);
    if (decision.kind === "throttle") {
      throw new ArmError(
        429,
        "SubscriptionRequestsThrottled",
        `Number of requests for subscription '${parsed?.subscriptionId ?? ""}' exceeded the limit. Please try again after '${decision.retryAfterSeconds}' seconds.`,
        { "Retry-After": String(decision.retryAfterSeconds) },
      );
    }
    if (decision.kind === "error") {
      throw decision.status === 503
        ? new ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry the request.")
        : new ArmError(
            500,
            "InternalServerError",
            "An internal error occurred in the network resource provider. Please retry the request.",
          );
    }

    settle();
    if (metrics) {
      if (method !== "GET")
        throw new ArmError(405, "MethodNotAllowed", `The requested method ${method} is not allowed on ${url.pathname}.`);
      return send(res, listMetrics(net, decodeURIComponent(metrics[1] as string), url.searchParams), ids);
    }
    if (!parsed) throw unknownResourceType(parsed, url.pathname);
    if (parsed.types[0] === "locations" && method === "GET") {
      await untilDoneWithinRetryAfter(parsed);
      return send(res, pollOperation(parsed), ids);
    }
    const handler = resolveHandler(method, parsed, opts.link);
    if (!handler) {
      if (
        !resolveHandler("GET", parsed, opts.link) &&
        !resolveHandler("PUT", parsed, opts.link) &&
        !resolveHandler("POST", parsed, opts.link)
      ) {
        throw unknownResourceType(parsed, url.pathname);
      }
      throw new ArmError(405, "MethodNotAllowed", `The requested method ${method} is not allowed on ${url.pathname}.`);
    }
    const reply = handler({
      net,
      scope: { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup ?? "" },
      names: parsed.names,
      body: (parseJson(raw, false) ?? {}) as Json,
      ifMatch: header(req, "if-match"),
      ifNoneMatch: header(req, "if-none-match"),
      skipToken: url.searchParams.get("$skiptoken") ?? undefined,
      url: url.toString(),
      faults: opts.faults,
    });
    send(res, reply, ids);
  }

  /**
   * A poll of a long-running read (ARP and route tables: nothing to observe while it runs) that completes
   * before the client's next poll (one Retry-After, in real seconds) is answered when it completes, as if
   * the client had polled at that moment. The SDK waits
   * whole real seconds between polls, which at a high clock speed is a simulated minute: without this a
   * 10-second table read would take a minute, and every such wait would show up as local overhead.
   */
  async function untilDoneWithinRetryAfter(parsed: ParsedPath): Promise<void> {
    const id = parsed.names[1] ?? "";
    const op = net.data.operations[id];
    if (!op || op.status !== "InProgress") return;
    const due = net.data.transitions.filter((t) => t.operationId === id && t.action === "finish").map((t) => t.at);
    if (due.length === 0) return;
    const wait = net.clock.realDelayUntil(Math.min(...due));
    if (wait <= 0 || wait > retryAfterWindowMs) return;
    await new Promise((r) => setTimeout(r, wait));
    settle();
  }

  function pollOperation(parsed: ParsedPath): Reply {
    net.ensureSubscription(parsed.subscriptionId);
    const kind = parsed.types[1];
    const op = net.data.operations[parsed.names[1] ?? ""];
    if (!op || (kind !== "operations" && kind !== "operationResults")) {
      throw new ArmError(404, "OperationNotFound", `The operation '${parsed.names[1] ?? ""}' could not be found.`);
    }
    if (kind === "operations") {
      const body: Json = { name: op.id, status: op.status, startTime: new Date(op.startTime).toISOString() };
      if (op.endTime !== undefined) body.endTime = new Date(op.endTime).toISOString();
      if (op.error) body.error = op.error;
      return { status: 200, body, headers: op.status === "InProgress" ? net.retryAfter() : {} };
    }
    if (op.status === "InProgress") {
      return { status: 202, headers: { Location: net.operationUrls(parsed.subscriptionId, op).location, ...net.retryAfter() } };
    }
    if (op.status === "Failed") {
      const e = op.error ?? { code: "InternalServerError", message: "The operation failed." };
      return { status: op.failureStatus ?? 400, body: { error: e } };
    }
    return op.result === undefined ? { status: 204 } : { status: 200, body: op.result };
  }

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  net.baseUrl = `https://${host}:${port}`;

  return {
    url: net.baseUrl,
    token,
    caCertPath: cert.caCertPath,
    caCertPem: cert.caCertPem,
    subscriptionId: ARM_SEED.subscriptionId,
    resourceGroup: ARM_SEED.resourceGroup,
    location: ARM_SEED.location,
    virtualNetworkId: `/subscriptions/${ARM_SEED.subscriptionId}/resourceGroups/${ARM_SEED.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${ARM_SEED.virtualNetwork.name}`,
    network: net,
    seedVirtualNetwork(resourceGroup, vnetSeed) {
      settle();
      net.addResourceGroup(ARM_SEED.subscriptionId, resourceGroup, vnetSeed.location);
      const v = seedVirtualNetwork(net, { subscriptionId: ARM_SEED.subscriptionId, resourceGroup }, vnetSeed);
      return { id: v.id, name: v.name, location: v.location, addressPrefixes: vnetSeed.addressPrefixes };
    },
    reset() {
      seed();
      net.changed();
    },
    snapshot() {
      settle();
      return structuredClone(net.data);
    },
    applyIncident(incident) {
      settle();
      return structuredClone(applyArmIncident(net, incident));
    },
    byHand: new ArmByHand(net, opts.link),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      file?.flush();
    },
  };
}

function authenticate(authorization: string | undefined, token: string): void {
  const challenge = { "WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' };
  if (!authorization) {
    throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", challenge);
  }
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const given = Buffer.from(m?.[1] ?? "");
  const expected = Buffer.from(token);
  if (!m || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge);
  }
}

/** {resource id}/providers/Microsoft.Insights/metrics: Azure Monitor's metrics of a resource (the connection monitor's). */
const METRICS_PATH = /^(\/subscriptions\/.+)\/providers\/microsoft\.insights\/metrics\/?$/i;

function checkApiVersion(url: URL, parsed: ParsedPath | undefined, expected: string): void {
  const versions = url.searchParams.getAll("api-version");
  if (!versions.length) {
    throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  for (const v of versions) {
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(v)) {
      throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${v}' is invalid. The supported versions are '${expected}'.`);
    }
    if (v !== expected) {
      const type = parsed?.types[0] ?? "unknown";
      throw new ArmError(
        400,
        "NoRegisteredProviderFound",
        `No registered resource provider found for location 'eastus' and API version '${v}' for type '${type}'. The supported api-versions are '${expected}'.`,
      );
    }
  }
}

function requestIds(req: IncomingMessage): Record<string, string> {
  return {
    "x-ms-request-id": randomUUID(),
    "x-ms-correlation-request-id": header(req, "x-ms-correlation-request-id") ?? randomUUID(),
    ...(header(req, "x-ms-client-request-id") ? { "x-ms-client-request-id": header(req, "x-ms-client-request-id") as string } : {}),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? "";
  return a === "127.0.0.1" || a === "::1" || a === "::ffff:127.0.0.1";
}

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ArmError(413, "RequestEntityTooLarge", "The request body is larger than 1 MB.");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(raw: string, lenient: boolean): unknown {
  if (!raw.trim()) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    if (lenient) throw new ArmError(400, "InvalidRequestFormat", "The request body is not valid JSON.");
    throw new ArmError(400, "InvalidRequestFormat", "Cannot parse the request. The request body is not valid JSON.");
  }
}

function send(res: ServerResponse, reply: Reply, ids: Record<string, string>): void {
  const headers: Record<string, string> = { ...ids, ...(reply.headers ?? {}) };
  if (reply.body !== undefined && reply.status !== 204) {
    const text = JSON.stringify(reply.body);
    headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(text);
    return;
  }
  res.writeHead(reply.status, headers);
  res.end();
}
