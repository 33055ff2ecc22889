import { HttpRequest, type InvocationContext } from "@azure/functions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TriggerDeps } from "../../src/functions/deps";
import { interconnectHandlers } from "../../src/functions/interconnects-http";
import { QueueClient } from "@azure/storage-queue";
import { QUEUE_AUDIT_PARTITION, teardownQueueHandler } from "../../src/functions/teardown-queue";
import { teardownRejectionsHandler } from "../../src/functions/teardown-rejections-http";
import { useAzurite } from "../support/azurite";
import { startFakeDurableApi, type FakeDurableApi } from "./support/fake-durable-api";
import { exampleSpecBody, json, request, takeTurn, testDeps } from "./support/harness";

const storage = useAzurite();
let durable: FakeDurableApi;
let deps: TriggerDeps;
let poisonQueue: string;
let queueCounter = 0;

beforeAll(async () => {
  durable = await startFakeDurableApi();
});
afterAll(async () => {
  await durable.close();
});
beforeEach(() => {
  poisonQueue = `poison-${process.pid}-${++queueCounter}`;
  deps = testDeps(storage.connectionString, poisonQueue);
  durable.starts.length = 0;
  durable.instances.clear();
});

function queueContext(): InvocationContext {
  const ctx = durable.context({ functionName: "teardownQueue", trigger: { type: "queueTrigger", name: "message" } });
  ctx.triggerMetadata = { id: "msg-1", dequeueCount: 1 };
  return ctx;
}

async function deliver(message: unknown): Promise<InvocationContext> {
  const ctx = queueContext();
  await teardownQueueHandler(() => deps)(message, ctx);
  return ctx;
}

/** What sits on the poison queue, decoded the way the queue extension decodes it. */
async function poisoned(): Promise<string[]> {
  const client = new QueueClient(storage.connectionString, poisonQueue);
  if (!(await client.exists())) return [];
  const peeked = await client.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => Buffer.from(m.messageText, "base64").toString("utf8"));
}

async function poisonedBytes(): Promise<Buffer[]> {
  const client = new QueueClient(storage.connectionString, poisonQueue);
  if (!(await client.exists())) return [];
  const peeked = await client.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => Buffer.from(m.messageText, "base64"));
}

async function provisionExample(): Promise<void> {
  const res = await interconnectHandlers(() => deps).create(request("POST", "", { body: exampleSpecBody() }), durable.context());
  expect(res.status).toBe(202);
  // Its orchestration has its turn on the VNet and VCN (a DELETE of a run still queued cancels it instead).
  await takeTurn(deps, "erp-prod");
}

