import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/errors";
import { AuditLog, MAX_AUDIT_MESSAGE_CHARS, type AuditEntryInput } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";
import { PEM_KEY, SERVICE_KEY } from "./fixtures";

const storage = useAzurite();

function auditLog(table: string, now?: () => Date): AuditLog {
  return new AuditLog({ connectionString: storage.connectionString }, table, now ? { now } : {});
}

const base: AuditEntryInput = {
  interconnect: "erp-prod",
  step: "createCircuit",
  phase: "started",
  actor: "alice@example.com",
  ticketRef: "CHG0012345",
  instanceId: "provision-erp-prod-1",
  operation: "provision",
};

async function rawRows(table: string): Promise<Record<string, unknown>[]> {
  const client = TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: true });
  const rows: Record<string, unknown>[] = [];
  for await (const row of client.listEntities()) rows.push(row);
  return rows;
}

describe("AuditLog (real Azurite)", () => {
  it("records every field and reads it back", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table, () => new Date("2025-03-01T10:00:00.000Z"));
    const written = await log.append({
      ...base,
      phase: "succeeded",
      cloudRequestIds: ["a1b2c3d4-0000-4000-8000-000000000001"],
      durationMs: 61_000,
      message: "Circuit created",
      details: { circuitId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-erp-prod" },
    });
    expect(written.at).toBe("2025-03-01T10:00:00.000Z");
    expect(written.id.startsWith("2025-03-01T10:00:00.000Z-")).toBe(true);
    const { items } = await log.list("erp-prod");
    expect(items).toEqual([written]);
    expect(written).toMatchObject({
      actor: "alice@example.com",
      ticketRef: "CHG0012345",
      instanceId: "provision-erp-prod-1",
      durationMs: 61_000,
    });
  });

  it("keeps chronological order across many appends within the same millisecond, and pages in that order", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table, () => new Date("2025-03-01T10:00:00.000Z"));
    const written = [];
    for (let i = 0; i < 25; i++) written.push(await log.append({ ...base, step: `step-${i}`, phase: "info" }));
    const ids = written.map((e) => e.id);
    expect(new Set(ids).size).toBe(25);

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await log.list("erp-prod", { top: 10, ...(token ? { continuationToken: token } : {}) });
      seen.push(...page.items.map((e) => e.step));
      token = page.continuationToken;
    } while (token);
    expect(seen).toEqual(written.map((e) => e.step));

    // Newest first: the same rows backwards, page after page, each page full until the last.
    const newest: string[][] = [];
    token = undefined;
    do {
      const page = await log.list("erp-prod", { top: 10, order: "desc", ...(token ? { continuationToken: token } : {}) });
      newest.push(page.items.map((e) => e.step));
      token = page.continuationToken;
    } while (token);
    expect(newest.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(newest.flat()).toEqual(written.map((e) => e.step).reverse());
    // Exactly one page: no token pointing at an empty page.
    expect((await log.list("erp-prod", { top: 25, order: "desc" })).continuationToken).toBeUndefined();
    const foreign = Buffer.from(JSON.stringify({ nextPartitionKey: "other-net", nextRowKey: ids[3] })).toString("base64");
    await expect(log.list("erp-prod", { order: "desc", continuationToken: foreign })).rejects.toBeInstanceOf(ValidationError);
  });

  it("stays ordered when the clock steps backwards and keeps other interconnects' trails apart", async () => {
    const table = uniqueTableName("audit");
    const times = ["2025-03-01T10:00:05.000Z", "2025-03-01T10:00:01.000Z", "2025-03-01T10:00:09.000Z"];
    let i = 0;
    const log = auditLog(table, () => new Date(times[i++ % times.length]!));
    await log.append({ ...base, step: "first" });
    await log.append({ ...base, interconnect: "hr-prod", step: "other" });
    await log.append({ ...base, step: "third" });
    expect((await log.list("erp-prod")).items.map((e) => e.step)).toEqual(["first", "third"]);
    const hr = (await log.list("hr-prod")).items;
    expect(hr.map((e) => e.step)).toEqual(["other"]);
    expect(hr[0]!.at).toBe("2025-03-01T10:00:01.000Z");
  });

  it("never stores the service key: masked in details, in messages and under any *Key field", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table);
    const entry = await log.append({
      ...base,
      phase: "failed",
      message: `OCI rejected providerServiceKeyName=${SERVICE_KEY}`,
      details: {
        serviceKey: SERVICE_KEY,
        request: { providerServiceKeyName: SERVICE_KEY, headers: { authorization: "Bearer eyJhbGciOi.secret" } },
        subscriptionId: "11111111-1111-4111-8111-111111111111",
      },
    });
    expect(entry.details).toEqual({
      serviceKey: "1a2b3c4d-****-****-****-************",
      request: { providerServiceKeyName: "1a2b3c4d-****-****-****-************", headers: { authorization: "[redacted]" } },
      subscriptionId: "11111111-1111-4111-8111-111111111111",
    });
    expect(entry.message).toBe("OCI rejected providerServiceKeyName=1a2b3c4d-****-****-****-************");
    const raw = JSON.stringify(await rawRows(table));
    expect(raw).not.toContain(SERVICE_KEY);
    expect(raw).not.toContain("eyJhbGciOi");
    expect(raw).toContain("11111111-1111-4111-8111-111111111111");
  });

  it("refuses an entry carrying a PEM block and writes nothing", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table);
    const error = await log.append({ ...base, details: { config: { key_file: PEM_KEY } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("details.config.key_file");
    const inMessage = await log.append({ ...base, message: `loaded ${PEM_KEY}` }).catch((e: unknown) => e);
    expect(inMessage).toBeInstanceOf(ValidationError);
    expect((await log.list("erp-prod")).items).toEqual([]);
  });

  it("validates entries naming the field, and trims oversized text instead of losing the row", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table);
    const bad = await log.append({ ...base, phase: "done" as never, durationMs: -1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues.map((i) => i.path).sort()).toEqual(["auditEntry.durationMs", "auditEntry.phase"]);

    const big = await log.append({ ...base, message: "m".repeat(MAX_AUDIT_MESSAGE_CHARS + 10), details: { blob: "d".repeat(40_000) } });
    expect(big.message).toMatch(/… \[truncated 10 characters\]$/);
    expect(big.details).toEqual({ truncated: true, originalChars: 40_011 });
    expect((await log.list("erp-prod")).items).toEqual([big]);
  });
});

