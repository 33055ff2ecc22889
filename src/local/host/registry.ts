import Module from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** A binding as @azure/functions' toCoreFunctionMetadata writes it. */
export interface CoreBinding {
  type: string;
  direction: "in" | "out" | "inout";
  [key: string]: unknown;
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RegisteredFunction {
  name: string;
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
  triggerName: string;
  trigger: CoreBinding;
}

/** Every function the app registered, keyed by name, as the worker would index them. */
export class FunctionRegistry {
  readonly functions = new Map<string, RegisteredFunction>();

  register(metadata: CoreFunctionMetadata, callback: FunctionCallback): void {
    if (typeof metadata?.name !== "string" || !metadata.name) throw new Error("registerFunction: metadata.name is required");
    if (typeof callback !== "function") throw new Error(`registerFunction "${metadata.name}": callback must be a function`);
    const entry = Object.entries(metadata.bindings ?? {}).find(([, b]) => b.direction === "in" && /Trigger$/.test(b.type));
    if (!entry) throw new Error(`function "${metadata.name}" has no trigger binding`);
    if (this.functions.has(metadata.name)) throw new Error(`function "${metadata.name}" is registered twice`);
    this.functions.set(metadata.name, { name: metadata.name, metadata, callback, triggerName: entry[0], trigger: entry[1] });
  }

  ofType(triggerType: string): RegisteredFunction[] {
    return [...this.functions.values()].filter((f) => f.trigger.type === triggerType);
  }

  get(name: string, triggerType: string): RegisteredFunction | undefined {
    const f = this.functions.get(name);
    return f && f.trigger.type === triggerType ? f : undefined;
  }
}

/**
 * The stand-in for the worker's `@azure/functions-core` virtual module (types-core/index.d.ts):
 * @azure/functions calls registerFunction for every app.* registration. Installed as an entry in
 * Node's module cache under a resolver hook, so no file on disk is needed and the app is unchanged.
 */
let active: FunctionRegistry | undefined;
let installed = false;
const CORE_ID = "@azure/functions-core";

function installCoreModule(): void {
  if (installed) return;
  installed = true;
  const core = {
    version: "local-host",
    registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback) {
      if (!active) throw new Error("registerFunction called outside loadApp");
      active.register(metadata, callback);
      return { dispose() {} };
    },
    setProgrammingModel() {},
    getProgrammingModel() {
      return undefined;
    },
    registerHook() {
      return { dispose() {} };
    },
    log() {},
    Disposable: class {
      dispose() {}
    },
  };
  const m = new Module(CORE_ID);
  m.filename = CORE_ID;
  m.loaded = true;
  m.exports = core;
  const cache = (Module as unknown as { _cache: Record<string, Module> })._cache;
  cache[CORE_ID] = m;
  const mod = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === CORE_ID ? CORE_ID : original.call(this, request, ...rest);
  };
}

/** Files named by package.json "main", which the worker allows to be a glob such as dist/src/functions/*.js. */
export function resolveMainFiles(appDir: string): string[] {
  const pkgPath = path.join(appDir, "package.json");
  if (!existsSync(pkgPath)) throw new Error(`no package.json in the app folder ${appDir}`);
  const main = (JSON.parse(readFileSync(pkgPath, "utf8")) as { main?: unknown }).main;
  if (typeof main !== "string" || !main) throw new Error(`${pkgPath}: "main" must name the compiled entry (a file or a glob)`);
  if (!main.includes("*")) {
    const file = path.resolve(appDir, main);
    if (!existsSync(file)) throw new Error(`${pkgPath} "main" is ${main}, but ${file} does not exist: build the app first (npm run build)`);
    return [file];
  }
  const parts = main.split("/");
  const globAt = parts.findIndex((p) => p.includes("*"));
  if (globAt !== parts.length - 1) throw new Error(`${pkgPath} "main" ${main}: only a wildcard in the file name is supported`);
  const dir = path.resolve(appDir, ...parts.slice(0, globAt));
  const pattern = new RegExp(`^${(parts[globAt] as string).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => pattern.test(f))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  if (files.length === 0) throw new Error(`${pkgPath} "main" ${main} matches no file: build the app first (npm run build)`);
  return files;
}

const loaded = new Map<string, FunctionRegistry>();

/**
 * Loads the app the way the Node worker does and returns what it registered. Node's module cache
 * makes loading run once per process, so a second host in the same process reuses the registrations.
 */
export function loadApp(appDir: string): FunctionRegistry {
  const key = path.resolve(appDir);
  const known = loaded.get(key);
  if (known) return known;
  installCoreModule();
  const registry = new FunctionRegistry();
  active = registry;
  try {
    // The worker loads the app with require(); a dynamic import would not give CommonJS apps the core shim.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const file of resolveMainFiles(appDir)) require(file);
  } finally {
    active = undefined;
  }
  if (registry.functions.size === 0) throw new Error(`the app in ${appDir} registered no functions (No job functions found)`);
  loaded.set(key, registry);
  return registry;
}
