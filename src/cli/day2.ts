/**
 * Day-2 commands: `change` (a JSON merge patch of an active interconnect's spec) and `adopt` (take over one
 * built by hand). Both start an orchestration and follow its Durable status URL: a change's record stays
 * active all along, and an adoption's record exists only once its chain is verified. `status --watch`
 * (main.ts) resumes either by name through followInstance.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { ApiClient, Json } from "./api-client";
import { CliError, EXIT } from "./exit";
import type { LiveView } from "./live-view";
import { recordSummary } from "./tables";
import { Detached, statusUrlLook, watchInstance, type InstanceLook } from "./watch";

/** What main.ts lends the commands: the target, the views, the streams, Ctrl-C and the exit code. */
export interface CommandKit {
  context(): { client: ApiClient; json: boolean; intervalMs: number };
  view(json: boolean): LiveView;
  out(text: string): void;
  err(text: string): void;
  signal: AbortSignal;
  setExit(code: number): void;
}

/** RFC 7396's media type, which the service requires of a PATCH. */
const MERGE_PATCH = "application/merge-patch+json";
const BANDWIDTHS_MBPS = [1000, 2000, 5000, 10000];
const GRANTABLE = ["connection", "virtual-circuit", "circuit", "gateway", "gateway-subnet"];

const collect = (value: string, previous: string[]) => [...previous, value];

function keyValues(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new CliError(`${flag} takes key=value, got "${pair}"`, EXIT.usage);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

interface ChangeOptions {
  bandwidth?: string;
  skuTier?: string;
  skuFamily?: string;
  tag: string[];
  removeTag: string[];
  fastpath?: boolean;
  confirmIrreversible?: boolean;
  detach?: boolean;
}

/** The merge patch the options ask for: only what they name, tags removed with null. */
export function changePatch(o: ChangeOptions): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const azure: Record<string, unknown> = {};
  if (o.bandwidth !== undefined) {
    const mbps = Number(o.bandwidth);
    if (!BANDWIDTHS_MBPS.includes(mbps))
      throw new CliError(
        `--bandwidth is in Mbps: one of ${BANDWIDTHS_MBPS.join(", ")} (FastConnect's shapes); got "${o.bandwidth}"`,
        EXIT.usage,
      );
    patch.bandwidthGbps = mbps / 1000;
  }
  if (o.skuTier !== undefined || o.skuFamily !== undefined)
    azure.circuitSku = { ...(o.skuTier ? { tier: o.skuTier } : {}), ...(o.skuFamily ? { family: o.skuFamily } : {}) };
  if (o.fastpath !== undefined) azure.gateway = { fastPath: o.fastpath };
  if (Object.keys(azure).length > 0) patch.azure = azure;
  const tags: Record<string, string | null> = keyValues(o.tag, "--tag");
  for (const key of o.removeTag) tags[key] = null;
  if (Object.keys(tags).length > 0) patch.tags = tags;
  if (Object.keys(patch).length === 0)
    throw new CliError(
      "Nothing to change: give at least one of --bandwidth, --sku-tier, --sku-family, --tag, --remove-tag, --fastpath, --no-fastpath",
      EXIT.usage,
    );
  if (o.confirmIrreversible) patch.confirmIrreversible = true;
  return patch;
}

/** The 409 of a change that cannot be undone, said in the CLI's words. */
function irreversibleRefusal(name: string, e: CliError): CliError | undefined {
  const errors = ((e.body as Json)?.errors ?? []) as { path: string; message: string }[];
  const irreversible = errors.filter((x) => /never be undone/.test(x.message));
  // Only when confirming is all it takes: a change that also needs a rebuild keeps the service's own words.
  if (e.exitCode !== EXIT.conflict || irreversible.length === 0 || irreversible.length < errors.length) return undefined;
  const lines = irreversible.map(
    (x) => `  ${x.path}: ${x.message.replace(/; send "confirmIrreversible": true in the patch to go ahead$/, "")}`,
  );
  return new CliError(
    `Not changed: this change of ${name} cannot be undone:\n${lines.join("\n")}\nIf that is what you want, run the same command again with --confirm-irreversible.`,
    EXIT.conflict,
    e.body,
  );
}

