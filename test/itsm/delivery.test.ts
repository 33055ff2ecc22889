import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adfText } from "../../src/itsm/jira/adf";
import { JiraClient } from "../../src/itsm/jira/client";
import { ServiceNowClient } from "../../src/itsm/servicenow/client";
import { ItsmRequestError } from "../../src/itsm/errors";
import { JIRA_SEED, SERVICENOW_SEED, startItsmEmulators, type RunningItsmEmulators } from "../../src/local/emulators/itsm";
import { deliverTicketNotes } from "../../src/requests/itsm/deliver";
import type { ItsmDeps } from "../../src/requests/itsm/deps";
import { listParkedNotes, redeliverParkedNotes } from "../../src/requests/itsm/parked";
import { createItsmStore, createStore, enqueueNotes, type ItsmStore } from "../../src/store";
import { useAzurite, uniqueTableName } from "../support/azurite";

/**
 * The ITSM clients (ServiceNow over fetch, Jira through jira.js) against the emulators on the wire,
 * and the outbox's delivery rounds over them with a real Azurite: order, retries, the marker check
 * after an ambiguous failure, parking and redelivery.
 */
const storage = useAzurite();
let emulators: RunningItsmEmulators;
let sn: ServiceNowClient;
let jira: JiraClient;
const change = {
  system: "servicenow" as const,
  table: "change_request" as const,
  id: SERVICENOW_SEED.change.sys_id,
  number: SERVICENOW_SEED.change.number,
};
const issue = { system: "jira" as const, id: "10001", number: JIRA_SEED.issue.key };
const transitions = { provision: { succeeded: "Complete", failed: "Fail" }, decommission: { succeeded: "Close" } };

beforeAll(async () => {
  emulators = await startItsmEmulators({ seed: false });
});
afterAll(async () => {
  await emulators?.close();
});
beforeEach(() => {
  emulators.servicenow.reset();
  emulators.jira.reset();
  emulators.servicenow.insert("change_request", { ...SERVICENOW_SEED.change });
  emulators.jira.createIssue(structuredClone({ ...JIRA_SEED.issue, status: "Implementing" }));
  sn = new ServiceNowClient({
    instanceUrl: emulators.servicenow.url,
    auth: { kind: "oauth", clientId: "local-emulator-client", clientSecret: "local-emulator-client-secret" },
    timeoutMs: 2_000,
  });
  jira = new JiraClient({
    baseUrl: emulators.jira.url,
    email: "interconnect-bot@example.com",
    apiToken: "local-emulator-jira-token",
    transitions,
    timeoutMs: 2_000,
  });
});

describe("ServiceNow client", () => {
  it("writes work notes (journal rows), finds them by marker, and walks a change to Review, then Closed", async () => {
    await sn.deliver(change, { text: "hello", marker: "[interconnect-note aaa]" }, { maybeDelivered: false });
    expect(emulators.servicenow.journal(change.id).map((r) => r.value)).toEqual(["hello\n\n[interconnect-note aaa]"]);
    // maybeDelivered: found by its marker, not written twice.
    await sn.deliver(change, { text: "hello", marker: "[interconnect-note aaa]" }, { maybeDelivered: true });
    expect(emulators.servicenow.journal(change.id)).toHaveLength(1);
    // Assess (-4) -> Authorize -> Scheduled -> Implement -> Review: the business rule refuses skipped states.
    await sn.deliver(
      change,
      { text: "done", marker: "[interconnect-note bbb]", close: { action: "provision", outcome: "succeeded" } },
      { maybeDelivered: false },
    );
    expect(emulators.servicenow.record("change_request", change.id)).toMatchObject({
      state: "0",
      close_code: "successful",
      close_notes: "done",
    });
    await sn.deliver(
      change,
      { text: "gone", marker: "[interconnect-note ccc]", close: { action: "decommission", outcome: "succeeded" } },
      { maybeDelivered: false },
    );
    expect(emulators.servicenow.record("change_request", change.id)?.state).toBe("3");
  });

  it("classifies failures: down and 429 are retryable (with Retry-After), a missing record is not, bad credentials name the setting", async () => {
    emulators.servicenow.faults.set({ down: true });
    await expect(sn.deliver(change, { text: "x", marker: "m" }, { maybeDelivered: false })).rejects.toMatchObject({ retryable: true });
    emulators.servicenow.faults.set({ throttle: { count: 1, retryAfterSeconds: 7 } });
    await expect(sn.deliver(change, { text: "x", marker: "m" }, { maybeDelivered: false })).rejects.toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 7000,
    });
    emulators.servicenow.faults.set({});
    await expect(
      sn.deliver({ ...change, id: "0".repeat(32) }, { text: "x", marker: "m" }, { maybeDelivered: false }),
    ).rejects.toMatchObject({ retryable: false, status: 404 });
    const wrong = new ServiceNowClient({
      instanceUrl: emulators.servicenow.url,
      auth: { kind: "oauth", clientId: "local-emulator-client", clientSecret: "wrong-secret" },
    });
    const err = await wrong.deliver(change, { text: "x", marker: "m" }, { maybeDelivered: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ItsmRequestError);
    expect((err as Error).message).toContain("SERVICENOW_CLIENT_ID/SECRET");
    expect((err as Error).message).not.toContain("wrong-secret");
  });
});

