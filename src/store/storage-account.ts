import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/identity";

/**
 * How the app reaches its storage account (tables for the store, the teardown poison queue): the
 * AzureWebJobsStorage connection string, or the identity-based AzureWebJobsStorage__* settings the
 * Functions host documents, resolved to service URIs by the settings loader.
 */
export type StorageAccess =
  | { connectionString: string }
  | {
      tableServiceUri: string;
      queueServiceUri: string;
      /** AzureWebJobsStorage__credential: "managedidentity", or absent ("default": the developer's sign-in, env credentials, then managed identity). */
      credential: "managedidentity" | "default";
      /** AzureWebJobsStorage__clientId: the user-assigned identity to use. */
      clientId?: string;
    };

export type TableStorageTarget = { connectionString: string } | { tableEndpoint: string; credential: TokenCredential };
export type QueueStorageTarget = { connectionString: string } | { queueEndpoint: string; credential: TokenCredential };

export function createStorageCredential(identity: { credential: "managedidentity" | "default"; clientId?: string }): TokenCredential {
  if (identity.clientId !== undefined) return new ManagedIdentityCredential({ clientId: identity.clientId });
  if (identity.credential === "managedidentity") return new ManagedIdentityCredential();
  return new DefaultAzureCredential();
}

/** One credential for tables and queues, so they share its token cache. */
export function storageTargets(access: StorageAccess): { tables: TableStorageTarget; queues: QueueStorageTarget } {
  if ("connectionString" in access) {
    return { tables: { connectionString: access.connectionString }, queues: { connectionString: access.connectionString } };
  }
  const credential = createStorageCredential(access);
  return { tables: { tableEndpoint: access.tableServiceUri, credential }, queues: { queueEndpoint: access.queueServiceUri, credential } };
}
