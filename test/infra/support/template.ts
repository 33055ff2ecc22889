import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository root (tests run from it). */
export const root = join(__dirname, "..", "..", "..");

/** One resource of a compiled template, with the nested deployment it sits in (if any). */
export interface ArmResource {
  type: string;
  name: string;
  scope?: string;
  condition?: unknown;
  copy?: { name: string; count: string };
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ArmTemplate {
  parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[] }>;
  variables?: Record<string, unknown>;
  resources: ArmResource[] | Record<string, ArmResource>;
  outputs?: Record<string, { type: string; value: unknown }>;
}

/** What the compiled JSON depends on: a change to any of these compiles again. */
function inputsDigest(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && e.name !== "tools") walk(join(dir, e.name));
      else if (e.isFile()) hash.update(e.name).update(readFileSync(join(dir, e.name)));
    }
  };
  walk(join(root, "infra"));
  for (const file of ["host.json", "src/clouds/azure/rbac-actions.json", "scripts/bicep.js"]) hash.update(readFileSync(join(root, file)));
  return hash.digest("hex").slice(0, 16);
}

let cached: ArmTemplate | undefined;

/**
 * infra/main.bicep compiled by the real Bicep CLI (scripts/bicep.js finds or restores it), kept in the
 * temp folder per content digest so the test files of one run compile it once.
 */
export function compiledMain(): ArmTemplate {
  if (cached) return cached;
  const file = join(tmpdir(), `interconnect-main-${inputsDigest()}.json`);
  if (!existsSync(file)) {
    const json = execFileSync(process.execPath, [join(root, "scripts", "bicep.js"), "build", join(root, "infra", "main.bicep")], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    // Test files compile in parallel: write aside, then rename, so no reader sees half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, json);
    renameSync(partial, file);
  }
  cached = JSON.parse(readFileSync(file, "utf8")) as ArmTemplate;
  return cached;
}

function resourcesOf(template: ArmTemplate): ArmResource[] {
  return Array.isArray(template.resources) ? template.resources : Object.values(template.resources);
}

/** A nested deployment (module) by name, e.g. "app". */
export function moduleTemplate(template: ArmTemplate, name: string): ArmTemplate {
  const deployment = resourcesOf(template).find((r) => r.type === "Microsoft.Resources/deployments" && r.name === name);
  if (!deployment) throw new Error(`no module ${name} in the template`);
  return (deployment.properties as { template: ArmTemplate }).template;
}

/** Every resource of a type in a template, modules excluded. */
export function resources(template: ArmTemplate, type: string): ArmResource[] {
  return resourcesOf(template).filter((r) => r.type === type && r.existing !== true);
}

export function only(template: ArmTemplate, type: string): ArmResource {
  const found = resources(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as ArmResource;
}

export interface AppSetting {
  name: string;
  value: string;
}

/** The Function App's app settings, as the template writes them (values may be ARM expressions). */
export function appSettings(template: ArmTemplate = moduleTemplate(compiledMain(), "app")): AppSetting[] {
  const site = only(template, "Microsoft.Web/sites");
  const settings = (site.properties as { siteConfig: { appSettings: unknown } }).siteConfig.appSettings;
  if (!Array.isArray(settings)) throw new Error(`appSettings is not a literal array: ${JSON.stringify(settings).slice(0, 200)}`);
  return settings as AppSetting[];
}
