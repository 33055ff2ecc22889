import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SERVICENOW_SEED } from "../../src/local/emulators/itsm";
import { E2eStack, type Json } from "./support/stack";

/**
 * Health transitions of an interconnect a ServiceNow ticket provisioned: each one is a work note on that
 * change, through the outbox, exactly once, with the real ServiceNow client against the emulator. At
 * x300 the 30-minute route cadence is six real seconds. With ITSM_INCIDENT_ON_DOWN a transition to down
 * also opens one ServiceNow incident.
 */
const SN_SECRET = "e2e-servicenow-webhook-secret-health";
const CLIENT_SECRET = "local-emulator-client-secret";
const CADENCE_MS = 6_000;
const change = SERVICENOW_SEED.change;
let stack: E2eStack;

beforeAll(async () => {
  stack = await E2eStack.start({
    itsm: true,
    speed: 300,
    settings: {
      SERVICENOW_WEBHOOK_SECRET: SN_SECRET,
      SERVICENOW_CLIENT_ID: "local-emulator-client",
      SERVICENOW_CLIENT_SECRET: CLIENT_SECRET,
      ITSM_OUTBOX_FIRST_RETRY_SECONDS: "1",
      ITSM_OUTBOX_MAX_RETRY_SECONDS: "2",
      ITSM_WATCH_INTERVAL_SECONDS: "60",
      HEALTH_CONTROL_PLANE_MINUTES: "5",
      HEALTH_ROUTES_MINUTES: "30",
      ITSM_INCIDENT_ON_DOWN: "true",
    },
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

function healthNotes(): string[] {
  if (!stack.itsm) throw new Error("the stack runs without ITSM emulators");
  return stack.itsm.servicenow
    .journal(change.sys_id)
    .map((r) => r.value as string)
    .filter((n) => n.includes(": health "));
}

function incidents(): Record<string, unknown>[] {
  const state = stack.itsm?.servicenow.snapshot() as { records: { incident: Record<string, unknown>[] } };
  return state.records.incident;
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 4 * CADENCE_MS + 40_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; host log: ${stack.logDir}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const health = async (): Promise<Json> => (await stack.api("GET", "interconnects/erp-prod/health")).json;
const transitions = async (): Promise<Json[]> =>
  ((await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[]).filter(
    (r) => r.step === "health" && r.operation === "watch",
  );

it("notes each health transition on the change that provisioned the interconnect, once, with no secret; a transition to down opens one incident", async () => {
  const body = JSON.stringify({
    table: "change_request",
    sys_id: change.sys_id,
    number: change.number,
    state: "-1",
    action: "provision",
    requested_by: "network-ops@example.com",
    variables: SERVICENOW_SEED.variables,
  });
  const ts = Math.floor(Date.now() / 1000);
  const signature = `sha256=${createHmac("sha256", SN_SECRET).update(`${ts}.${body}`).digest("hex")}`;
  const res = await stack.api("POST", "itsm/servicenow/events", body, {
    "content-type": "application/json",
    "x-itsm-timestamp": String(ts),
    "x-itsm-signature": signature,
  });
  expect(res.status).toBe(202);
  const record = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(record.state).toBe("active");

  // The first check: unknown → healthy, one note.
  const first = await until("the first health note", () => healthNotes().find((n) => n.includes("health unknown -> healthy")));
  expect(first).toContain("No findings");

  // One path down: degraded, a note naming the finding and what to do.
  await stack.admin("POST", "incidents", { kind: "pathDown", virtualCircuitId: record.resources.virtualCircuitId, path: "secondary" });
  const degraded = await until("the degraded note", () => healthNotes().find((n) => n.includes("health healthy -> degraded")));
  expect(degraded).toContain("New: path-down secondary");
  expect(degraded).toContain("- path-down secondary (warning): Traffic continues on the other path.");

  // Back up: healthy again, a note saying what cleared.
  await stack.admin("POST", "incidents", { kind: "pathUp", virtualCircuitId: record.resources.virtualCircuitId, path: "secondary" });
  const healed = await until("the recovery note", () => healthNotes().find((n) => n.includes("health degraded -> healthy")));
  expect(healed).toContain("Cleared: path-down secondary");
  expect((await health()).status).toBe("healthy");
  expect(incidents()).toEqual([]);

  // A route rule removed behind the service's back: down, a note, and one incident (ITSM_INCIDENT_ON_DOWN).
  await stack.admin("POST", "incidents", {
    kind: "routeRuleRemoved",
    routeTableId: record.resources.routeTableId,
    destination: "10.10.0.0/16",
  });
  const down = await until("the down note", () => healthNotes().find((n) => n.includes("health healthy -> down")));
  const [incident] = await until("the incident", () => (incidents().length ? incidents() : undefined));
  expect(incident).toMatchObject({
    short_description: "Interconnect erp-prod is down (route-rule-missing)",
    category: "network",
    urgency: "1",
  });
  expect(String(incident?.description)).toContain("- route-rule-missing 10.10.0.0/16 (critical)");
  expect(down).toContain(`Incident ${String(incident?.number)} opened.`);

  // Quiet checks add nothing; every transition row has exactly one note, in order, and there is one incident.
  await new Promise((r) => setTimeout(r, 2 * CADENCE_MS));
  const rows = await transitions();
  expect(rows.map((r) => `${r.details.from ?? "unknown"} -> ${r.details.to}`)).toEqual([
    "unknown -> healthy",
    "healthy -> degraded",
    "degraded -> healthy",
    "healthy -> down",
  ]);
  const notes = healthNotes();
  expect(notes.map((n) => /health (\S+ -> \S+)/.exec(n)?.[1])).toEqual([
    "unknown -> healthy",
    "healthy -> degraded",
    "degraded -> healthy",
    "healthy -> down",
  ]);
  expect(incidents()).toHaveLength(1);
  for (const note of notes) {
    expect(note).not.toContain(SN_SECRET);
    expect(note).not.toContain(CLIENT_SECRET);
    expect(note).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![-*])/i);
  }
  // Each delivery is in the interconnect's audit trail.
  const delivered = ((await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[]).filter(
    (r) => r.step === "itsm-note" && r.phase === "succeeded",
  );
  expect(delivered.length).toBeGreaterThanOrEqual(4);
}, 300_000);
