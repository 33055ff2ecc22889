import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { createStorageCredential, storageTargets } from "../../src/store/storage-account";

describe("storageTargets", () => {
  it("hands a connection string to both tables and queues unchanged", () => {
    expect(storageTargets({ connectionString: "UseDevelopmentStorage=true" })).toEqual({
      tables: { connectionString: "UseDevelopmentStorage=true" },
      queues: { connectionString: "UseDevelopmentStorage=true" },
    });
  });

  it("gives tables and queues their service URIs and one shared credential", () => {
    const targets = storageTargets({
      tableServiceUri: "https://acct.table.core.windows.net",
      queueServiceUri: "https://acct.queue.core.windows.net",
      credential: "managedidentity",
    });
    if (!("credential" in targets.tables) || !("credential" in targets.queues)) throw new Error("expected identity-based targets");
    expect(targets.tables.tableEndpoint).toBe("https://acct.table.core.windows.net");
    expect(targets.queues.queueEndpoint).toBe("https://acct.queue.core.windows.net");
    expect(targets.tables.credential).toBe(targets.queues.credential);
  });
});

describe("createStorageCredential", () => {
  it("uses a managed identity when the settings say so, and the default chain otherwise", () => {
    expect(createStorageCredential({ credential: "managedidentity", clientId: "3f2504e0-4f89-41d3-9a0c-0305e82c3301" })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(createStorageCredential({ credential: "managedidentity" })).toBeInstanceOf(ManagedIdentityCredential);
    expect(createStorageCredential({ credential: "default" })).toBeInstanceOf(DefaultAzureCredential);
  });
});
