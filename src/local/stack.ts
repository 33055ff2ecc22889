import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { startAzurite, type RunningAzurite } from "./azurite";
import { DEFAULT_SIM_SPEED } from "./clock/virtual-clock";
import { startEmulators, type RunningEmulators } from "./emulators";
import { JIRA_SEED, SERVICENOW_SEED, startItsmEmulators, type RunningItsmEmulators } from "./emulators/itsm";
import { emulatorAppSettings, loadLocalSettings } from "./settings";

/**
 * `npm start`: Azurite (persisted), the two cloud emulators (unless the settings point at real clouds)
 * and the local Functions host as a child process: the host needs NODE_EXTRA_CA_CERTS for the ARM
 * emulator's local CA in its environment before Node starts.
 */
const ROOT = path.resolve(__dirname, "../../..");
/** LOCAL_STACK_DIR (environment): another folder for the stack's state, e.g. to keep two stacks apart. */
const LOCAL = path.resolve(ROOT, process.env.LOCAL_STACK_DIR || ".local");
const LOCK = path.join(LOCAL, "stack.lock");
/** Default ports, each overridable from the environment or local.settings.json (to run beside another Azurite or func). */
const PORT_SETTINGS = {
  host: ["HOST_PORT", 7071],
  blob: ["AZURITE_BLOB_PORT", 10000],
  queue: ["AZURITE_QUEUE_PORT", 10001],
  table: ["AZURITE_TABLE_PORT", 10002],
  arm: ["ARM_EMULATOR_PORT", 8443],
  oci: ["OCI_EMULATOR_PORT", 8444],
  servicenow: ["SERVICENOW_EMULATOR_PORT", 8445],
  jira: ["JIRA_EMULATOR_PORT", 8446],
} as const;
type PortName = keyof typeof PORT_SETTINGS;
/** A full provisioning of the README example on the emulators' default durations, in simulated seconds (critical path 32.8 min; npm run bench measures it). */
const PROVISIONING_SIMULATED_SECONDS = 35 * 60;

