import type { TokenCredential } from "@azure/core-auth";
import { RestError, TableClient } from "@azure/data-tables";

/**
 * Where the tables live. Locally that is the AzureWebJobsStorage connection string (Azurite); deployed,
 * the app uses identity-based connections (AzureWebJobsStorage__accountName) and storage-account.ts
 * resolves the settings to the managed identity's credential.
 */
export type TableStorageTarget = { connectionString: string } | { tableEndpoint: string; credential: TokenCredential };

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function assertTableName(field: string, name: string): void {
  if (!TABLE_NAME.test(name)) {
    throw new Error(`${field} "${name}" is not a valid Table Storage name: 3-63 letters or digits, starting with a letter.`);
  }
}

/**
 * An explicit http:// connection string (Azurite on a chosen port) is refused by the SDK unless
 * allowInsecureConnection is set; UseDevelopmentStorage=true gets it set by the SDK itself.
 */
function isInsecure(connectionString: string): boolean {
  return /DefaultEndpointsProtocol=http(;|$)/i.test(connectionString) || /TableEndpoint=http:\/\//i.test(connectionString);
}

export function createTableClient(target: TableStorageTarget, tableName: string): TableClient {
  if ("connectionString" in target) {
    if (!target.connectionString.trim()) throw new Error("AzureWebJobsStorage is empty: a storage connection string is required.");
    return TableClient.fromConnectionString(target.connectionString, tableName, {
      allowInsecureConnection: isInsecure(target.connectionString),
    });
  }
  return new TableClient(target.tableEndpoint, tableName, target.credential, {
    allowInsecureConnection: target.tableEndpoint.startsWith("http://"),
  });
}

/**
 * Creates the table on first use only, once per client. Concurrent creators (two workers starting at
 * once) race harmlessly: the SDK's createTable already swallows TableAlreadyExists, and a 409 from a
 * table that is still being deleted surfaces as a clear error. A failed attempt is not cached, so the
 * next call retries.
 */
export class LazyTable {
  private ready: Promise<void> | undefined;

  constructor(readonly client: TableClient) {}

  async get(): Promise<TableClient> {
    this.ready ??= this.client.createTable().catch((error: unknown) => {
      if (error instanceof RestError && error.statusCode === 409 && /TableAlreadyExists/i.test(String(error.code ?? error.message))) return;
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    return this.client;
  }
}

export function isRestError(error: unknown, status: number): error is RestError {
  return error instanceof RestError && error.statusCode === status;
}