describe("teardown queue trigger", () => {
  it("starts the same teardown as DELETE, with the requester as actor", async () => {
    await provisionExample();
    await deliver({ name: "erp-prod", reason: "expired", requestedBy: "itsm-bot", ticketRef: "CHG77" });
    expect(await poisoned()).toEqual([]);
    expect(durable.starts.at(-1)).toMatchObject({
      name: "teardownInterconnect",
      instanceId: "teardown-erp-prod-2",
      input: { name: "erp-prod", reason: "expired", actor: "itsm-bot", requestedBy: "itsm-bot", ticketRef: "CHG77" },
    });
    const audit = (await deps.store.audit.list("erp-prod")).items.at(-1);
    expect(audit).toMatchObject({ operation: "teardown", actor: "itsm-bot", ticketRef: "CHG77", details: { requestedBy: "itsm-bot" } });
    expect(audit?.message).toMatch(/teardown queue/);

    // A duplicate delivery (at-least-once queues) returns the running teardown.
    await deliver(JSON.stringify({ name: "erp-prod", reason: "expired", requestedBy: "itsm-bot" }));
    expect(durable.starts.filter((s) => s.name === "teardownInterconnect")).toHaveLength(1);
  });

  it("starts a new teardown when the one the record names was terminated, as DELETE does", async () => {
    await provisionExample();
    await deliver({ name: "erp-prod", reason: "expired", requestedBy: "itsm-bot" });
    const dead = durable.instances.get("teardown-erp-prod-2");
    if (!dead) throw new Error("no teardown started");
    dead.runtimeStatus = "Terminated";
    await deliver({ name: "erp-prod", reason: "expired", requestedBy: "itsm-bot" });
    expect(durable.starts.filter((s) => s.name === "teardownInterconnect").map((s) => s.instanceId)).toEqual([
      "teardown-erp-prod-2",
      "teardown-erp-prod-3",
    ]);
    expect(await deps.store.interconnects.getOrThrow("erp-prod")).toMatchObject({
      state: "tearing-down",
      currentOperation: { instanceId: "teardown-erp-prod-3" },
    });
    expect(await poisoned()).toEqual([]);
  });

  it("moves a message that is not JSON to the poison queue with an audit row, without throwing", async () => {
    await deliver("tear it down please");
    expect(await poisoned()).toEqual(["tear it down please"]);
    const rows = (await deps.store.audit.list(QUEUE_AUDIT_PARTITION)).items;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      step: "queue-message",
      phase: "failed",
      operation: "teardown",
      details: { code: "VALIDATION_FAILED", messageId: "msg-1" },
    });
    expect(durable.starts).toHaveLength(0);
  });

  it("poisons invalid and unknown fields, auditing under the name the message carried", async () => {
    await provisionExample();
    const message = { name: "erp-prod", reason: "", requestedBy: "x", priority: "high" };
    await deliver(message);
    expect((await poisoned()).map((m) => JSON.parse(m))).toEqual([message]);
    const row = (await deps.store.audit.list("erp-prod")).items.at(-1);
    // requestedBy passed its own rule, so the sender, not the queue, is the actor.
    expect(row).toMatchObject({ step: "queue-message", phase: "failed", actor: "x" });
    expect((row?.details?.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(["priority", "reason"]);
    expect(durable.starts.filter((s) => s.name === "teardownInterconnect")).toHaveLength(0);
    expect((await deps.store.interconnects.getOrThrow("erp-prod")).state).toBe("requested");
  });

  it("keeps a rejected message byte for byte on the poison queue: pretty-printed JSON, invalid UTF-8", async () => {
    const pretty = Buffer.from('{\n  "name": "erp-prod",\n  "reason": "",\n  "requestedBy": "itsm-bot"\n}\n', "utf8");
    await deliver(pretty);
    const badUtf8 = Buffer.concat([
      Buffer.from('{"name":"erp-prod","reason":"caf', "utf8"),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('","requestedBy":"x"}', "utf8"),
    ]);
    await deliver(badUtf8);
    expect(await poisonedBytes()).toEqual([pretty, badUtf8]);
    const rows = (await deps.store.audit.list(QUEUE_AUDIT_PARTITION)).items;
    expect(rows.map((r) => r.message)).toEqual([expect.stringMatching(/reason/), expect.stringMatching(/not valid UTF-8/)]);
    expect(durable.starts).toHaveLength(0);
  });

  it("rejects a 5,000-deep JSON array at once, with one row and without throwing", async () => {
    const deep = Buffer.from(`${"[".repeat(5000)}${"]".repeat(5000)}`, "utf8");
    await expect(deliver(deep)).resolves.toBeDefined();
    const rows = (await deps.store.audit.list(QUEUE_AUDIT_PARTITION)).items;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.message).toMatch(/nested too deeply: more than 64 levels/);
    expect(await poisonedBytes()).toEqual([deep]);
  });

  it("poisons a teardown of an interconnect that does not exist", async () => {
    await deliver({ name: "ghost-net", reason: "cleanup", requestedBy: "itsm-bot" });
    expect(await poisoned()).toHaveLength(1);
    const rows = (await deps.store.audit.list("ghost-net")).items;
    expect(rows).toEqual([expect.objectContaining({ phase: "failed", details: expect.objectContaining({ code: "NOT_FOUND" }) })]);
    expect(durable.starts).toHaveLength(0);
  });

  it("lists every rejected message through GET /api/teardown-queue/rejections, paged, the sender as actor when it parsed", async () => {
    await deliver("tear it down please");
    await deliver({ name: "Not A Name", reason: "cleanup", requestedBy: "itsm-bot", ticketRef: "CHG9" });
    await deliver({ name: "ghost-net", reason: "cleanup", requestedBy: "itsm-bot" });
    const rejections = teardownRejectionsHandler(() => deps);
    const get = (query: string) =>
      rejections(new HttpRequest({ method: "GET", url: `http://127.0.0.1:7071/api/teardown-queue/rejections${query}` }), durable.context());

    const first = await get("?top=2");
    expect(first.status).toBe(200);
    const page1 = json(first);
    expect(page1.items).toEqual([
      expect.objectContaining({
        step: "queue-message",
        phase: "failed",
        actor: "queue:interconnect-teardown",
        details: expect.objectContaining({ code: "VALIDATION_FAILED", name: null }),
      }),
      expect.objectContaining({
        actor: "itsm-bot",
        details: expect.objectContaining({ code: "VALIDATION_FAILED", name: null, issues: [expect.objectContaining({ path: "name" })] }),
      }),
    ]);
    expect(String(page1.nextLink)).toMatch(/^http:\/\/127\.0\.0\.1:7071\/api\/teardown-queue\/rejections\?top=2&continuationToken=/);
    const page2 = json(await get(new URL(String(page1.nextLink)).search));
    expect(page2.items).toEqual([
      expect.objectContaining({ actor: "itsm-bot", details: expect.objectContaining({ code: "NOT_FOUND", name: "ghost-net" }) }),
    ]);
    expect(page2.continuationToken).toBeNull();

    const bad = await get("?continuationToken=abc&top=0");
    expect(bad.status).toBe(400);
    expect((json(bad).errors as { path: string }[]).map((e) => e.path).sort()).toEqual(["query continuationToken", "query top"]);
  });

  it("parks a rejected message exactly once even when its audit row cannot be written", async () => {
    deps = {
      ...deps,
      store: {
        ...deps.store,
        audit: Object.assign(Object.create(deps.store.audit), { append: () => Promise.reject(new Error("table unavailable")) }),
      },
    };
    // Resolving (not throwing) is what keeps the host from retrying and parking it again.
    await deliver("tear it down please");
    expect(await poisoned()).toEqual(["tear it down please"]);
  });
});