/**
 * Follows the instance to its end and says how it ended; the exit code scripts branch on. The command
 * that starts it and `status --watch`, which resumes it by name, differ only in the look they pass.
 */
export async function followInstance(
  kit: CommandKit,
  client: ApiClient,
  name: string,
  kind: "change" | "adopt",
  look: InstanceLook,
  json: boolean,
  intervalMs: number,
): Promise<number> {
  const live = kit.view(json);
  let status: Json;
  try {
    status = await watchInstance(look, name, kind, live, { intervalMs, signal: kit.signal });
  } catch (e) {
    if (!(e instanceof Detached)) {
      await live.close("failed", e instanceof Error ? e.message : String(e));
      throw e;
    }
    await live.close("detached", `detached from ${name}: the ${kind === "change" ? "change" : "adoption"} goes on in the service`);
    kit.err(`Detached; nothing was cancelled. Resume watching with: interconnect status ${name} --watch`);
    return EXIT.detached;
  }
  const done = status.runtimeStatus === "Completed";
  // The failure message lists the problems joined by "; ", each with its fix: one a line reads better.
  const why = String(status.output ?? status.runtimeStatus).replace(/; /g, "\n  ");
  const summary = done ? `${name} is ${kind === "change" ? "changed" : "adopted: active and watched"}` : `${name}: ${why}`;
  await live.close(
    done ? "done" : "failed",
    done ? summary : `${name} ${kind === "change" ? "change" : "adoption"} ${status.runtimeStatus}`,
  );
  const record = done ? (await client.call("GET", `interconnects/${encodeURIComponent(name)}`)).body : undefined;
  if (json) kit.out(JSON.stringify(record ?? status, null, 2));
  else if (done) kit.out(recordSummary(record));
  else kit.err(summary);
  return done ? EXIT.ok : EXIT.failed;
}

export function registerDay2Commands(program: Command, kit: CommandKit): void {
  program
    .command("change")
    .description("change an active interconnect in place (a JSON merge patch of its spec) and watch the change run")
    .argument("<name>", "the interconnect's name")
    .option("--bandwidth <mbps>", "the new bandwidth in Mbps: 1000, 2000, 5000 or 10000 (an increase only; it cannot be undone)")
    .option("--sku-tier <tier>", "the circuit's SKU tier: Standard or Premium")
    .option("--sku-family <family>", "the circuit's SKU family: MeteredData or UnlimitedData (to UnlimitedData cannot be undone)")
    .option("--tag <key=value>", "set a tag on both clouds (repeatable)", collect, [])
    .option("--remove-tag <key>", "remove a tag from both clouds (repeatable)", collect, [])
    .option("--fastpath", "turn FastPath on on the connection (the gateway SKU must have it)")
    .option("--no-fastpath", "turn FastPath off")
    .option("--confirm-irreversible", "go ahead with what cannot be undone (a bandwidth increase, UnlimitedData)")
    .option("--detach", "return once the change has started; watch it later with status --watch")
    .action(async (name: string, o: ChangeOptions) => {
      const { client, json, intervalMs } = kit.context();
      const patch = changePatch(o);
      let answer;
      try {
        answer = await client.call("PATCH", `interconnects/${encodeURIComponent(name)}`, patch, [200, 202], MERGE_PATCH);
      } catch (e) {
        throw (e instanceof CliError && irreversibleRefusal(name, e)) || e;
      }
      const body = answer.body;
      if (answer.status === 200) {
        kit.out(json ? JSON.stringify(body, null, 2) : `Nothing to change: ${name} has that already.`);
        return;
      }
      if (!json) {
        kit.out(`${body.outcome === "started" ? "Change started" : "The same change runs already"}: ${body.id}`);
        for (const c of body.changes as Json[])
          kit.out(`  ${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}${c.irreversible ? " (cannot be undone)" : ""}`);
      }
      if (o.detach) {
        if (json) kit.out(JSON.stringify(body, null, 2));
        return;
      }
      kit.setExit(
        await followInstance(kit, client, name, "change", statusUrlLook(client, String(body.statusQueryGetUri)), json, intervalMs),
      );
    });

  program
    .command("adopt")
    .description(
      "adopt an interconnect built by hand or by Terraform: the whole chain is verified, then tagged, recorded active and watched; a later down removes only what --grant lists",
    )
    .option("--from <file>", "start from this adoption request (JSON), e.g. .local/adoption-legacy.json; the options below override it")
    .option("--name <name>", "the name to adopt it under")
    .option("--circuit-id <armId>", "the ExpressRoute circuit's ARM id (or --virtual-circuit-id)")
    .option("--virtual-circuit-id <ocid>", "the FastConnect virtual circuit's OCID (with --subscription-id)")
    .option("--subscription-id <guid>", "the subscription whose circuits are searched for the virtual circuit's service key")
    .option("--connection-name <name>", "the connection gateway ⇄ circuit")
    .option("--region <region>", "the OCI region, e.g. us-ashburn-1")
    .option("--compartment-id <ocid>", "the compartment of the virtual circuit")
    .option("--vcn-id <ocid>", "the VCN the DRG is attached to")
    .option("--grant <kinds>", `what the service may tear down: ${GRANTABLE.join(", ")} (comma-separated, repeatable)`, collect, [])
    .option("--tag <key=value>", "a tag to add on both clouds (repeatable)", collect, [])
    .option("--detach", "return once the adoption has started; watch it later with status --watch")
    .action(async (o: AdoptOptions) => {
      const { client, json, intervalMs } = kit.context();
      const { body } = await client.call("POST", "interconnects/adoptions", adoptionBody(o), [202]);
      if (!json) kit.out(`${body.outcome === "started" ? "Adoption started" : "An adoption of this name runs already"}: ${body.id}`);
      if (o.detach) {
        if (json) kit.out(JSON.stringify(body, null, 2));
        return;
      }
      kit.setExit(
        await followInstance(
          kit,
          client,
          String(body.name),
          "adopt",
          statusUrlLook(client, String(body.statusQueryGetUri)),
          json,
          intervalMs,
        ),
      );
    });
}

