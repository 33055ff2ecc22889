import { request as httpRequest } from "node:http";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, DT, startHarness, startOrchestration, waitForStatus, type Harness } from "./support";

let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startHarness({ functionKeys: ["secret-key"] });
  base = h.host.url;
});
afterAll(async () => h?.close());

describe("Durable HTTP API contract", () => {
  it("answers 404 for an unknown instance on status, raiseEvent, terminate and purge", async () => {
    expect((await call(base, "GET", `${DT}/instances/nope`)).status).toBe(404);
    expect((await call(base, "POST", `${DT}/instances/nope/raiseEvent/x`, {})).status).toBe(404);
    expect((await call(base, "POST", `${DT}/instances/nope/terminate`)).status).toBe(404);
    expect((await call(base, "DELETE", `${DT}/instances/nope`)).status).toBe(404);
  });

  it("answers 202 with Location while running, 200 when completed, failed or terminated", async () => {
    const running = await startOrchestration(base, "LongWait");
    await waitForStatus(base, running, ["Running"]);
    const r = await call(base, "GET", `${DT}/instances/${running}`);
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toContain(`/instances/${running}`);
    expect(r.json).toMatchObject({
      name: "LongWait",
      instanceId: running,
      runtimeStatus: "Running",
      customStatus: "waiting",
      output: null,
    });
    expect(r.json.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await call(base, "DELETE", `${DT}/instances/${running}`)).status).toBe(409);

    const done = await startOrchestration(base, "Sequence", ["x"]);
    await waitForStatus(base, done);
    expect((await call(base, "GET", `${DT}/instances/${done}`)).status).toBe(200);

    const failed = await startOrchestration(base, "Failing");
    await waitForStatus(base, failed);
    expect((await call(base, "GET", `${DT}/instances/${failed}`)).status).toBe(200);
    expect((await call(base, "GET", `${DT}/instances/${failed}?returnInternalServerErrorOnFailure=true`)).status).toBe(500);

    await call(base, "POST", `${DT}/instances/${running}/terminate?reason=test`);
    await waitForStatus(base, running);
    expect((await call(base, "GET", `${DT}/instances/${running}`)).status).toBe(200);
    expect((await call(base, "POST", `${DT}/instances/${running}/raiseEvent/x`, {})).status).toBe(410);
    expect((await call(base, "POST", `${DT}/instances/${running}/terminate`)).status).toBe(410);
  });

  it("starts through the webhook route, rejects a running duplicate id and an unknown orchestrator", async () => {
    const started = await call(base, "POST", `${DT}/orchestrators/LongWait/dup-1`, { a: 1 });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ id: "dup-1", statusQueryGetUri: expect.stringContaining(`${base}${DT}/instances/dup-1`) });
    expect((await call(base, "POST", `${DT}/orchestrators/LongWait/dup-1`)).status).toBe(409);
    expect((await call(base, "POST", `${DT}/orchestrators/NoSuch`)).status).toBe(400);
    expect((await call(base, "POST", `${DT}/instances/dup-1/raiseEvent/x`, undefined, { "content-type": "text/plain" })).status).toBe(400);
    expect((await call(base, "GET", `${DT}/instances/dup-1?showInput=false`)).json.input).toBeNull();
    await call(base, "POST", `${DT}/instances/dup-1/terminate`);
  });

  it("lists with filters, top and x-ms-continuation-token; purges by filter", async () => {
    const ids = await Promise.all([1, 2, 3].map((i) => startOrchestration(base, "Sequence", [`L${i}`], `list-${i}`)));
    for (const id of ids) await waitForStatus(base, id);
    const first = await call(base, "GET", `${DT}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed&top=2`);
    expect(first.status).toBe(200);
    expect(first.json).toHaveLength(2);
    const token = first.headers.get("x-ms-continuation-token");
    expect(token).toBeTruthy();
    const second = await call(base, "GET", `${DT}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed&top=2`, undefined, {
      "x-ms-continuation-token": token as string,
    });
    expect([...first.json, ...second.json].map((s) => (s as { instanceId: string }).instanceId).sort()).toEqual([
      "list-1",
      "list-2",
      "list-3",
    ]);
    expect((await call(base, "GET", `${DT}/instances/?runtimeStatus=Bogus`)).status).toBe(400);
    const purged = await call(base, "DELETE", `${DT}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed`);
    expect(purged.json).toEqual({ instancesDeleted: 3 });
  });

  it("serves the unchanged DurableClient: startNew, createCheckStatusResponse, getStatus, raiseEvent, suspend/resume, terminate, purge, list", async () => {
    const started = await call(base, "POST", "/api/orchestrators/TwoEvents/client-1");
    expect(started.status).toBe(202);
    expect(started.headers.get("location")).toBe(`${base}${DT}/instances/client-1?taskHub=FixtureHub&connection=Storage`);
    expect(started.json).toMatchObject({
      id: "client-1",
      sendEventPostUri: expect.stringContaining("/instances/client-1/raiseEvent/{eventName}"),
    });
    await waitForStatus(base, "client-1", ["Running"]);
    expect((await call(base, "POST", "/api/client/suspend/client-1")).status).toBe(202);
    await waitForStatus(base, "client-1", ["Suspended"]);
    expect((await call(base, "POST", "/api/client/resume/client-1")).status).toBe(202);
    expect((await call(base, "POST", "/api/client/raise/client-1?name=A", 1)).status).toBe(202);
    expect((await call(base, "POST", "/api/client/raise/client-1?name=B", 2)).status).toBe(202);
    await waitForStatus(base, "client-1");
    expect((await call(base, "GET", "/api/client/status/client-1")).json).toMatchObject({ runtimeStatus: "Completed", output: [1, 2] });
    expect(await (await call(base, "GET", "/api/client/list/client-1")).json).toContain("client-1");
    expect((await call(base, "DELETE", "/api/client/purge/client-1")).json).toEqual({ instancesDeleted: 1 });

    await call(base, "POST", "/api/orchestrators/LongWait/client-2");
    await waitForStatus(base, "client-2", ["Running"]);
    await call(base, "POST", "/api/client/terminate/client-2");
    expect((await waitForStatus(base, "client-2")).output).toBe("stopped by test");
  });
});

