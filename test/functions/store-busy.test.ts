/**
 * Contention over HTTP, on real Azurite: when concurrent writers keep winning the network queue's
 * conditional writes past the store's round budget (made small here), a POST answers 503 problem+json
 * BUSY with Retry-After, not a 409; sent again after Retry-After, it is accepted.
 */
import { describe, expect, it } from "vitest";
import { BusyError } from "../../src/domain/errors";
import { TableClient } from "@azure/data-tables";
import { createStore, DEFAULT_CONTENTION, NetworkTurns } from "../../src/store";
import type { LazyTable } from "../../src/store/table-client";
import { REQUEST_TIMING } from "../../src/requests/timing";
import { uniqueTableName } from "../support/azurite";
import { header, json, request, sharedNetworkSpecBody, useHandlers } from "./support/harness";

const tables = { interconnects: "", audit: "" };
const t = useHandlers((deps) => {
  tables.interconnects = uniqueTableName("ic");
  tables.audit = uniqueTableName("au");
  const connectionString = t.storage.connectionString;
  return {
    ...deps,
    store: contendedStore(connectionString),
    requestTiming: { ...REQUEST_TIMING, stalledStartMs: 1_000 },
  };
});

/**
 * The store as the app builds it, but with one round of contention budget and another writer that
 * always gets to the queue's arrival counter first: each join's transaction, conditional on the counter
 * as read, then really fails in Azurite, as it does when a dozen requests join at the same instant.
 */
function contendedStore(connectionString: string) {
  const store = createStore({ connectionString }, tables, { contention: { ...DEFAULT_CONTENTION, maxRounds: 1 } });
  const client = TableClient.fromConnectionString(connectionString, tables.interconnects, { allowInsecureConnection: true });
  const competitor = TableClient.fromConnectionString(connectionString, tables.interconnects, { allowInsecureConnection: true });
  const submitTransaction: TableClient["submitTransaction"] = async (actions) => {
    const counter = await competitor.getEntity<{ next: number }>("network-turn", "seq").catch(() => undefined);
    await competitor.upsertEntity({ partitionKey: "network-turn", rowKey: "seq", next: (counter?.next ?? 1) + 1 }, "Merge");
    return client.submitTransaction(actions);
  };
  const table = new Proxy(client, {
    get: (target, key) => (key === "submitTransaction" ? submitTransaction : Reflect.get(target, key, target)),
  });
  const lazy = { get: () => client.createTable().then(() => table) } as unknown as LazyTable;
  return { ...store, turns: new NetworkTurns(lazy, store.turns.contention) };
}

const post = (body: unknown) => t.h.create(request("POST", "", { body }), t.durable.context());
const allocated = <T extends { bgp?: unknown }>(body: T) => {
  const { bgp: _bgp, ...rest } = body;
  return rest;
};

describe("a POST whose queue place cannot be written for contention", () => {
  it("answers 503 BUSY with Retry-After, and the same POST after that wait is accepted", async () => {
    const names = Array.from({ length: 4 }, (_, i) => `busy-${i}`);
    const results = await Promise.all(names.map((n) => post(allocated(sharedNetworkSpecBody(n)))));
    for (const res of results) {
      expect(res.status).toBe(503);
      expect(header(res, "content-type")).toBe("application/problem+json");
      // The run the record names never started: a retry is served once stalledStartMs (1 s) has passed.
      expect(header(res, "retry-after")).toBe("2");
      expect(json(res)).toMatchObject({ status: 503, code: "BUSY", type: "urn:interconnect:error:busy" });
      expect(String(json(res).detail)).toMatch(/at once/);
    }
    expect(t.durable.starts.filter((s) => names.some((n) => s.instanceId.includes(n)))).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // The same tables and timing, with the default budget and no competitor: what a later request meets once the burst has passed.
    t.deps = { ...t.deps, store: createStore({ connectionString: t.storage.connectionString }, tables) };
    const retried = await Promise.all(names.map((n) => post(allocated(sharedNetworkSpecBody(n)))));
    expect(retried.map((r) => r.status)).toEqual(names.map(() => 202));
    const rows = await t.deps.store.turns.list();
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set(names));
    expect(new Set(rows.map((r) => r.seq)).size).toBe(names.length);
  });
});

describe("a DELETE whose queue place cannot be written for contention", () => {
  const remove = (name: string) => t.h.remove(request("DELETE", `/${name}`, { params: { name } }), t.durable.context());

  it("answers 503 and stops the running provisioning, so nothing builds under a record that says tearing-down", async () => {
    const store = createStore({ connectionString: t.storage.connectionString }, tables);
    t.deps = { ...t.deps, store };
    expect((await post(allocated(sharedNetworkSpecBody("stop-me")))).status).toBe(202);
    const record = await store.interconnects.getOrThrow("stop-me");
    await store.interconnects.transitionState("stop-me", "provisioning", record.etag);
    // What the queue store answers once other writers keep winning past its budget (the test above).
    store.turns.join = () => Promise.reject(new BusyError("The network queue is being changed by several writers at once; retry.", 2));

    const res = await remove("stop-me");
    expect(res.status).toBe(503);
    expect(header(res, "retry-after")).not.toBeUndefined();
    expect(t.durable.instances.get("provision-stop-me-1")?.runtimeStatus).toBe("Terminated");
    const audit = (await store.audit.list("stop-me")).items;
    expect(audit.some((row) => row.instanceId === "provision-stop-me-1" && /DELETE is sent again/.test(row.message ?? ""))).toBe(true);
    expect((await store.interconnects.getOrThrow("stop-me")).state).toBe("tearing-down");
  });
});
