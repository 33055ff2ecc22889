import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAzurite, type RunningAzurite } from "../../../src/local/azurite";
import { startEmulators } from "../../../src/local/emulators";
import { startItsmEmulators, type RunningItsmEmulators } from "../../../src/local/emulators/itsm";
import { emulatorAppSettings } from "../../../src/local/settings";
import type { FaultConfig } from "../../../src/local/emulators/shared/faults";
import { ensureBuilt, ROOT } from "./build";
import { counts, inventory, type Inventory } from "./inventory";
import { ResponseValidator } from "../../support/openapi";

type Emulators = Awaited<ReturnType<typeof startEmulators>>;

/** Whatever the API answered: tests assert on its shape, so a static type would only get in the way. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface StackOptions {
  /** Virtual clock speed shared by the emulators and the host. */
  speed?: number;
  /** App settings overriding the test defaults (deadlines, polling). */
  settings?: Record<string, string>;
  faults?: FaultConfig;
  /** Also start the ServiceNow and Jira emulators (seeded) and point the app's ITSM settings at them. */
  itsm?: boolean;
  /**
   * Azurite persists to a folder (as under `npm start`) instead of memory, so that it can be killed and
   * started again on the same data and ports (killStorageAndHost, restartStorageAndHost).
   */
  persistentStorage?: boolean;
  /** The emulators' cloud-side durations (ms of simulated time), where a test needs a wait it can see. */
  durations?: NonNullable<Parameters<typeof startEmulators>[0]>["durations"];
}

/**
 * The whole product on this machine, started inside the test: Azurite (in memory), both cloud
 * emulators (in this process, free ports) and the compiled app in the local host as a child process.
 * Tests talk to it only over HTTP: the REST API, the emulators' admin endpoints, and Azurite's queue.
 */
export class E2eStack {
  private host: ChildProcess | undefined;
  private port = 0;
  private hostStarts = 0;
  readonly logDir = mkdtempSync(path.join(tmpdir(), "e2e-"));

  private constructor(
    public azurite: RunningAzurite,
    readonly emulators: Emulators,
    private readonly env: Record<string, string>,
    readonly itsm?: RunningItsmEmulators,
    private readonly azuriteData?: string,
  ) {}

