import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { counts, inventory, NOTHING } from "./support/inventory";
import { spec } from "./support/specs";
import { findingCodes, ROUTE_CADENCE_MS, useHealthWatchStack } from "./support/health-watch";
import type { Json } from "./support/stack";

/**
 * The health watch on the whole local stack, failures injected on the wire (the emulators' admin
 * incidents) and everything observed over HTTP: the health endpoint, the audit trail, the host's log.
 * One interconnect, one run; each phase leaves what the next expects (cadences: HEALTH_WATCH_STACK).
 */
const { stack, health, healthUntil } = useHealthWatchStack();

async function transitions(): Promise<Json[]> {
  const items = (await stack().api("GET", "interconnects/erp-prod/audit?top=500&order=asc")).json.items as Json[];
  return items.filter((r) => r.step === "health" && r.operation === "watch");
}

function hostLog(): string {
  return readdirSync(stack().logDir)
    .filter((f) => f.startsWith("host-"))
    .sort()
    .map((f) => readFileSync(path.join(stack().logDir, f), "utf8"))
    .join("\n");
}

async function watches(): Promise<Json[]> {
  const res = await fetch(`${stack().url}/runtime/webhooks/durabletask/instances?runtimeStatus=Running,Pending&showInput=false`);
  return ((await res.json()) as Json[]).filter((i) => i.name === "healthWatch");
}

it("watches an interconnect from activation, reports failures within a cadence, repairs what it owns, survives kill -9, stops on teardown", async () => {
  const vcId = async () => (await stack().api("GET", "interconnects/erp-prod")).json.resources.virtualCircuitId as string;
  expect((await stack().api("POST", "interconnects", spec())).status).toBe(202);
  const record = await stack().waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 120_000);
  expect(record.state).toBe("active");

  // 1. Started with the activation, healthy after its first check (control plane and routes).
  const first = await healthUntil("the first check", (h) => h.status !== null);
  expect(first).toMatchObject({ status: "healthy", findings: [], watch: { instanceId: "health-erp-prod", runtimeStatus: "Running" } });
  expect((await stack().api("GET", "interconnects")).json.items[0]).toMatchObject({
    name: "erp-prod",
    health: { status: "healthy", findings: 0 },
  });

  // 2. One path down: BGP stays UP on the virtual circuit, the per-path check sees it. Degraded, alert-only.
  await stack().admin("POST", "incidents", { kind: "pathDown", virtualCircuitId: await vcId(), path: "secondary" });
  const degraded = await healthUntil("the secondary path down", (h) => h.status === "degraded");
  expect(degraded.findings).toMatchObject([
    { code: "path-down", subject: "secondary", severity: "warning", remedy: "alert-only", since: expect.any(String) },
  ]);

  // 3. A route rule removed behind the service's back (a neighbour's teardown) with AUTO_REPAIR off: down, named, the exact rule given.
  const routeTableId = record.resources.routeTableId as string;
  const drgId = record.resources.drgId as string;
  await stack().admin("POST", "incidents", { kind: "routeRuleRemoved", routeTableId, destination: "10.10.0.0/16" });
  const down = await healthUntil("the route rule missing", (h) => h.status === "down");
  expect(findingCodes(down)).toEqual(["path-down:secondary", "route-rule-missing:10.10.0.0/16"]);
  expect(down.findings.find((f: Json) => f.code === "route-rule-missing")).toMatchObject({
    severity: "critical",
    remedy: "auto-repair",
    expected: `10.10.0.0/16 → ${drgId}`,
    action: expect.stringContaining(`networkEntityId ${drgId} to route table ${routeTableId}`),
  });
  // Nothing repaired while AUTO_REPAIR is off, on the next checks either.
  await new Promise((r) => setTimeout(r, ROUTE_CADENCE_MS));
  expect((await health()).status).toBe("down");
  expect(inventory(await stack().admin("GET", "state")).routeRules).toHaveLength(0);

  // Audit rows on transitions only (healthy, degraded, down; none for the checks in between); an alert event each.
  expect((await transitions()).map((r) => r.details.to)).toEqual(["healthy", "degraded", "down"]);
  const events = hostLog()
    .split("\n")
    .filter((l) => l.includes("InterconnectHealthChanged {"));
  expect(events.map((l) => JSON.parse(l.slice(l.indexOf("{"), l.lastIndexOf("}") + 1)).to)).toEqual(["healthy", "degraded", "down"]);

  // 4. kill -9, restart with AUTO_REPAIR on: still one watch; it re-adds its own rule (audited) and, the path back, health recovers.
  await stack().killHost();
  await stack().restartHost({ AUTO_REPAIR: "true" });
  await stack().admin("POST", "incidents", { kind: "pathUp", virtualCircuitId: await vcId(), path: "secondary" });
  const healed = await healthUntil("recovery to healthy", (h) => h.status === "healthy", 4 * ROUTE_CADENCE_MS + 20_000);
  expect(healed.findings).toEqual([]);
  expect(await watches()).toHaveLength(1);
  const rows = (await stack().api("GET", "interconnects/erp-prod/audit?top=500&order=asc")).json.items as Json[];
  // Re-added (an activity redelivered after the kill may run twice: the merge makes the second a no-op), once in the table.
  expect(
    rows.filter((r) => r.step === "ociEnsureRouteRules" && r.operation === "watch" && r.phase === "succeeded").length,
  ).toBeGreaterThanOrEqual(1);
  expect(inventory(await stack().admin("GET", "state")).routeRules.filter((r) => r.destination === "10.10.0.0/16")).toHaveLength(1);
  // The repair may land a check before the path is back: then "down" is written again with the route
  // finding cleared (a transition of findings, not of status). Either way the statuses run as below.
  const moves = await transitions();
  for (const same of moves.filter((r) => r.details.from === r.details.to))
    expect(`${same.details.raised}${same.details.cleared}`).not.toBe("");
  expect(moves.map((r) => r.details.to).filter((to, i, all) => i === 0 || to !== all[i - 1])).toEqual([
    "healthy",
    "degraded",
    "down",
    "healthy",
  ]);

  // 5. Teardown stops the watch before removing anything; the interconnect goes, the watch is not running.
  const del = await stack().api("DELETE", "interconnects/erp-prod?reason=e2e");
  expect(del.status).toBe(202);
  await stack().waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed", 120_000);
  expect((await stack().api("GET", "interconnects/erp-prod")).json.state).toBe("deleted");
  expect(await watches()).toHaveLength(0);
  expect((await health()).watch.runtimeStatus).toBe("Completed");
  expect(counts(inventory(await stack().admin("GET", "state")))).toEqual(NOTHING);
}, 300_000);
