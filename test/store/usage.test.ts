import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { createStore, type Store } from "../../src/store";
import { uniqueTableName, useAzurite } from "../support/azurite";
import { exampleSpec } from "./fixtures";

const storage = useAzurite();

function store(): { store: Store; table: string } {
  const table = uniqueTableName("ic");
  return {
    store: createStore({ connectionString: storage.connectionString }, { interconnects: table, audit: uniqueTableName("au") }),
    table,
  };
}

const GATEWAY = {
  kind: "gateway" as const,
  resourceId: "/subscriptions/s/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworkGateways/vgw-a-er",
};

async function live(s: Store, ...names: string[]): Promise<void> {
  for (const name of names) await s.interconnects.create({ name, spec: exampleSpec(name) });
}

describe("usage rows of shared resources (real Azurite)", () => {
  it("records each user once, keeps the creator, and is read back by the id in any case", async () => {
    const { store: s } = store();
    await s.usage.add(GATEWAY, "ic-a", "ic-a");
    await s.usage.add(GATEWAY, "ic-b");
    // A redelivered activity adds nothing twice.
    await s.usage.add(GATEWAY, "ic-b");
    const row = await s.usage.get({ kind: "gateway", resourceId: GATEWAY.resourceId.toUpperCase() });
    expect(row).toMatchObject({ users: ["ic-a", "ic-b"], createdBy: "ic-a", resourceId: GATEWAY.resourceId });
    expect(await s.usage.list()).toHaveLength(1);
    // The records' listing does not see the usage rows next to them.
    expect((await s.interconnects.list()).items).toEqual([]);
  });

  it("loses no user when many interconnects add and release at once (ETag conflicts are redone)", async () => {
    const { store: s } = store();
    const names = Array.from({ length: 10 }, (_, i) => `ic-${i}`);
    await live(s, ...names);
    await Promise.all(names.map((n) => s.usage.add(GATEWAY, n)));
    expect((await s.usage.get(GATEWAY))?.users).toEqual([...names].sort());
    const leaving = names.slice(0, 6);
    await Promise.all(leaving.map((n) => s.usage.release(GATEWAY, n)));
    expect((await s.usage.get(GATEWAY))?.users).toEqual(names.slice(6).sort());
  });

  it("release is idempotent, keeps the creator for the next user (hand-over) and drops users whose records are gone", async () => {
    const { store: s } = store();
    await live(s, "ic-a", "ic-b");
    await s.usage.add(GATEWAY, "ic-a", "ic-a");
    await s.usage.add(GATEWAY, "ic-b");
    await s.usage.add(GATEWAY, "ic-ghost");
    const once = await s.usage.release(GATEWAY, "ic-a");
    const twice = await s.usage.release(GATEWAY, "ic-a");
    // ic-ghost has no record: it uses nothing any more.
    expect(once).toMatchObject({ users: ["ic-b"], createdBy: "ic-a" });
    expect(twice).toMatchObject({ users: ["ic-b"], createdBy: "ic-a" });
    const last = await s.usage.release(GATEWAY, "ic-b");
    expect(last).toMatchObject({ users: [], createdBy: "ic-a" });
  });

  it("a release of a resource with no row writes its creator only when the caller's record names it", async () => {
    const { store: s } = store();
    const ours = { kind: "drg" as const, resourceId: "ocid1.drg.oc1.iad.ours" };
    const theirs = { kind: "drg" as const, resourceId: "ocid1.drg.oc1.iad.theirs" };
    expect(await s.usage.release(ours, "ic-a", "ic-a")).toMatchObject({ users: [], createdBy: "ic-a" });
    expect(await s.usage.get(ours)).toMatchObject({ users: [], createdBy: "ic-a" });
    expect((await s.usage.release(theirs, "ic-a")).createdBy).toBeUndefined();
    expect(await s.usage.get(theirs)).toBeUndefined();
  });

  it("forget removes a row nobody uses, keeps one someone uses again, and tolerates a missing row", async () => {
    const { store: s, table } = store();
    await live(s, "ic-a", "ic-b");
    await s.usage.add(GATEWAY, "ic-a", "ic-a");
    await s.usage.release(GATEWAY, "ic-a");
    await s.usage.add(GATEWAY, "ic-b");
    await s.usage.forget(GATEWAY);
    expect((await s.usage.get(GATEWAY))?.users).toEqual(["ic-b"]);
    await s.usage.release(GATEWAY, "ic-b");
    await s.usage.forget(GATEWAY);
    await s.usage.forget(GATEWAY);
    expect(await s.usage.get(GATEWAY)).toBeUndefined();
    const raw = TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: true });
    const rows = [];
    for await (const e of raw.listEntities({ queryOptions: { filter: "PartitionKey eq 'usage'" } })) rows.push(e);
    expect(rows).toEqual([]);
  });

  it("an add conditional on a stale ETag is redone on the fresh row instead of overwriting it", async () => {
    const { store: s, table } = store();
    await s.usage.add(GATEWAY, "ic-a", "ic-a");
    const raw = TableClient.fromConnectionString(storage.connectionString, table, { allowInsecureConnection: true });
    // Another writer changes the row between this writer's read and write: its ETag is stale, the write gets 412 and is redone.
    const realGet = raw.getEntity.bind(raw);
    const patched = s.usage as unknown as { table: { get(): Promise<TableClient> } };
    let interfered = false;
    const client = await patched.table.get();
    const original = client.getEntity.bind(client);
    client.getEntity = (async (...args: Parameters<TableClient["getEntity"]>) => {
      const entity = await original(...args);
      if (!interfered) {
        interfered = true;
        const current = await realGet<Record<string, unknown>>("usage", String(entity.rowKey));
        await raw.updateEntity(
          { ...current, partitionKey: "usage", rowKey: String(entity.rowKey), users: JSON.stringify(["ic-a", "ic-z"]) },
          "Replace",
        );
      }
      return entity;
    }) as TableClient["getEntity"];
    await s.usage.add(GATEWAY, "ic-b");
    expect((await s.usage.get(GATEWAY))?.users).toEqual(["ic-a", "ic-b", "ic-z"]);
  });
});