  static async start(options: StackOptions = {}): Promise<E2eStack> {
    await ensureBuilt();
    const azuriteData = options.persistentStorage ? mkdtempSync(path.join(tmpdir(), "e2e-azurite-")) : undefined;
    const azurite = await startAzurite(azuriteData ? { location: azuriteData } : {});
    const emulators = await startEmulators({
      speed: options.speed ?? 1000,
      armPort: 0,
      ociPort: 0,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.durations ? { durations: options.durations } : {}),
    });
    const itsm = options.itsm ? await startItsmEmulators() : undefined;
    const clockFile = path.join(mkdtempSync(path.join(tmpdir(), "e2e-clock-")), "clock.json");
    writeFileSync(clockFile, JSON.stringify(emulators.clock.getAnchor()));
    const env: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: "node",
      ...emulatorAppSettings(azurite, emulators, itsm ? { servicenowUrl: itsm.servicenow.url, jiraUrl: itsm.jira.url } : undefined),
      BGP_ADDRESS_POOL: "192.168.100.0/24",
      POLL_INITIAL_INTERVAL_SECONDS: "30",
      POLL_MAX_INTERVAL_SECONDS: "120",
      GATEWAY_DEADLINE_MINUTES: "240",
      PROVIDER_DEADLINE_MINUTES: "240",
      CONNECTION_DEADLINE_MINUTES: "240",
      DEPROVISION_DEADLINE_MINUTES: "240",
      // At x1000 a real second is almost 17 virtual minutes: the app's defaults (15-30 min) would let one
      // real-time SDK retry backoff, or a loaded machine, decide a wait that the test means to succeed.
      DRG_DEADLINE_MINUTES: "240",
      VERIFICATION_DEADLINE_MINUTES: "240",
      GATEWAY_SUBNET_DEADLINE_MINUTES: "240",
      // A run queued behind others on its VNet or VCN waits up to this long (virtual minutes) for its turn.
      QUEUE_DEADLINE_MINUTES: "1440",
      KEEP_RESOURCES_ON_FAILURE: "false",
      // The health watch of every active interconnect: at x1000 its 5-minute default would check three
      // times a real second and load the machine the other tests run on; test/e2e/health.test.ts sets its own.
      HEALTH_CONTROL_PLANE_MINUTES: "60",
      HEALTH_ROUTES_MINUTES: "240",
      // At x1000 the default (every 5 virtual minutes) would start a watchdog round every 0.3 s; the
      // watchdog's own tests set a schedule and margin they mean.
      WATCHDOG_SCHEDULE: "0 0 0 1 1 *",
      // Likewise the health keeper (default every 15 virtual minutes, every 0.9 s real here): provisioning starts each watch.
      HEALTH_KEEPER_SCHEDULE: "0 0 0 1 1 *",
      INTERCONNECTS_TABLE: "interconnects",
      AUDIT_TABLE: "interconnectaudit",
      SIM_SPEED: String(options.speed ?? 1000),
      HOST_APP_DIR: ROOT,
      HOST_CLOCK_FILE: clockFile,
      // Task-hub messages a killed host had dequeued become visible again after this many real seconds.
      HOST_LEASE_SECONDS: "2",
      HOST_MAX_POLL_MS: "100",
      ...options.settings,
    };
    const stack = new E2eStack(azurite, emulators, env, itsm, azuriteData);
    await stack.startHost();
    return stack;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the host (again, on the same port after a kill, so earlier status URLs stay valid). */
  async startHost(): Promise<void> {
    this.hostStarts += 1;
    const log = createWriteStream(path.join(this.logDir, `host-${this.hostStarts}.log`));
    const child = spawn(process.execPath, [path.join(ROOT, "dist/src/local/host/main.js")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...this.env, HOST_PORT: String(this.port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.host = child;
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    let output = "";
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the host did not start within 60 s; log: ${this.logDir}\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /HOST READY http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          resolve(Number(ready[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the host exited (${code}) before it was ready; log: ${this.logDir}\n${output}`));
      });
    });
  }

  /** A clean restart with changed app settings (deadlines, catalog), as after a configuration change. */
  async restartHost(settings: Record<string, string>): Promise<void> {
    await this.stopHost();
    Object.assign(this.env, settings);
    await this.startHost();
  }

  private async stopHost(): Promise<void> {
    const child = this.host;
    this.host = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  }

  /** kill -9: no shutdown hook runs, in-flight work is lost exactly as in a crashed worker. */
  async killHost(): Promise<void> {
    const child = this.host;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
    this.host = undefined;
  }

  /**
   * kill -9 of the service's whole local stack at once: the host and Azurite (its storage, with every
   * write it acknowledged but had not yet saved). The cloud emulators stay up, as the real clouds do
   * when the service crashes, and go on deprovisioning on the shared virtual clock.
   */
  async killStorageAndHost(): Promise<void> {
    if (!this.azuriteData) throw new Error("killStorageAndHost needs persistentStorage: true");
    const azurite = this.azurite.process;
    const gone = new Promise<void>((resolve) => {
      if (azurite.exitCode !== null || azurite.signalCode !== null) return resolve();
      azurite.once("exit", () => resolve());
    });
    azurite.kill("SIGKILL");
    await Promise.all([gone, this.killHost()]);
  }

  /** Azurite again on its saved data and the same ports (the host's connection string is unchanged), then the host. */
  async restartStorageAndHost(): Promise<void> {
    if (!this.azuriteData) throw new Error("restartStorageAndHost needs persistentStorage: true");
    const port = (url: string) => Number(new URL(url).port);
    this.azurite = await startAzurite({
      location: this.azuriteData,
      blobPort: port(this.azurite.blobUrl),
      queuePort: port(this.azurite.queueUrl),
      tablePort: port(this.azurite.tableUrl),
    });
    await this.startHost();
  }

  async close(): Promise<void> {
    await this.stopHost();
    await this.itsm?.close();
    await this.emulators.close();
    await this.azurite.stop();
    if (this.azuriteData) rmSync(this.azuriteData, { recursive: true, force: true });
  }

  // ---- the REST API -------------------------------------------------------------------------

  /**
   * One REST call. Every answer is checked against the app's own OpenAPI document (GET /api/openapi.json,
   * read once per host start): an undocumented status or a body that does not match its schema fails the test.
   */
  async api(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; json: Json }> {
    const init: RequestInit = { method, headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers } };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const res = await fetch(`${this.url}/api/${route}`, init);
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    const mismatch = (await this.contract()).check(method, `/api/${route}`, res.status, res.headers.get("content-type"), json);
    if (mismatch !== undefined) throw new Error(`the answer breaks the OpenAPI document: ${mismatch}`);
    return { status: res.status, headers: res.headers, json };
  }

  private validator: Promise<ResponseValidator> | undefined;

  /** The OpenAPI document of the running app, as a response validator. */
  contract(): Promise<ResponseValidator> {
    this.validator ??= fetch(`${this.url}/api/openapi.json`).then(async (res) => {
      if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
      return new ResponseValidator((await res.json()) as Record<string, unknown>);
    });
    return this.validator;
  }

  /** Polls GET /api/interconnects/{name} until `done` says so; fails with the last record seen. */
  async waitForRecord(name: string, done: (record: Json) => boolean, timeoutMs = 60_000): Promise<Json> {
    const until = Date.now() + timeoutMs;
    let last: Json;
    while (Date.now() < until) {
      const res = await this.api("GET", `interconnects/${name}`).catch(() => undefined);
      if (res?.status === 200) {
        last = res.json;
        if (done(last)) return last;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`timed out waiting for ${name}; last record: ${JSON.stringify(last, null, 1)}; host log: ${this.logDir}`);
  }

  /**
   * Polls a Durable status URL until the instance has ended and returns its status. The record turns
   * active or deleted one step before the orchestration finishes (a last audit row), so a status read
   * right after the record may still say Running.
   */
  async waitForInstanceEnd(statusQueryGetUri: string, timeoutMs = 30_000): Promise<Json> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const status = (await (await fetch(statusQueryGetUri)).json()) as Json;
      if (!["Pending", "Running"].includes(status.runtimeStatus)) return status;
      if (Date.now() > until) throw new Error(`timed out waiting for the instance to end; last status: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Leaves the clouds as a new test expects them, whatever the last test left: faults off, each named
   * interconnect torn down (a DELETE, as a user would), and the emulators reset to their seed if a
   * teardown could not remove everything. One failed scenario then cannot fail the ones after it.
   */
  async cleanUp(names: Iterable<string>, timeoutMs = 90_000): Promise<void> {
    await this.faults("PUT", {});
    for (const name of names) {
      const res = await this.api("DELETE", `interconnects/${name}?reason=test%20cleanup`);
      if (res.status !== 202) continue;
      await this.waitForRecord(name, (r) => r.state === "deleted" || r.state === "failed", timeoutMs).catch(() => undefined);
    }
    const left = counts(inventory(await this.admin("GET", "state")));
    if (Object.values(left).some((n) => n > 0)) await this.admin("POST", "reset");
  }

  /** Polls the emulators' state until `done` holds for what exists on the two clouds. */
  async waitForClouds(what: string, done: (inv: Inventory) => boolean, timeoutMs = 60_000): Promise<Inventory> {
    const until = Date.now() + timeoutMs;
    let inv = inventory(await this.admin("GET", "state"));
    while (!done(inv)) {
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${what}; clouds: ${JSON.stringify(counts(inv))}; host log: ${this.logDir}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      inv = inventory(await this.admin("GET", "state"));
    }
    return inv;
  }

  // ---- the emulators' admin endpoint (on the ARM server, HTTPS with the local CA) -------------

  async admin(method: "GET" | "PUT" | "PATCH" | "POST", route: string, body?: unknown): Promise<Json> {
    const url = new URL(`/admin/${route}`, this.emulators.arm.url);
    const ca = readFileSync(this.emulators.arm.caCertPath);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method, ca, headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {} },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => {
            if ((res.statusCode ?? 500) >= 300) return reject(new Error(`admin ${method} ${route}: ${res.statusCode} ${text}`));
            resolve(text ? JSON.parse(text) : null);
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** The OCI emulator's /admin/faults: OCI's operations and Oracle's side (provider, BGP). */
  async ociFaults(method: "PUT" | "PATCH", body: unknown): Promise<Json> {
    const res = await fetch(new URL("/admin/faults", this.emulators.oci.url), {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`OCI admin ${method} faults: ${res.status} ${text}`);
    return JSON.parse(text) as Json;
  }

  /** Both emulators' faults at once (each emulator owns its own). */
  async faults(
    method: "PUT" | "PATCH",
    body: { operations?: Record<string, unknown>; providerNeverProvisions?: boolean; bgpStaysDown?: boolean },
  ): Promise<void> {
    const { providerNeverProvisions, bgpStaysDown, operations = {} } = body;
    const side = (cloud: string) => Object.fromEntries(Object.entries(operations).filter(([k]) => k === "*" || k.startsWith(`${cloud}:`)));
    await this.admin(method, "faults", { operations: side("arm") });
    await this.ociFaults(method, {
      operations: side("oci"),
      ...(providerNeverProvisions === undefined ? {} : { providerNeverProvisions }),
      ...(bgpStaysDown === undefined ? {} : { bgpStaysDown }),
    });
  }
}
