/**
 * The triggers' composition root builds the store and the teardown poison queue from either form of
 * AzureWebJobsStorage: a connection string (real Azurite here), or the identity-based settings the
 * deployed app gets from infra/modules/app.bicep, where every storage call carries a token of the managed
 * identity that AzureWebJobsStorage__clientId names.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useAzurite } from "../support/azurite";
import { exampleSpecBody } from "./support/harness";

const storage = useAzurite();
const CLIENT_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
const keyFile = join(mkdtempSync(join(tmpdir(), "deps-")), "oci.pem");
writeFileSync(keyFile, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string);

const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** A fresh module graph, so the cached settings and deps are rebuilt from this test's environment. */
async function freshDefaultDeps(env: Record<string, string | undefined>) {
  const sample = JSON.parse(readFileSync(resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as {
    Values: Record<string, string>;
  };
  for (const [key, value] of Object.entries({ ...sample.Values, OCI_PRIVATE_KEY_PATH: keyFile, ...env })) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  vi.resetModules();
  const { defaultTriggerDeps } = await import("../../src/functions/default-deps");
  return defaultTriggerDeps();
}

describe("defaultTriggerDeps", () => {
  it("uses the AzureWebJobsStorage connection string for the store and the poison queue", async () => {
    const deps = await freshDefaultDeps({
      AzureWebJobsStorage: storage.connectionString,
      INTERCONNECTS_TABLE: "depsic",
      AUDIT_TABLE: "depsau",
    });
    const spec = exampleSpecBody() as never;
    await deps.store.interconnects.create({ name: "erp-prod", spec });
    expect((await deps.store.interconnects.get("erp-prod"))?.state).toBe("requested");
    await deps.teardownPoisonQueue.send('{"name":"erp-prod"}');
    const parked = await new QueueClient(storage.connectionString, "interconnect-teardown-poison").receiveMessages();
    expect(Buffer.from(parked.receivedMessageItems[0]?.messageText ?? "", "base64").toString("utf8")).toBe('{"name":"erp-prod"}');
  });

  describe("identity-based storage", () => {
    const tokenRequests: URL[] = [];
    const dialled = { table: 0, queue: 0 };
    let identityEndpoint: Server;
    const services: Record<"table" | "queue", TcpServer> = {} as never;

    beforeAll(async () => {
      // App Service's managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), which ManagedIdentityCredential calls.
      identityEndpoint = createHttpServer((req, res) => {
        tokenRequests.push(new URL(req.url ?? "/", "http://localhost"));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            access_token: "mi-token",
            expires_on: String(Math.floor(Date.now() / 1000) + 3600),
            resource: "https://storage.azure.com",
            token_type: "Bearer",
          }),
        );
      });
      await new Promise<void>((r) => identityEndpoint.listen(0, "127.0.0.1", r));
      // Stand-ins for the storage services: only whether the client dials them matters (TLS to them cannot be trusted here).
      for (const service of ["table", "queue"] as const) {
        services[service] = createTcpServer((socket) => {
          dialled[service] += 1;
          socket.destroy();
        });
        await new Promise<void>((r) => services[service].listen(0, "127.0.0.1", r));
      }
    });
    afterAll(async () => {
      await Promise.all([identityEndpoint, services.table, services.queue].map((s) => new Promise((r) => s.close(r))));
    });

    const until = async (done: () => boolean) => {
      for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(done()).toBe(true);
    };

    it("asks the user-assigned managed identity for a storage token, then calls the table and queue service URIs", async () => {
      const port = (s: TcpServer) => (s.address() as AddressInfo).port;
      const deps = await freshDefaultDeps({
        AzureWebJobsStorage: undefined,
        AzureWebJobsStorage__accountName: "stinterconnect",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: CLIENT_ID,
        AzureWebJobsStorage__tableServiceUri: `https://127.0.0.1:${port(services.table)}/stinterconnect`,
        // IP-style endpoints carry the account in the path, as Azurite's do.
        AzureWebJobsStorage__queueServiceUri: `https://127.0.0.1:${port(services.queue)}/stinterconnect`,
        IDENTITY_ENDPOINT: `http://127.0.0.1:${(identityEndpoint.address() as AddressInfo).port}/msi/token`,
        IDENTITY_HEADER: "identity-header",
      });

      // The calls cannot succeed against the stand-ins; they keep retrying in the background, which is fine.
      deps.store.interconnects.get("erp-prod").catch(() => undefined);
      await until(() => dialled.table > 0);
      deps.teardownPoisonQueue.send('{"name":"erp-prod"}').catch(() => undefined);
      await until(() => dialled.queue > 0);

      expect(tokenRequests.length).toBeGreaterThan(0);
      for (const url of tokenRequests) {
        expect(url.searchParams.get("client_id")).toBe(CLIENT_ID);
        expect(url.searchParams.get("resource")).toBe("https://storage.azure.com");
      }
    });
  });
});