describe("Jira client (jira.js)", () => {
  it("comments in ADF, transitions by the mapped name, and does not comment twice on a retry", async () => {
    await jira.deliver(
      issue,
      { text: "line one\nline two", marker: "[interconnect-note j1]", close: { action: "provision", outcome: "succeeded" } },
      { maybeDelivered: false },
    );
    const stored = emulators.jira.issue("NET-1");
    expect(stored?.status).toBe("Done");
    expect(stored?.comments).toHaveLength(1);
    expect(adfText(stored?.comments[0]?.body)).toBe("line one\nline two\n\n[interconnect-note j1]");
    await jira.deliver(
      issue,
      { text: "line one\nline two", marker: "[interconnect-note j1]", close: { action: "provision", outcome: "succeeded" } },
      { maybeDelivered: true },
    );
    expect(emulators.jira.issue("NET-1")?.comments).toHaveLength(1);
  });

  it("fails for good on a transition the workflow does not offer, naming the available ones", async () => {
    const err = await jira
      .deliver(issue, { text: "x", marker: "m", close: { action: "decommission", outcome: "succeeded" } }, { maybeDelivered: false })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toMatch(/no transition "Close" from status "Implementing" \(available: .*Complete/);
    const wrongToken = new JiraClient({
      baseUrl: emulators.jira.url,
      email: "interconnect-bot@example.com",
      apiToken: "nope",
      transitions,
    });
    await expect(wrongToken.deliver(issue, { text: "x", marker: "m" }, { maybeDelivered: false })).rejects.toMatchObject({
      status: 401,
      retryable: true,
    });
  });
});

describe("outbox delivery", () => {
  let itsm: ItsmStore;
  let deps: ItsmDeps;
  const kicks: number[] = [];
  let clockMs = Date.now();
  /** Past any scheduled retry: a delivery round as the delayed kick would start it. */
  const later = () => void (clockMs += 10_000);

  beforeEach(() => {
    kicks.length = 0;
    const target = { connectionString: storage.connectionString };
    const tables = { tables: target, queues: target };
    const store = createItsmStore(tables, uniqueTableName("itsm"));
    // The queue is the boundary here: delivery rounds are driven by the test.
    itsm = { ...store, queue: { kick: async (_key, delay = 0) => void kicks.push(delay) } };
    deps = {
      itsm,
      store: createStore(target, { interconnects: uniqueTableName("ic"), audit: uniqueTableName("audit") }),
      itsmSettings: { table: "x", outbox: { maxAttempts: 3, firstRetrySeconds: 1, maxRetrySeconds: 4 }, watchIntervalSeconds: 60 },
      channels: { servicenow: sn, jira },
      now: () => new Date(clockMs),
    } as unknown as ItsmDeps;
  });

  it("delivers in order, retries with backoff while the instance is down, parks after the last attempt, and redelivers once fixed, without duplicates", async () => {
    const key = `servicenow-${change.id}`;
    await itsm.tickets.remember(change);
    await enqueueNotes(itsm, key, [
      { id: "n1", text: "first", interconnect: "erp-prod" },
      { id: "n2", text: "second", interconnect: "erp-prod" },
    ]);
    // Appending the same note again (a retried activity) adds nothing.
    expect(await itsm.outbox.append(key, [{ id: "n1", text: "first" }])).toEqual([]);

    emulators.servicenow.faults.set({ down: true });
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 0, retryInSeconds: 1 });
    // A kick that comes before the scheduled retry (a new note) does not start a second retry chain.
    const before = kicks.length;
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 0 });
    expect(kicks.length).toBe(before);
    later();
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 0, retryInSeconds: 2 });
    later();
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 0, parked: true });
    expect(kicks.slice(-2)).toEqual([1, 2]);
    const parked = await listParkedNotes(deps);
    expect(parked).toMatchObject([
      { ticketKey: key, ticket: { system: "servicenow", number: change.number }, sequence: 1, noteId: "n1", attempts: 3 },
    ]);
    expect(parked[0]?.lastError).toMatch(/timed out|request failed/);

    // The last attempt did land (an answer lost after the write): redelivery finds it and sends only the rest.
    emulators.servicenow.faults.set({});
    await sn.deliver(change, { text: "first", marker: (await itsm.outbox.list(key))[0]?.marker as string }, { maybeDelivered: false });
    expect(await redeliverParkedNotes(deps, key, "ops@example.com")).toEqual({ ticketKey: key, redelivered: 1 });
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 2 });
    expect(emulators.servicenow.journal(change.id).map((r) => String(r.value).split("\n")[0])).toEqual(["first", "second"]);
    expect(await listParkedNotes(deps)).toEqual([]);

    const audit = (await deps.store.audit.list("erp-prod")).items.map((r) => `${r.step}:${r.phase}`);
    expect(audit).toEqual(["itsm-note:retrying", "itsm-note:retrying", "itsm-note:failed", "itsm-note:succeeded", "itsm-note:succeeded"]);
  });

  it("does not double a note whose answer was lost, and parks at once what the ticket system refuses for good", async () => {
    const key = `servicenow-${change.id}`;
    await itsm.tickets.remember(change);
    await enqueueNotes(itsm, key, [{ id: "a", text: "only once" }]);
    emulators.servicenow.faults.set({ ambiguousWrites: 1 });
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 0, retryInSeconds: 1 });
    later();
    expect(await deliverTicketNotes(deps, key)).toMatchObject({ delivered: 1 });
    expect(emulators.servicenow.journal(change.id)).toHaveLength(1);

    const gone = { ...change, id: "1".repeat(32) };
    await itsm.tickets.remember(gone);
    await enqueueNotes(itsm, `servicenow-${gone.id}`, [{ id: "b", text: "to nowhere" }]);
    expect(await deliverTicketNotes(deps, `servicenow-${gone.id}`)).toMatchObject({ parked: true });
    expect((await listParkedNotes(deps))[0]?.lastError).toMatch(/404/);
  });
});