describe("AuditLog: one row per event (real Azurite)", () => {
  it("writes an event once however often its writer runs, and marks a re-run of real work as such", async () => {
    const table = uniqueTableName("audit");
    const log = auditLog(table);
    const skip = { key: "provision-erp-prod-1\n2026-12-01T10:00:00.000Z#provision#3", onDuplicate: "skip" as const };
    expect(await log.append({ ...base, message: "gateway started" }, skip)).toBeDefined();
    expect(await log.append({ ...base, message: "gateway started" }, skip)).toBeUndefined();

    const rerun = { key: "provision-erp-prod-1\n2026-12-01T10:00:01.000Z#provision#4", onDuplicate: "rerun" as const };
    await log.append({ ...base, step: "azureEnsureGateway", phase: "succeeded", message: "Updating" }, rerun);
    const second = await log.append({ ...base, step: "azureEnsureGateway", phase: "succeeded", message: "Updating" }, rerun);
    expect(second).toMatchObject({ details: { rerun: true } });

    const rows = (await log.list("erp-prod")).items;
    expect(rows.map((r) => [r.step, r.phase, r.message])).toEqual([
      ["createCircuit", "started", "gateway started"],
      ["azureEnsureGateway", "succeeded", "Updating"],
      ["azureEnsureGateway", "succeeded", "re-run after an interrupted run (crash or lost lease): Updating"],
    ]);
    // Newest first (the API's default) reads the same rows, never the event-marker rows beside them.
    expect((await log.list("erp-prod", { order: "desc" })).items.map((r) => r.message)).toEqual(rows.map((r) => r.message).reverse());
    // Without a key nothing changes: two appends, two rows.
    await log.append({ ...base, message: "plain" });
    await log.append({ ...base, message: "plain" });
    expect((await log.list("erp-prod")).items.filter((r) => r.message === "plain")).toHaveLength(2);

    // Newest first (the API's default order) reads the same rows, never the keyed rows' markers.
    const newest = await log.list("erp-prod", { order: "desc" });
    expect(newest.items.map((r) => r.message)).toEqual([...(await log.list("erp-prod")).items.map((r) => r.message)].reverse());
    const firstPage = await log.list("erp-prod", { order: "desc", top: 2 });
    const rest = await log.list("erp-prod", { order: "desc", top: 10, continuationToken: firstPage.continuationToken! });
    expect([...firstPage.items, ...rest.items].map((r) => r.id)).toEqual(newest.items.map((r) => r.id));
  });
});
