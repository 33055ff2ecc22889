import { HttpRequest, type HttpResponseInit } from "@azure/functions";
import { DEFAULT_PEERING_LOCATION_CATALOG } from "../../../src/domain/catalog";
import type { TriggerDeps } from "../../../src/functions/deps";
import { createStore, storagePoisonQueue } from "../../../src/store";
import { DEFAULT_WORKFLOW_TIMING } from "../../../src/workflows/names";
import { uniqueTableName } from "../../support/azurite";

export { exampleSpecBody } from "../../support/example-spec";

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

const BASE = "http://127.0.0.1:7071/api/interconnects";

export function request(
  method: "GET" | "POST" | "DELETE",
  path = "",
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; params?: Record<string, string> } = {},
): HttpRequest {
  const headers: Record<string, string> = { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers };
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
