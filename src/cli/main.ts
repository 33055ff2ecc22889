#!/usr/bin/env node
/**
 * interconnect: the service's command line, a client of its REST API (it imports nothing of the app);
 * change and adopt are in day2.ts.
 * Exit codes (exit.ts): 0 active/deleted/ready, 1 failed, 2 usage or validation, 3 conflict,
 * 4 unreachable or unauthorized, 130 detached with Ctrl-C.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { ApiClient, type Json } from "./api-client";
import { followInstance, registerDay2Commands, type CommandKit } from "./day2";
import { CliError, EXIT } from "./exit";
import { plainView, ttyView, type LiveView } from "./live-view";
import { adoptionSummary, auditTable, interconnectsTable, planReport, recordSummary } from "./tables";
import { resolveTarget, type TargetOptions } from "./target";
import { ABSENT, adoptionLook, Detached, recordLook, watchOperation } from "./watch";

export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted by Ctrl-C: a watch detaches. */
  signal: AbortSignal;
}

interface GlobalOptions extends TargetOptions {
  json?: boolean;
  interval: string;
}

function readSpec(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`Cannot read the spec ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.usage);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`The spec ${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`, EXIT.usage);
  }
}

async function allPages(client: ApiClient, route: string): Promise<Json[]> {
  const items: Json[] = [];
  let next: string | null = route;
  while (next !== null) {
    const { body } = await client.call("GET", next);
    items.push(...(body.items as Json[]));
    next = body.continuationToken
      ? `${route}${route.includes("?") ? "&" : "?"}continuationToken=${encodeURIComponent(body.continuationToken)}`
      : null;
  }
  return items;
}

function isNotFound(e: unknown): boolean {
  return e instanceof CliError && (e.body as Json)?.status === 404;
}

/** The adoption of this name (GET …/adoption), or undefined when there is none (or the service predates that route). */
async function adoptionOf(client: ApiClient, name: string): Promise<Json | undefined> {
  try {
    return (await client.call("GET", `interconnects/${encodeURIComponent(name)}/adoption`)).body;
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.usage) return undefined;
    throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = (text: string) => io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  const err = (text: string) => io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  let exitCode: number = EXIT.ok;
  const program = new Command("interconnect")
    .description("Plan, provision, watch and tear down Azure ExpressRoute ⇄ OCI FastConnect interconnects through the service's REST API.")
    .version("0.1.0")
    .addOption(new Option("--url <url>", "the service (default: INTERCONNECT_URL, else the local stack in .local/stack.json)"))
    .addOption(new Option("--key <key>", "a function key, sent as x-functions-key (default: INTERCONNECT_KEY)"))
    .addOption(
      new Option(
        "--entra <appIdUri>",
        "get an Entra token for this application ID URI with DefaultAzureCredential (App Service authentication)",
      ),
    )
    .option("--json", "print JSON for scripts instead of tables and the live view")
    .option("--interval <seconds>", "seconds between two looks while watching", "2")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();

  const context = () => {
    const g = program.opts<GlobalOptions>();
    const intervalMs = Number(g.interval) * 1000;
    if (!Number.isFinite(intervalMs) || intervalMs < 50)
      throw new CliError("--interval must be a number of seconds, at least 0.05", EXIT.usage);
    return { client: new ApiClient(resolveTarget(g, io.env, io.cwd)), json: g.json === true, intervalMs };
  };
  const print = (json: boolean, value: unknown, text: string) => out(json ? JSON.stringify(value, null, 2) : text);

  const view = (json: boolean): LiveView => {
    if (json) return { update: () => undefined, close: async () => undefined };
    return io.stdout.isTTY ? ttyView(io.stdout, io.stderr) : plainView(io.stdout);
  };

  /** Watches to the end; the exit code says how it ended. */
  const follow = async (
    client: ApiClient,
    name: string,
    kind: "provision" | "teardown",
    json: boolean,
    intervalMs: number,
  ): Promise<number> => {
    const live = view(json);
    let record: Json;
    try {
      record = await watchOperation(client, name, kind, live, { intervalMs, signal: io.signal });
    } catch (e) {
      if (!(e instanceof Detached)) {
        await live.close("failed", e instanceof Error ? e.message : String(e));
        throw e;
      }
      await live.close(
        "detached",
        `detached from ${name}: the ${kind === "provision" ? "provisioning" : "teardown"} goes on in the service`,
      );
      err(`Detached; nothing was cancelled. Resume watching with: interconnect status ${name} --watch`);
      return EXIT.detached;
    }
    const done = record.state === (kind === "provision" ? "active" : "deleted");
    const failure = record.failure;
    const summary = done
      ? `${name} is ${record.state}`
      : failure
        ? `${name} failed at step ${failure.step}: ${failure.code}: ${failure.message}`
        : `${name} is ${record.state}: nothing runs its ${kind} any more (orphaned); DELETE it`;
    await live.close(done ? "done" : "failed", summary);
    if (json) out(JSON.stringify(record, null, 2));
    else if (!done) err(summary);
    return done ? EXIT.ok : EXIT.failed;
  };

  program
    .command("plan")
    .description(
      "plan a spec against the live clouds: what would be created, reused or shared, what bills, how long, what to fix (creates nothing)",
    )
    .argument("<spec>", "the spec file (JSON), e.g. examples/erp-prod.json")
    .action(async (file: string) => {
      const { client, json, intervalMs } = context();
      const { body: accepted } = await client.call("POST", "interconnects/plans", readSpec(file), [202]);
      let plan: Json;
      for (;;) {
        const answer = await client.call("GET", `interconnects/plans/${encodeURIComponent(accepted.planId)}`);
        if (answer.status === 200) {
          plan = answer.body;
          break;
        }
        await sleep(Math.min(intervalMs, 1000));
      }
      print(json, plan, planReport(plan));
      exitCode = plan.ready ? EXIT.ok : EXIT.usage;
    });

  program
    .command("up")
    .description("provision the interconnect of a spec and watch it until it is active (or failed)")
    .argument("<spec>", "the spec file (JSON)")
    .option("--plan <planId>", "start only if this ready plan of the same spec still matches the clouds")
    .option("--detach", "return once it has started; watch later with status --watch")
    .action(async (file: string, options: { plan?: string; detach?: boolean }) => {
      const { client, json, intervalMs } = context();
      const spec = readSpec(file) as { name?: unknown };
      const query = options.plan ? `?planId=${encodeURIComponent(options.plan)}` : "";
      const { status, body } = await client.call("POST", `interconnects${query}`, spec, [200, 202]);
      if (!json)
        out(
          status === 200
            ? `${body.name} is already active (operation ${body.id}).`
            : `${body.outcome === "started" ? "Started" : body.outcome === "restarted" ? "Restarted over a stopped provisioning" : "Already running"}: ${body.id} (status ${body.statusQueryGetUri.split("?")[0]})`,
        );
      if (options.detach) {
        if (json) out(JSON.stringify(body, null, 2));
        return;
      }
      exitCode = await follow(client, String(body.name), "provision", json, intervalMs);
    });

  const kit: CommandKit = { context, view, out, err, signal: io.signal, setExit: (code) => (exitCode = code) };

  program
    .command("status")
    .description("show an interconnect and its current operation; --watch follows it to the end")
    .argument("<name>", "the interconnect's name")
    .option("--watch", "follow the operation under way (provisioning, teardown, change, adoption) until it ends (Ctrl-C detaches)")
    .action(async (name: string, options: { watch?: boolean }) => {
      const { client, json, intervalMs } = context();
      let record: Json | undefined;
      let missing: unknown;
      try {
        record = (await client.call("GET", `interconnects/${encodeURIComponent(name)}`)).body;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        missing = e;
      }
      // An adoption writes its record only once the chain is verified: until then the name has no record, or a deleted one.
      if (record === undefined || record.state === "deleted") {
        const adoption = await adoptionOf(client, name);
        if (adoption !== undefined) {
          if (options.watch) {
            exitCode = await followInstance(kit, client, name, "adopt", adoptionLook(client, name), json, intervalMs);
            return;
          }
          print(json, adoption, adoptionSummary(adoption));
          exitCode = ["Failed", "Terminated", "Canceled"].includes(adoption.runtimeStatus) ? EXIT.failed : EXIT.ok;
          return;
        }
        if (record === undefined) throw missing;
      }
      const op = record.currentOperation;
      const inFlight = ["requested", "provisioning", "tearing-down"].includes(record.state);
      if (options.watch && (op?.kind === "provision" || op?.kind === "teardown") && inFlight) {
        exitCode = await follow(client, name, op.kind, json, intervalMs);
        return;
      }
      // A change or an adoption leaves the record active: its instance says whether it runs or how it ended.
      if (options.watch && (op?.kind === "change" || op?.kind === "adopt") && op.runtimeStatus !== ABSENT) {
        exitCode = await followInstance(kit, client, name, op.kind, recordLook(client, name, op.kind), json, intervalMs);
        return;
      }
      print(json, record, recordSummary(record));
      exitCode = record.state === "failed" ? EXIT.failed : EXIT.ok;
    });

  program
    .command("list")
    .description("list the interconnects")
    .option("--state <state>", "only those in this state")
    .option("--vnet <armId>", "only those on this virtual network (its ARM id)")
    .option("--vcn <ocid>", "only those on this VCN (its OCID)")
    .action(async (options: { state?: string; vnet?: string; vcn?: string }) => {
      const { client, json } = context();
      const query = new URLSearchParams({ top: "1000" });
      if (options.state) query.set("state", options.state);
      if (options.vnet) query.set("virtualNetworkId", options.vnet);
      if (options.vcn) query.set("vcnId", options.vcn);
      const items = await allPages(client, `interconnects?${query.toString()}`);
      print(json, items, items.length ? interconnectsTable(items) : "No interconnects.");
    });

  program
    .command("audit")
    .description("show an interconnect's audit trail, oldest first")
    .argument("<name>", "the interconnect's name")
    .action(async (name: string) => {
      const { client, json } = context();
      const items = await allPages(client, `interconnects/${encodeURIComponent(name)}/audit?top=1000&order=asc`);
      print(json, items, auditTable(items));
    });

  program
    .command("down")
    .description("tear an interconnect down in the safe order; --watch follows it until it is deleted")
    .argument("<name>", "the interconnect's name")
    .requiredOption("--reason <text>", "why (kept in the audit trail)")
    .option("--watch", "follow the teardown until it ends (Ctrl-C detaches)")
    .action(async (name: string, options: { reason: string; watch?: boolean }) => {
      const { client, json, intervalMs } = context();
      const { body } = await client.call(
        "DELETE",
        `interconnects/${encodeURIComponent(name)}?reason=${encodeURIComponent(options.reason)}`,
        undefined,
        [200, 202],
      );
      // 200 cancelled: the provisioning was still queued for its turn, built nothing, and the interconnect is deleted already.
      const cancelled = body.outcome === "cancelled";
      if (!json)
        out(
          cancelled
            ? `Cancelled while queued (nothing was built; the interconnect is deleted): ${body.id}`
            : `${body.outcome === "started" ? "Teardown started" : body.outcome === "restarted" ? "Teardown restarted over a stopped one" : "Teardown already running"}: ${body.id}${body.stoppedProvisioning ? ` (stopped ${body.stoppedProvisioning})` : ""}`,
        );
      if (!options.watch || cancelled) {
        if (json) out(JSON.stringify(body, null, 2));
        return;
      }
      exitCode = await follow(client, name, "teardown", json, intervalMs);
    });

  registerDay2Commands(program, kit);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (e instanceof CliError) {
      if (program.opts<GlobalOptions>().json && e.body !== undefined) out(JSON.stringify(e.body, null, 2));
      err(e.message);
      return e.exitCode;
    }
    err(`Unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.unreachable;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
    // A second Ctrl-C, or timers of a closed view, must not keep the process alive.
    setTimeout(() => process.exit(code), 100).unref();
  });
}