interface AdoptOptions {
  from?: string;
  name?: string;
  circuitId?: string;
  virtualCircuitId?: string;
  subscriptionId?: string;
  connectionName?: string;
  region?: string;
  compartmentId?: string;
  vcnId?: string;
  grant: string[];
  tag: string[];
  detach?: boolean;
}

/** The request body as the API takes it; the service validates it and names every field it refuses. */
export function adoptionBody(o: AdoptOptions): Record<string, unknown> {
  let base: Json = {};
  if (o.from) {
    try {
      base = JSON.parse(readFileSync(o.from, "utf8"));
    } catch (err) {
      throw new CliError(`Cannot read the adoption request ${o.from}: ${err instanceof Error ? err.message : String(err)}`, EXIT.usage);
    }
    if (typeof base !== "object" || base === null || Array.isArray(base))
      throw new CliError(`The adoption request ${o.from} must be a JSON object`, EXIT.usage);
  }
  const set = (target: Json, key: string, value: unknown) => (value === undefined ? target : { ...target, [key]: value });
  let azure: Json = base.azure ?? {};
  azure = set(azure, "circuitId", o.circuitId);
  azure = set(azure, "subscriptionId", o.subscriptionId);
  azure = set(azure, "connectionName", o.connectionName);
  let oci: Json = base.oci ?? {};
  oci = set(oci, "region", o.region);
  oci = set(oci, "compartmentId", o.compartmentId);
  oci = set(oci, "vcnId", o.vcnId);
  oci = set(oci, "virtualCircuitId", o.virtualCircuitId);
  const grant = o.grant
    .flatMap((g) => g.split(","))
    .map((g) => g.trim())
    .filter(Boolean);
  const tags = keyValues(o.tag, "--tag");
  return {
    ...base,
    ...(o.name ? { name: o.name } : {}),
    azure,
    oci,
    ...(grant.length > 0 ? { grant } : {}),
    ...(Object.keys(tags).length > 0 ? { tags: { ...base.tags, ...tags } } : {}),
  };
}