describe("HTTP triggers", () => {
  it("routes with the prefix, optional and constrained parameters, methods and literal precedence", async () => {
    expect((await call(base, "GET", "/api/hello/Ada")).text).toBe("Hello, Ada");
    expect((await call(base, "GET", "/api/hello?name=Bob")).text).toBe("Hello, Bob");
    expect((await call(base, "GET", "/api/hello")).text).toBe("Hello, world");
    expect((await call(base, "POST", "/api/hello")).status).toBe(405);
    expect((await call(base, "GET", "/hello")).status).toBe(404);
    expect((await call(base, "GET", "/api/items/abc", undefined, { "x-functions-key": "secret-key" })).status).toBe(404);
    expect((await call(base, "GET", "/api/items/42", undefined, { "x-functions-key": "secret-key" })).json).toEqual({ id: 42 });
    expect((await call(base, "GET", "/api/items/special?code=secret-key")).json).toEqual({ special: true });
    expect((await call(base, "DELETE", "/api/items/42?code=secret-key")).status).toBe(204);
  });

  it("enforces function keys when configured, never on anonymous functions", async () => {
    expect((await call(base, "GET", "/api/items/1")).status).toBe(401);
    expect((await call(base, "GET", "/api/items/1?code=wrong")).status).toBe(401);
    expect((await call(base, "GET", "/api/hello")).status).toBe(200);
  });

  it("turns an unhandled handler exception into a bare 500", async () => {
    const r = await call(base, "POST", "/api/explode");
    expect(r.status).toBe(500);
    expect(r.text).toBe("");
  });
});

describe("queue trigger", () => {
  it("delivers base64 messages, retries failures with the dequeue count and moves them to the poison queue", async () => {
    const seen = () =>
      (globalThis as unknown as { fixtureQueueSeen: { message: { id: string }; dequeueCount: number }[] }).fixtureQueueSeen;
    const q = new QueueClient(h.azurite.connectionString, "work-items");
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    await q.sendMessage(b64({ id: "ok-1" }));
    await q.sendMessage(b64({ id: "bad-1", fail: true }));
    const poison = new QueueClient(h.azurite.connectionString, "work-items-poison");
    const until = Date.now() + 15_000;
    let poisoned: string[] = [];
    while (Date.now() < until) {
      if (await poison.exists()) {
        poisoned = (await poison.peekMessages({ numberOfMessages: 5 })).peekedMessageItems.map((m) =>
          Buffer.from(m.messageText, "base64").toString(),
        );
        if (poisoned.length) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(poisoned).toEqual([JSON.stringify({ id: "bad-1", fail: true })]);
    expect(
      seen()
        .filter((s) => s.message.id === "ok-1")
        .map((s) => s.dequeueCount),
    ).toEqual([1]);
    expect(
      seen()
        .filter((s) => s.message.id === "bad-1")
        .map((s) => s.dequeueCount),
    ).toEqual([1, 2, 3]);
    expect((await q.peekMessages()).peekedMessageItems).toHaveLength(0);
  });
});

/** node:http sends the path exactly as given; fetch() would normalise it first. */
function rawGet(path: string, method = "GET"): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"]), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("request targets the routes never see", () => {
  it("a malformed percent-encoding is a 400 problem, not a 500", async () => {
    for (const [method, path] of [
      ["GET", "/api/hello/%E0%A4%A"],
      ["DELETE", "/api/hello/%"],
      ["GET", "/api/hello/%E0%A4%A/audit"],
      ["GET", `${DT}/instances/%ZZ`],
    ]) {
      const res = await rawGet(path as string, method);
      expect(res.status, path).toBe(400);
      expect(res.contentType).toBe("application/problem+json");
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, title: "The path has a malformed percent-encoding" });
    }
  });

  it("encoded dot segments do not climb out of /api into the Durable management API", async () => {
    for (const path of [
      "/api/hello/%2e%2e/%2e%2e/runtime/webhooks/durabletask/instances",
      "/api/hello/%2E%2E/..%2f../runtime/webhooks/durabletask/instances",
      "/api/hello/../../runtime/webhooks/durabletask/instances",
      "/api/hello/..\\..\\runtime/webhooks/durabletask/instances",
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ title: "The path has a dot segment" });
    }
    // The API itself still answers on its own path.
    expect((await rawGet(`${DT}/instances`)).status).toBe(200);
  });
});
