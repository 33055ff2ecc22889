import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Persist under this folder; omitted = in memory (tests). */
  location?: string;
  /** 0 (default) = a free port chosen by the OS. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  /** Give up when Azurite is not ready within this many ms. */
  startTimeoutMs?: number;
}

export interface RunningAzurite {
  blobUrl: string;
  queueUrl: string;
  tableUrl: string;
  /** Explicit connection string with all three endpoints (AzureWebJobsStorage form). */
  connectionString: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function connectionStringFor(blobUrl: string, queueUrl: string, tableUrl: string): string {
  return (
    [
      "DefaultEndpointsProtocol=http",
      `AccountName=${DEV_ACCOUNT}`,
      `AccountKey=${DEV_ACCOUNT_KEY}`,
      `BlobEndpoint=${blobUrl}/${DEV_ACCOUNT}`,
      `QueueEndpoint=${queueUrl}/${DEV_ACCOUNT}`,
      `TableEndpoint=${tableUrl}/${DEV_ACCOUNT}`,
    ].join(";") + ";"
  );
}

/**
 * Starts the real Azurite (the npm package) as a child process and resolves once all three services
 * listen. A child process rather than Azurite's internal server classes: those are not a public API.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const entry = require.resolve("azurite/dist/src/azurite.js");
  const args = [
    entry,
    "--blobPort",
    String(options.blobPort ?? 0),
    "--queuePort",
    String(options.queuePort ?? 0),
    "--tablePort",
    String(options.tablePort ?? 0),
    "--blobHost",
    "127.0.0.1",
    "--queueHost",
    "127.0.0.1",
    "--tableHost",
    "127.0.0.1",
    // Telemetry would try to reach the internet; this machine (and many corporate laptops) cannot.
    "--disableTelemetry",
    // The Azure SDKs are often newer than Azurite's declared API version.
    "--skipApiVersionCheck",
    "--loose",
    // Without it Azurite logs every request to stdout: CPU in both processes on the task hub's hot path.
    "--silent",
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", path.resolve(options.location));
  } else {
    args.push("--inMemoryPersistence");
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const urls: Partial<Record<"Blob" | "Queue" | "Table", string>> = {};
  let output = "";
  let listening = false;

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 60_000} ms. Output:\n${output}`));
    }, options.startTimeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      // Still drained after start (a full pipe would block Azurite), but no longer kept or scanned.
      if (listening) return;
      output += chunk.toString();
      for (const m of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/[\d.]+:\d+)/g)) {
        urls[m[1] as "Blob" | "Queue" | "Table"] = m[2];
      }
      if (urls.Blob && urls.Queue && urls.Table) {
        listening = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const hint = /EADDRINUSE/.test(output)
        ? " A port is already in use: stop the other Azurite (or local stack) or choose other ports."
        : "";
      reject(new Error(`Azurite exited before it was ready (code ${code}, signal ${signal}).${hint} Output:\n${output}`));
    });
  });
  await ready;
  const blobUrl = urls.Blob as string;
  const queueUrl = urls.Queue as string;
  const tableUrl = urls.Table as string;
  return {
    blobUrl,
    queueUrl,
    tableUrl,
    connectionString: connectionStringFor(blobUrl, queueUrl, tableUrl),
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
      }),
  };
}