function fail(message: string): never {
  console.error(`\nnpm start: ${message}\n`);
  process.exit(1);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portBusy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function ports(values: Record<string, string | undefined>): Record<PortName, number> {
  const problems: string[] = [];
  const chosen = {} as Record<PortName, number>;
  for (const [name, [setting, fallback]] of Object.entries(PORT_SETTINGS) as [PortName, readonly [string, number]][]) {
    const raw = process.env[setting] ?? values[setting];
    const port = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      problems.push(`${setting} must be a port number from 1 to 65535, got "${raw}"`);
    chosen[name] = port;
  }
  if (problems.length) fail(problems.join("; "));
  return chosen;
}

function takeLock(hostPort: number): void {
  mkdirSync(LOCAL, { recursive: true });
  if (existsSync(LOCK)) {
    const held = JSON.parse(readFileSync(LOCK, "utf8")) as { pid: number; url: string };
    if (alive(held.pid))
      fail(
        `the local stack is already running (pid ${held.pid}, ${held.url}). Use it, or stop it with Ctrl-C in its terminal (or kill ${held.pid}).`,
      );
  }
  writeFileSync(LOCK, JSON.stringify({ pid: process.pid, url: `http://127.0.0.1:${hostPort}` }));
}

async function main(): Promise<void> {
  const settings = loadLocalSettings(ROOT);
  const values = { ...settings.values };
  const PORTS = ports(values);
  const HOST_PORT = PORTS.host;
  takeLock(HOST_PORT);
  if (settings.fromSample)
    console.log(
      "No local.settings.json: using the defaults of local.settings.sample.json (they point at the local emulators). Copy it to local.settings.json to change settings.",
    );
  else console.log(`Settings from ${path.relative(ROOT, settings.source)}`);
  const speed = Number(process.env.SIM_SPEED ?? values.SIM_SPEED ?? DEFAULT_SIM_SPEED);
  if (!(speed > 0)) fail(`SIM_SPEED must be a positive number, got "${process.env.SIM_SPEED ?? values.SIM_SPEED}"`);
  values.SIM_SPEED = String(speed);
  const realClouds = values.AZURE_CREDENTIAL === "default";

  const wanted = [
    ["Functions host", HOST_PORT],
    ["Azurite blob", PORTS.blob],
    ["Azurite queue", PORTS.queue],
    ["Azurite table", PORTS.table],
    ...(realClouds
      ? []
      : [
          ["ARM emulator", PORTS.arm],
          ["OCI emulator", PORTS.oci],
          ["ServiceNow emulator", PORTS.servicenow],
          ["Jira emulator", PORTS.jira],
        ]),
  ] as [string, number][];
  const busy = [];
  for (const [name, port] of wanted) if (await portBusy(port)) busy.push(`${name} port ${port}`);
  if (busy.length) {
    rmSync(LOCK, { force: true });
    fail(
      `these ports are in use: ${busy.join(", ")}. Stop whatever listens there (another Azurite, func, or a stack started elsewhere), or choose other ports with ${Object.values(
        PORT_SETTINGS,
      )
        .map(([setting]) => setting)
        .join(", ")} (environment or local.settings.json), and run npm start again.`,
    );
  }

  let azurite: RunningAzurite | undefined;
  let emulators: RunningEmulators | undefined;
  let itsm: RunningItsmEmulators | undefined;
  const running: { host?: ChildProcess } = {};
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the local stack…");
    const host = running.host;
    if (host && host.exitCode === null) {
      const exited = new Promise((r) => host.once("exit", r));
      host.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (host.exitCode === null) host.kill("SIGKILL");
    }
    await emulators?.close().catch(() => undefined);
    await itsm?.close().catch(() => undefined);
    await azurite?.stop().catch(() => undefined);
    rmSync(LOCK, { force: true });
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  try {
    azurite = await startAzurite({
      location: path.join(LOCAL, "azurite"),
      blobPort: PORTS.blob,
      queuePort: PORTS.queue,
      tablePort: PORTS.table,
    });
  } catch (e) {
    rmSync(LOCK, { force: true });
    fail(
      `Azurite did not start: ${(e as Error).message}\nIf its data under ${path.relative(ROOT, path.join(LOCAL, "azurite"))} is damaged, delete that folder (you lose local state) and try again.`,
    );
  }
  let clockFile = path.join(LOCAL, "clock.json");
  if (!realClouds) {
    emulators = await startEmulators({
      speed,
      dataDir: path.join(LOCAL, "emulators"),
      armPort: PORTS.arm,
      ociPort: PORTS.oci,
      token: values.AZURE_EMULATOR_TOKEN || undefined,
    });
    if (emulators.clockFile) clockFile = emulators.clockFile;
    // In memory and seeded afresh on every start: the seeded change request and issue keep their ids.
    itsm = await startItsmEmulators({ servicenowPort: PORTS.servicenow, jiraPort: PORTS.jira });
  }
  // What actually started wins over local.settings.json, as Core Tools' Values would point at it.
  const env = emulatorAppSettings(azurite, emulators, itsm ? { servicenowUrl: itsm.servicenow.url, jiraUrl: itsm.jira.url } : undefined);

  const main = path.join(ROOT, "dist/src/local/host/main.js");
  const host = spawn(process.execPath, [main], {
    cwd: ROOT,
    // local.settings.json wins over nothing but the emulator values filled in above, as Core Tools puts Values into the environment.
    env: {
      ...process.env,
      ...values,
      ...env,
      HOST_APP_DIR: ROOT,
      HOST_PORT: String(HOST_PORT),
      HOST_CLOCK_FILE: clockFile,
      SIM_SPEED: String(speed),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.host = host;
  const url = await new Promise<string>((resolve) => {
    let out = "";
    host.stdout?.on("data", (c: Buffer) => {
      const text = c.toString();
      out += text;
      // The READY line is for this process; the banner below says it for the reader.
      process.stdout.write(text.replace(/^HOST READY \S+\n/m, ""));
      const m = /HOST READY (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    host.once("exit", (code) => {
      if (stopping) return;
      console.error(`The Functions host exited (code ${code}).${/build the app first/.test(out) ? " Run npm run build." : ""}`);
      void stop(1);
    });
  });

  const facts = {
    host: url,
    api: `${url}/api`,
    durableApi: `${url}/runtime/webhooks/durabletask`,
    console: `${url}/api/console/`,
    // Azurite's well-known development account key is public (Microsoft documents it); it is no secret.
    azurite: {
      blob: azurite.blobUrl,
      queue: azurite.queueUrl,
      table: azurite.tableUrl,
      connectionString: azurite.connectionString,
      data: path.join(LOCAL, "azurite"),
    },
    emulators: emulators
      ? {
          arm: {
            url: emulators.arm.url,
            caCertPath: emulators.arm.caCertPath,
            subscriptionId: emulators.arm.subscriptionId,
            resourceGroup: emulators.arm.resourceGroup,
            location: emulators.arm.location,
            virtualNetworkId: emulators.arm.virtualNetworkId,
          },
          oci: {
            url: emulators.oci.url,
            tenancyId: emulators.oci.tenancyId,
            userId: emulators.oci.userId,
            region: emulators.oci.region,
            compartmentId: emulators.oci.compartmentId,
            vcnId: emulators.oci.vcnId,
            routeTableId: emulators.oci.routeTableId,
            providerServiceId: emulators.oci.providerServiceId,
          },
        }
      : null,
    itsm: itsm
      ? {
          servicenow: {
            url: itsm.servicenow.url,
            changeRequest: { sys_id: SERVICENOW_SEED.change.sys_id, number: SERVICENOW_SEED.change.number },
          },
          jira: { url: itsm.jira.url, issue: { id: itsm.jira.issue(JIRA_SEED.issue.key)?.id, key: JIRA_SEED.issue.key } },
        }
      : null,
    clock: { speed, anchorFile: clockFile },
    settingsSource: settings.source,
    pid: process.pid,
  };
  writeFileSync(path.join(LOCAL, "stack.json"), JSON.stringify(facts, null, 2));
  console.log(
    [
      "",
      "Local stack ready:",
      `  Web console      ${url}/api/console/  (open it in a browser: list, timelines, start and tear down)`,
      `  Functions host   ${url}  (HTTP API under /api, Durable API under /runtime/webhooks/durabletask)`,
      `  Azurite          blob ${azurite.blobUrl}  queue ${azurite.queueUrl}  table ${azurite.tableUrl}  (data in ${path.relative(ROOT, path.join(LOCAL, "azurite"))})`,
      emulators
        ? `  ARM emulator     ${emulators.arm.url}  (subscription ${emulators.arm.subscriptionId}, resource group ${emulators.arm.resourceGroup})`
        : "  Clouds           real Azure and OCI (AZURE_CREDENTIAL=default): no emulator started",
      emulators ? `  OCI emulator     ${emulators.oci.url}  (compartment ${emulators.oci.compartmentId})` : "",
      itsm ? `  ServiceNow       ${itsm.servicenow.url}  (change request ${SERVICENOW_SEED.change.number})` : "",
      itsm ? `  Jira             ${itsm.jira.url}  (issue ${JIRA_SEED.issue.key})` : "",
      `  Virtual clock    x${speed} (SIM_SPEED): a full provisioning takes about ${Math.max(1, Math.round(PROVISIONING_SIMULATED_SECONDS / speed))} s of real time`,
      "",
      "Try it:",
      `  curl -s -X POST ${url}/api/interconnects -H 'content-type: application/json' --data @examples/erp-prod.json`,
      ...(itsm ? [`  node scripts/itsm-event.js servicenow plan      (a signed ticket event; README "From a ticket")`] : []),
      "",
      `Facts for scripts: ${path.relative(ROOT, path.join(LOCAL, "stack.json"))}. Ctrl-C stops everything.`,
    ]
      .filter((l, i, a) => l !== "" || a[i - 1] !== "")
      .join("\n"),
  );
}

main().catch((e: unknown) => {
  rmSync(LOCK, { force: true });
  fail((e as Error)?.stack ?? String(e));
});
