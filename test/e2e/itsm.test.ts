import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JIRA_SEED, SERVICENOW_SEED } from "../../src/local/emulators/itsm";
import { E2eStack, type Json } from "./support/stack";

/**
 * The ticket round trip on the real host, both ITSM emulators on the wire: signed events in, notes
 * and closures out through the outbox. One stack for all scenarios; each it() builds on the last.
 */
const SN_SECRET = "e2e-servicenow-webhook-secret-7f3a";
const JIRA_SECRET = "e2e-jira-webhook-secret-91c2e4";
const FIELD_MAP = readFileSync(path.resolve(__dirname, "../../integrations/jira/field-map.example.json"), "utf8");
const SECRETS = [SN_SECRET, JIRA_SECRET, "local-emulator-client-secret", "local-emulator-jira-token"];

let stack: E2eStack;
const change = SERVICENOW_SEED.change;

beforeAll(async () => {
  stack = await E2eStack.start({
    itsm: true,
    settings: {
      SERVICENOW_WEBHOOK_SECRET: SN_SECRET,
      SERVICENOW_CLIENT_ID: "local-emulator-client",
      SERVICENOW_CLIENT_SECRET: "local-emulator-client-secret",
      JIRA_WEBHOOK_SECRET: JIRA_SECRET,
      JIRA_EMAIL: "interconnect-bot@example.com",
      JIRA_API_TOKEN: "local-emulator-jira-token",
      JIRA_FIELD_MAP: FIELD_MAP,
      ITSM_OUTBOX_FIRST_RETRY_SECONDS: "1",
      ITSM_OUTBOX_MAX_RETRY_SECONDS: "2",
      ITSM_OUTBOX_MAX_ATTEMPTS: "200",
      // Workflow time: at x1000 a look every 0.3 real seconds.
      ITSM_WATCH_INTERVAL_SECONDS: "300",
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

function itsm() {
  if (!stack.itsm) throw new Error("the stack runs without ITSM emulators");
  return stack.itsm;
}

function signedHeaders(secret: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-itsm-timestamp": String(ts),
    "x-itsm-signature": `sha256=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`,
  };
}

function snEvent(action: string, variables: Record<string, string> = SERVICENOW_SEED.variables): string {
  return JSON.stringify({
    table: "change_request",
    sys_id: change.sys_id,
    number: change.number,
    state: "-1",
    action,
    requested_by: "network-ops@example.com",
    variables,
  });
}

async function post(route: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Json }> {
  return stack.api("POST", route, body, headers);
}

function workNotes(): string[] {
  return itsm()
    .servicenow.journal(change.sys_id)
    .map((r) => r.value as string);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; host log: ${stack.logDir}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function tableRows(name: string): Promise<Json[]> {
  const table = TableClient.fromConnectionString(stack.azurite.connectionString, name, { allowInsecureConnection: true });
  const rows: Json[] = [];
  for await (const row of table.listEntities()) rows.push(row);
  return rows;
}

const itsmAuditRows = () => tableRows("interconnectaudit");

describe("ITSM round trip (e2e)", () => {
  it("refuses a missing, wrong or stale signature with 401 and an audit row, and starts nothing", async () => {
    const body = snEvent("provision");
    expect((await post("itsm/servicenow/events", body, { "content-type": "application/json" })).status).toBe(401);
    expect((await post("itsm/servicenow/events", body, signedHeaders("not-the-secret-at-all", body))).status).toBe(401);
    const stale = await post("itsm/servicenow/events", body, signedHeaders(SN_SECRET, body, Math.floor(Date.now() / 1000) - 400));
    expect(stale.status).toBe(401);
    expect(stale.json.detail).toMatch(/x-itsm-timestamp is \d+ s away/);
    // The body is signed as sent: one changed byte is a bad signature.
    expect((await post("itsm/servicenow/events", body.replace("provision", "decommission"), signedHeaders(SN_SECRET, body))).status).toBe(
      401,
    );
    const refused = (await itsmAuditRows()).filter((r) => r.step === "itsm-signature");
    expect(refused).toHaveLength(4);
    expect(JSON.stringify(refused)).not.toContain("rg-erp-network");
    expect((await stack.api("GET", "interconnects")).json.items).toEqual([]);
    expect(workNotes()).toEqual([]);
  });

  it("rejects invalid variables with 400 naming each variable, and tells the ticket", async () => {
    const { oci_vcn_ocid: _omitted, ...rest } = SERVICENOW_SEED.variables;
    const body = snEvent("provision", { ...rest, bandwidth_gbps: "3" });
    const res = await post("itsm/servicenow/events", body, signedHeaders(SN_SECRET, body));
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: Json) => e.path).sort()).toEqual(["variables.bandwidth_gbps", "variables.oci_vcn_ocid"]);
    const note = await until("the rejection note", () => workNotes().find((n) => n.includes("variables.bandwidth_gbps")));
    expect(note).toContain("variables.oci_vcn_ocid");
    expect(note).toContain("nothing was started");
    expect((await stack.api("GET", "interconnects")).json.items).toEqual([]);
  });

  it("provisions from a ServiceNow ticket while the instance is down and the host is killed; notes arrive once, in order, and the change goes to Review", async () => {
    itsm().servicenow.faults.set({ down: true });
    const before = workNotes().length;
    const body = snEvent("provision");
    const started = Date.now();
    const res = await post("itsm/servicenow/events", body, signedHeaders(SN_SECRET, body));
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      outcome: "started",
      ticket: change.number,
      action: "provision",
      interconnect: "erp-prod",
      operation: "provision-erp-prod-1",
    });
    // Redelivered: the same operation, nothing new.
    const again = await post("itsm/servicenow/events", body, signedHeaders(SN_SECRET, body));
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ outcome: "existing", operation: "provision-erp-prod-1" });
    // The same ticket asking for another interconnect: 409, and a note saying so (queued behind the others).
    const other = snEvent("provision", { ...SERVICENOW_SEED.variables, interconnect_name: "erp-other" });
    const conflict = await post("itsm/servicenow/events", other, signedHeaders(SN_SECRET, other));
    expect(conflict.status).toBe(409);

    await stack.waitForRecord("erp-prod", (r) => r.state === "active", 60_000);
    const provisioningMs = Date.now() - started;
    // The instance being down cost the cloud work nothing: the usual seconds at x1000 (generous: a loaded 2-core machine).
    expect(provisioningMs).toBeLessThan(60_000);
    expect(workNotes().length).toBe(before);

    // The host dies with every note still in the outbox; a new one delivers them.
    await until("the last note queued", async () =>
      (await tableRows("itsmtickets")).some((r) => String(r.text ?? "").includes("is active") && r.status === "pending") ? true : undefined,
    );
    await stack.killHost();
    await stack.startHost();
    // The first write after recovery lands but its answer is lost: the retry must find it, not repeat it.
    itsm().servicenow.faults.set({ ambiguousWrites: 1 });
    const notes = await until("the notes after recovery", () => {
      const n = workNotes().slice(before);
      return n.some((t) => t.includes("is active")) ? n : undefined;
    });
    const markers = notes.map((n) => /\[interconnect-note [0-9a-f]+\]/.exec(n)?.[0]);
    expect(new Set(markers).size).toBe(markers.length);
    const index = (text: string) => notes.findIndex((n) => n.includes(text));
    expect(index("provisioning accepted")).toBe(0);
    expect(index("pre-flight passed")).toBeGreaterThan(index("provisioning accepted"));
    expect(index("circuit created")).toBeGreaterThan(index("pre-flight passed"));
    expect(index("is active")).toBeGreaterThan(index("circuit created"));
    expect(notes.some((n) => n.includes("already acts on interconnect"))).toBe(true);
    const active = notes[index("is active")] as string;
    expect(active).toMatch(/service key: [0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}/);
    expect(active).toContain("192.168.100.1/30");
    const record = itsm().servicenow.record("change_request", change.sys_id);
    expect(record).toMatchObject({ state: "0", close_code: "successful" });
  }, 120_000);

  it("decommissions from the same ticket and closes the change", async () => {
    const body = snEvent("decommission", { interconnect_name: "erp-prod" });
    const res = await post("itsm/servicenow/events", body, signedHeaders(SN_SECRET, body));
    expect(res.status).toBe(202);
    expect(res.json.operation).toBe("teardown-erp-prod-2");
    await stack.waitForRecord("erp-prod", (r) => r.state === "deleted", 60_000);
    await until("the change closed", () => (itsm().servicenow.record("change_request", change.sys_id)?.state === "3" ? true : undefined));
    expect(workNotes().some((n) => n.includes("is torn down"))).toBe(true);
  }, 90_000);

  it("runs a Jira issue through plan, provision and decommission, with comments and transitions", async () => {
    const jira = itsm().jira;
    const key = JIRA_SEED.issue.key;
    const send = async (status: string, hub = false) => {
      await fetch(`${jira.url}/admin/issues/${key}/status`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ status }),
      });
      const issue = { id: jira.issue(key)?.id, key, fields: { ...JIRA_SEED.issue.fields, status: { name: status } } };
      const body = JSON.stringify({ timestamp: Date.now(), webhookEvent: "jira:issue_updated", issue });
      const headers = hub
        ? {
            "content-type": "application/json",
            "x-hub-signature": `sha256=${createHmac("sha256", JIRA_SECRET).update(body).digest("hex")}`,
          }
        : signedHeaders(JIRA_SECRET, body);
      return post("itsm/jira/events", body, headers);
    };
    const comments = () => (jira.issue(key)?.comments ?? []).map((c) => JSON.stringify(c.body));

    const plan = await send("Plan review", true);
    expect(plan.status).toBe(202);
    const planNote = await until("the plan comment", () => comments().find((c) => c.includes("Pre-flight plan for interconnect erp-prod")));
    expect(planNote).toContain("create azure circuit erc-erp-prod");
    expect(planNote).toContain("Expected duration");

    expect((await send("Implementing")).status).toBe(202);
    await until("Done", () => (jira.issue(key)?.status === "Done" ? true : undefined));
    expect(comments().some((c) => c.includes("is active"))).toBe(true);

    expect((await send("Decommissioning")).status).toBe(202);
    await until("Closed", () => (jira.issue(key)?.status === "Closed" ? true : undefined), 60_000);
    expect(comments().some((c) => c.includes("is torn down"))).toBe(true);
    // A status that asks for nothing is acknowledged and ignored.
    const ignored = await send("Closed");
    expect(ignored.json.outcome).toBe("ignored");
  }, 120_000);

  it("keeps every secret out of the logs, the audit, the notes and the orchestration history", async () => {
    const clouds = await stack.admin("GET", "state");
    const serviceKeys = [...JSON.stringify(clouds).matchAll(/"serviceKey":"([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
    // Every table: the task hub's instances and history, the records, the audit, the ITSM outbox.
    const tables: string[] = [];
    for await (const t of TableServiceClient.fromConnectionString(stack.azurite.connectionString, {
      allowInsecureConnection: true,
    }).listTables())
      tables.push(String(t.name));
    const dump: string[] = [];
    for (const name of tables) for (const row of await tableRows(name)) dump.push(JSON.stringify(row));
    const logs = readdirSync(stack.logDir).map((f) => readFileSync(path.join(stack.logDir, f), "utf8"));
    const notes = JSON.stringify([itsm().servicenow.snapshot(), itsm().jira.snapshot()]);
    const everything = [dump.join("\n"), logs.join("\n"), notes].join("\n");
    expect(dump.some((r) => r.includes("itsmTicketWatch"))).toBe(true);
    for (const secret of [...SECRETS, ...serviceKeys]) expect(everything).not.toContain(secret);
  }, 60_000);

  it("answers 404 on a route whose integration has no secret", async () => {
    await stack.restartHost({ JIRA_WEBHOOK_SECRET: "" });
    const body = JSON.stringify({ issue: { id: "1", key: "NET-1", fields: { status: { name: "Implementing" } } } });
    const res = await post("itsm/jira/events", body, signedHeaders(JIRA_SECRET, body));
    expect(res.status).toBe(404);
    expect((await post("itsm/servicenow/events", "{}", { "content-type": "application/json" })).status).toBe(401);
  }, 60_000);
});
