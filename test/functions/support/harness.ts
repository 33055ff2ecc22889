import { HttpRequest, type HttpResponseInit } from "@azure/functions";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { DEFAULT_PEERING_LOCATION_CATALOG } from "../../../src/domain/catalog";
import type { TriggerDeps } from "../../../src/functions/deps";
import { interconnectHandlers, type InterconnectHandlers } from "../../../src/functions/interconnects-http";
import { createStore, storagePoisonQueue, type StoredInterconnect } from "../../../src/store";
import { DEFAULT_WORKFLOW_TIMING } from "../../../src/workflows/names";
import { uniqueTableName, useAzurite } from "../../support/azurite";
import { startFakeDurableApi, type FakeDurableApi } from "./fake-durable-api";

import { exampleSpecBody as publicExample, type ExampleSpecBody } from "../../support/example-spec";

/**
 * The public example, on a VNet and VCN of its own per name (erp-prod keeps the example's): one run at a
 * time may be in flight on a network, and these tests start many interconnects that never finish.
 * Tests of that rule build their bodies on shared networks themselves.
 */
export function exampleSpecBody(name = "erp-prod"): ExampleSpecBody {
  const body = publicExample(name);
  if (name === "erp-prod") return body;
  return {
    ...body,
    azure: { ...body.azure, virtualNetwork: { ...body.azure.virtualNetwork, name: `vnet-${name}` } },
    oci: { ...body.oci, vcnId: `ocid1.vcn.oc1.iad.aaaaaaaa${name.replace(/[^a-z0-9]/g, "")}` },
  };
}

/** The public example under another name, on the example's own VNet and VCN. */
export const sharedNetworkSpecBody = publicExample;

export function testDeps(connectionString: string, poisonQueueName = `poison-${uniqueTableName("q").toLowerCase()}`): TriggerDeps {
  return {
    teardownPoisonQueue: storagePoisonQueue({ connectionString }, poisonQueueName),
    store: createStore({ connectionString }, { interconnects: uniqueTableName("ic"), audit: uniqueTableName("au") }),
    bgpAddressPool: "192.168.100.0/24",
    catalog: DEFAULT_PEERING_LOCATION_CATALOG,
    timing: DEFAULT_WORKFLOW_TIMING,
    log: () => undefined,
    // As on the local host: no App Service, so the principal header is taken as sent.
    trustClientPrincipalHeader: true,
  };
}

export interface HandlersHarness {
  readonly storage: ReturnType<typeof useAzurite>;
  /** The fake Durable API, started once per file. */
  durable: FakeDurableApi;
  /** Fresh per test (new tables); a test may replace it, then rebuild `h` if it wants new handlers. */
  deps: TriggerDeps;
  /** The HTTP handlers over `deps`, rebuilt per test. */
  h: InterconnectHandlers;
}

/**
 * The common setup of the HTTP handler tests; call at the top level of a test file. One Azurite and one
 * fake Durable API per file; before each test, fresh deps (testDeps, then `customize` if given) and
 * handlers reading them. Read the fields inside tests and hooks, after the hooks have run.
 */
export function useHandlers(customize: (deps: TriggerDeps) => TriggerDeps = (deps) => deps): HandlersHarness {
  const storage = useAzurite();
  const t = { storage } as HandlersHarness;
  beforeAll(async () => {
    t.durable = await startFakeDurableApi();
  });
  afterAll(async () => {
    await t.durable.close();
  });
  beforeEach(() => {
    t.deps = customize(testDeps(storage.connectionString));
    t.h = interconnectHandlers(() => t.deps);
  });
  return t;
}

const BASE = "http://127.0.0.1:7071/api/interconnects";

export function request(
  method: "GET" | "POST" | "DELETE",
  path = "",
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; params?: Record<string, string> } = {},
): HttpRequest {
  const headers: Record<string, string> = {
    ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
    ...options.headers,
  };
  const raw = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  return new HttpRequest({
    method,
    url: `${BASE}${path}`,
    headers,
    params: options.params ?? {},
    ...(raw !== undefined && method !== "GET" ? { body: { string: raw } } : {}),
  });
}

/** The handlers return HttpResponseInit with jsonBody; tests read it back as plain JSON. */
export function json(res: HttpResponseInit): Record<string, unknown> {
  return JSON.parse(JSON.stringify(res.jsonBody ?? null)) as Record<string, unknown>;
}

export function header(res: HttpResponseInit, name: string): string | undefined {
  const headers = res.headers as Record<string, string> | undefined;
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? headers[key] : undefined;
}

/**
 * What the provisioning orchestration's first step does when it is first in line (networkTurnTake):
 * the interconnect's current operation takes its turn on its VNet and VCN. The trigger tests have no
 * orchestrations, so a run they posted stays queued (and a DELETE cancels it) unless they call this.
 */
export async function takeTurn(deps: TriggerDeps, name: string): Promise<void> {
  const record = await deps.store.interconnects.getOrThrow(name);
  const rows = await deps.store.turns.list();
  const mine = rows.filter((r) => r.owner === name);
  const request = {
    owner: name,
    operation: mine[0]?.operation ?? "provision",
    instanceId: record.currentOperation?.instanceId ?? "",
    networks: mine.map((r) => r.network),
  };
  if (!(await deps.store.turns.take(request, rows))) throw new Error(`${name} could not take its turn`);
}

/** Moves `name`'s record on from requested to active, as a provisioning that finished leaves it. */
export async function activate(deps: TriggerDeps, name = "erp-prod"): Promise<StoredInterconnect> {
  const repo = deps.store.interconnects;
  const requested = await repo.getOrThrow(name);
  const provisioning = await repo.transitionState(name, "provisioning", requested.etag);
  return repo.transitionState(name, "active", provisioning.etag);
}
