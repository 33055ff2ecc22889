import { TableClient, TableServiceClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { DomainError, ErrorCodes, ValidationError } from "../../src/domain/errors";
import type { InterconnectSpec } from "../../src/domain/spec";
import { InterconnectRepository, MAX_STRING_PROPERTY_CHARS, maskServiceKey, type InterconnectResources } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";
import { exampleSpec, PEM_KEY, SERVICE_KEY } from "./fixtures";

const storage = useAzurite();

function repository(table = uniqueTableName("ic"), now?: () => Date): InterconnectRepository {
  return new InterconnectRepository({ connectionString: storage.connectionString }, table, now ? { now } : {});
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("InterconnectRepository (real Azurite)", () => {
  it("creates its table on first use, and several repositories racing to create it all succeed", async () => {
    const table = uniqueTableName("race");
    const service = TableServiceClient.fromConnectionString(storage.connectionString, { allowInsecureConnection: true });
    const exists = async () => {
      for await (const t of service.listTables({ queryOptions: { filter: `TableName eq '${table}'` } })) if (t.name === table) return true;
      return false;
    };
    expect(await exists()).toBe(false);
    const repos = Array.from({ length: 4 }, () => repository(table));
    const results = await Promise.all(repos.map((r) => r.get("erp-prod")));
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(await exists()).toBe(true);
  });

  it("creates, reads back and lists records, filtered by state and paged", async () => {
    let clock = Date.parse("2025-03-01T10:00:00.000Z");
    const repo = repository(undefined, () => new Date(clock));
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    expect(created).toMatchObject({
      name: "erp-prod",
      state: "requested",
      attempt: 0,
      resources: {},
      createdAt: "2025-03-01T10:00:00.000Z",
    });
    expect(created.etag).toBeTruthy();

    const read = await repo.get("erp-prod");
    expect(read).toEqual(created);
    expect(await repo.get("absent-one")).toBeUndefined();

    clock += 1000;
    for (const name of ["erp-dev", "erp-qa", "hr-prod"]) await repo.create({ name, spec: exampleSpec(name) });
    const qa = await repo.getOrThrow("erp-qa");
    await repo.transitionState("erp-qa", "provisioning", qa.etag);

    const provisioning = await repo.list({ state: "provisioning" });
    expect(provisioning.items.map((r) => r.name)).toEqual(["erp-qa"]);

    const first = await repo.list({ top: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.continuationToken).toBeTruthy();
    const second = await repo.list({ top: 3, continuationToken: first.continuationToken! });
    expect([...first.items, ...second.items].map((r) => r.name).sort()).toEqual(["erp-dev", "erp-prod", "erp-qa", "hr-prod"]);
    expect(second.continuationToken).toBeUndefined();
  });

  it("refuses to create a name that exists, unless its interconnect was deleted", async () => {
    const repo = repository();
    const first = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const error = await rejection(repo.create({ name: "erp-prod", spec: { ...exampleSpec(), bandwidthGbps: 10 } }));
    expect(error.code).toBe(ErrorCodes.CONFLICT);
    expect(error.status).toBe(409);
    expect(error.message).toContain('already exists in state "requested"');
    expect((await repo.getOrThrow("erp-prod")).spec).toEqual(exampleSpec());

    let current = await repo.transitionState("erp-prod", "failed", first.etag, {
      failure: { step: "preflight", code: "X", message: "no" },
    });
    current = await repo.transitionState("erp-prod", "tearing-down", current.etag, { attempt: 2 });
    await repo.transitionState("erp-prod", "deleted", current.etag);
    const reused = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    expect(reused.state).toBe("requested");
    expect(reused.failure).toBeUndefined();
    // The earlier life's instance ids (…-1, …-2) stay in the task hub: the counter carries on from there.
    expect(reused.attempt).toBe(2);
    expect((await repo.getOrThrow("erp-prod")).attempt).toBe(2);
  });

  it("lets only one of two writers holding the same ETag win; the loser's change is not written", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const writerA = repository(tableOf(repo));
    const a = await writerA.getOrThrow("erp-prod");
    const b = await repo.getOrThrow("erp-prod");
    expect(a.etag).toBe(b.etag);

    const winner = await writerA.update("erp-prod", a.etag, () => ({ resources: { circuitId: "/subscriptions/x/circuits/a" } }));
    const error = await rejection(repo.update("erp-prod", b.etag, () => ({ resources: { circuitId: "/subscriptions/x/circuits/b" } })));
    expect(error.code).toBe(ErrorCodes.PRECONDITION_FAILED);
    expect(error.status).toBe(412);
    expect(error.message).toMatch(/changed by another writer/);

    const stored = await repo.getOrThrow("erp-prod");
    expect(stored.resources).toEqual({ circuitId: "/subscriptions/x/circuits/a" });
    expect(stored.etag).toBe(winner.etag);
    expect(stored.etag).not.toBe(created.etag);
  });

  it("with many writers racing on one ETag exactly one wins, whatever the interleaving of reads and writes", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const writers = Array.from({ length: 6 }, (_, i) =>
      repository(tableOf(repo)).update("erp-prod", created.etag, () => ({ attempt: i + 1 })),
    );
    const outcomes = await Promise.allSettled(writers);
    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(won).toHaveLength(1);
    for (const o of lost) expect((o.reason as DomainError).code).toBe(ErrorCodes.PRECONDITION_FAILED);
    const winner = (won[0] as PromiseFulfilledResult<{ attempt: number }>).value;
    expect((await repo.getOrThrow("erp-prod")).attempt).toBe(winner.attempt);
  });

  it("modify() re-reads and retries on ETag conflicts so concurrent increments are never lost", async () => {
    const repo = repository();
    await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const writers = Array.from({ length: 5 }, () =>
      repository(tableOf(repo)).modify("erp-prod", (current) => ({ attempt: current.attempt + 1 }), { attempts: 20 }),
    );
    await Promise.all(writers);
    expect((await repo.getOrThrow("erp-prod")).attempt).toBe(5);
  });

  it("applies allowed transitions with their patch and stamps stateChangedAt", async () => {
    let clock = Date.parse("2025-03-01T10:00:00.000Z");
    const repo = repository(undefined, () => new Date(clock));
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    clock += 60_000;
    const op = { kind: "provision" as const, instanceId: "provision-erp-prod-1", startedAt: new Date(clock).toISOString() };
    const provisioning = await repo.transitionState("erp-prod", "provisioning", created.etag, { currentOperation: op, attempt: 1 });
    expect(provisioning).toMatchObject({
      state: "provisioning",
      currentOperation: op,
      attempt: 1,
      stateChangedAt: "2025-03-01T10:01:00.000Z",
    });
    clock += 60_000;
    const patched = await repo.update("erp-prod", provisioning.etag, () => ({
      resources: { circuitId: "c1", serviceKeyMasked: maskServiceKey(SERVICE_KEY) },
    }));
    expect(patched.stateChangedAt).toBe("2025-03-01T10:01:00.000Z");
    expect(patched.updatedAt).toBe("2025-03-01T10:02:00.000Z");
    const active = await repo.transitionState("erp-prod", "active", patched.etag, { currentOperation: null });
    expect(active.currentOperation).toBeUndefined();
    expect(await repo.get("erp-prod")).toEqual(active);
  });

  it("rejects a forbidden transition with INVALID_TRANSITION and writes nothing", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const error = await rejection(repo.transitionState("erp-prod", "active", created.etag, { resources: { circuitId: "c1" } }));
    expect(error.code).toBe(ErrorCodes.INVALID_TRANSITION);
    expect(error.message).toContain('"requested" cannot move to "active"');
    const stored = await repo.getOrThrow("erp-prod");
    expect(stored).toEqual(created);

    const viaModify = await rejection(repo.modify("erp-prod", () => ({ state: "tearing-down", attempt: 9 })));
    expect(viaModify.code).toBe(ErrorCodes.INVALID_TRANSITION);
    expect(await repo.getOrThrow("erp-prod")).toEqual(created);

    const sneaky = await rejection(repo.update("erp-prod", created.etag, () => ({ state: "active" }) as never));
    expect(sneaky).toBeInstanceOf(ValidationError);
    expect(await repo.getOrThrow("erp-prod")).toEqual(created);
  });

  it("stores the BGP plan and insists the spec belongs to the record", async () => {
    const repo = repository();
    const bgpPlan = {
      primary: { cidr: "192.168.100.0/30", oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
      secondary: { cidr: "192.168.100.4/30", oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
    };
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec(), bgpPlan });
    expect((await repo.getOrThrow("erp-prod")).bgpPlan).toEqual(bgpPlan);
    const mismatch = await rejection(repo.create({ name: "hr-prod", spec: exampleSpec("erp-prod") }));
    expect((mismatch as ValidationError).issues[0]?.path).toBe("spec.name");
    const cleared = await repo.update("erp-prod", created.etag, () => ({ bgpPlan: null }));
    expect((await repo.getOrThrow("erp-prod")).bgpPlan).toBeUndefined();
    expect(cleared.bgpPlan).toBeUndefined();
  });

  it("reports NOT_FOUND for writes to an unknown interconnect and validates names", async () => {
    const repo = repository();
    expect((await rejection(repo.update("nobody-here", 'W/"x"', () => ({})))).code).toBe(ErrorCodes.NOT_FOUND);
    const bad = await rejection(repo.get("Bad/Name"));
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues[0]?.path).toBe("name");
  });

  it("never stores a full service key or a PEM block in the resources", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const full = await rejection(
      repo.update("erp-prod", created.etag, () => ({ resources: { serviceKey: SERVICE_KEY } as InterconnectResources })),
    );
    expect(full).toBeInstanceOf(ValidationError);
    expect((full as ValidationError).issues).toEqual([
      { path: "resources.serviceKey", message: expect.stringMatching(/^secrets are never stored/) },
    ]);
    const unmasked = await rejection(repo.update("erp-prod", created.etag, () => ({ resources: { serviceKeyMasked: SERVICE_KEY } })));
    expect((unmasked as ValidationError).issues[0]?.path).toBe("resources.serviceKeyMasked");
    const pem = await rejection(repo.update("erp-prod", created.etag, () => ({ resources: { circuitId: PEM_KEY } })));
    expect((pem as ValidationError).issues).toEqual([{ path: "resources.circuitId", message: expect.stringMatching(/PEM block/) }]);
    const pemInList = await rejection(
      repo.update("erp-prod", created.etag, () => ({ resources: { routedPrefixes: ["10.10.0.0/16", PEM_KEY] } })),
    );
    expect((pemInList as ValidationError).issues[0]?.path).toBe("resources.routedPrefixes.1");

    const failed = await repo.transitionState("erp-prod", "failed", created.etag, {
      failure: { step: "createVirtualCircuit", code: "CLOUD_REQUEST_FAILED", message: `Invalid providerServiceKeyName ${SERVICE_KEY}` },
    });
    expect(failed.failure?.message).toBe("Invalid providerServiceKeyName 1a2b3c4d-****-****-****-************");

    const raw = await rawRows(tableOf(repo));
    expect(JSON.stringify(raw)).not.toContain(SERVICE_KEY);
    expect(JSON.stringify(raw)).not.toContain("BEGIN PRIVATE KEY");
  });

  it("keeps resources as typed JSON (lists and ownership flags), refusing unknown fields by name", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const resources: InterconnectResources = {
      circuitId: "/subscriptions/x/circuits/erc-erp-prod",
      routedPrefixes: ["10.10.0.0/16", "10.20.0.0/16"],
      owned: { gatewaySubnet: true, gateway: true, drg: false, drgAttachment: true },
    };
    const updated = await repo.update("erp-prod", created.etag, () => ({ resources }));
    expect((await repo.getOrThrow("erp-prod")).resources).toEqual(resources);
    const [row] = (await rawRows(tableOf(repo))) as { resources: string }[];
    expect(JSON.parse(row!.resources)).toEqual(resources);

    const unknown = await rejection(repo.update("erp-prod", updated.etag, () => ({ resources: { note: "x" } as InterconnectResources })));
    expect((unknown as ValidationError).issues).toEqual([
      { path: "resources.note", message: expect.stringMatching(/^unknown resource field; allowed fields: .*routedPrefixes/) },
    ]);
    const flat = await rejection(
      repo.update("erp-prod", updated.etag, () => ({ resources: { routedPrefixes: "10.10.0.0/16" } as unknown as InterconnectResources })),
    );
    expect((flat as ValidationError).issues[0]?.path).toBe("resources.routedPrefixes");
  });

  it("reads records written in the old flat form (comma lists) as typed resources", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const client = TableClient.fromConnectionString(storage.connectionString, tableOf(repo), { allowInsecureConnection: true });
    const flat = {
      drgId: "ocid1.drg.oc1.iad.ours",
      routedPrefixes: "10.10.0.0/16,10.20.0.0/16",
      owned: "gatewaySubnet,gateway,drgAttachment",
    };
    await client.updateEntity({ partitionKey: "interconnect", rowKey: "erp-prod", resources: JSON.stringify(flat) }, "Merge", {
      etag: created.etag,
    });
    const read = await repo.getOrThrow("erp-prod");
    expect(read.resources).toEqual({
      drgId: "ocid1.drg.oc1.iad.ours",
      routedPrefixes: ["10.10.0.0/16", "10.20.0.0/16"],
      owned: { gatewaySubnet: true, gateway: true, drg: false, drgAttachment: true },
    });
    // an empty list and no owned resource were written as empty strings
    await client.updateEntity(
      { partitionKey: "interconnect", rowKey: "erp-prod", resources: JSON.stringify({ routedPrefixes: "", owned: "" }) },
      "Merge",
    );
    expect((await repo.getOrThrow("erp-prod")).resources).toEqual({
      routedPrefixes: [],
      owned: { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false },
    });
    // the next write stores the structured form
    const current = await repo.getOrThrow("erp-prod");
    await repo.update("erp-prod", current.etag, (r) => ({ resources: { ...r.resources, circuitId: "c1" } }));
    const row = (await rawRows(tableOf(repo))) as { resources: string }[];
    expect(JSON.parse(row[0]!.resources)).toEqual({
      routedPrefixes: [],
      owned: { gatewaySubnet: false, gateway: false, drg: false, drgAttachment: false },
      circuitId: "c1",
    });
  });

  it("guards the 64 KiB string property limit with an error naming the column", async () => {
    const repo = repository();
    // Wider than any valid spec gets; the guard must hold whatever the domain's limits become.
    const huge = { ...exampleSpec(), tags: { blob: "x".repeat(MAX_STRING_PROPERTY_CHARS) } } as InterconnectSpec;
    const error = await rejection(repo.create({ name: "erp-prod", spec: huge }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("spec");
    expect(error.message).toMatch(/64 KiB/);
    expect(await repo.get("erp-prod")).toBeUndefined();

    const near = { ...exampleSpec(), tags: { blob: "x".repeat(MAX_STRING_PROPERTY_CHARS - 1000) } } as InterconnectSpec;
    const stored = await repo.create({ name: "erp-prod", spec: near });
    expect((await repo.getOrThrow("erp-prod")).spec).toEqual(stored.spec);
  });

  it("validates rows on read and names the corrupt column", async () => {
    const repo = repository();
    const created = await repo.create({ name: "erp-prod", spec: exampleSpec() });
    const client = TableClient.fromConnectionString(storage.connectionString, tableOf(repo), { allowInsecureConnection: true });
    await client.updateEntity({ partitionKey: "interconnect", rowKey: "erp-prod", resources: "{not json" }, "Merge", {
      etag: created.etag,
    });
    const error = await rejection(repo.get("erp-prod"));
    expect(error.code).toBe(ErrorCodes.INTERNAL);
    expect(error.message).toBe("Stored row interconnects/erp-prod is corrupt: resources is not valid JSON.");
  });
});

function tableOf(repo: InterconnectRepository): string {
  return (repo as unknown as { table: { client: TableClient } }).table.client.tableName;
}

async function rawRows(table: string): Promise<unknown[]> {
  const client = TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: true });
  const rows: unknown[] = [];
  for await (const row of client.listEntities()) rows.push(row);
  return rows;
}
