import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { CliError, EXIT } from "./exit";

export interface Target {
  /** The API base, e.g. http://127.0.0.1:7071/api */
  api: string;
  /** Request headers that authenticate; never printed. */
  auth: () => Promise<Record<string, string>>;
}

export interface TargetOptions {
  url?: string;
  key?: string;
  entra?: string;
}

/**
 * --url, else INTERCONNECT_URL, else the local stack `npm start` wrote to .local/stack.json (in the
 * current folder or this checkout). The URL may be the host or its /api.
 */
export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Target {
  const url = options.url ?? env.INTERCONNECT_URL ?? localStackApi(cwd);
  if (url === undefined) {
    throw new CliError(
      "No service to talk to: pass --url or set INTERCONNECT_URL, or start the local stack with npm start (it writes .local/stack.json).",
      EXIT.usage,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url ${JSON.stringify(url)} is not a URL such as https://my-app.azurewebsites.net`, EXIT.usage);
  }
  const base = parsed.toString().replace(/\/+$/, "");
  const api = base.endsWith("/api") ? base : `${base}/api`;
  const key = options.key ?? env.INTERCONNECT_KEY;
  if (options.entra !== undefined && key)
    throw new CliError("Use either a function key (--key / INTERCONNECT_KEY) or --entra, not both.", EXIT.usage);
  const keyHeaders: Record<string, string> = key ? { "x-functions-key": key } : {};
  return { api, auth: options.entra !== undefined ? entraAuth(options.entra) : async () => keyHeaders };
}

function localStackApi(cwd: string): string | undefined {
  for (const dir of [cwd, path.resolve(__dirname, "../../..")]) {
    const file = path.join(dir, ".local", "stack.json");
    if (!existsSync(file)) continue;
    try {
      const facts = JSON.parse(readFileSync(file, "utf8")) as { api?: unknown };
      if (typeof facts.api === "string") return facts.api;
    } catch {
      throw new CliError(`${file} is not the JSON npm start writes; start the local stack again or pass --url.`, EXIT.usage);
    }
  }
  return undefined;
}

/** An Entra ID token for App Service authentication (EasyAuth), from whatever DefaultAzureCredential finds. */
function entraAuth(appIdUri: string): () => Promise<Record<string, string>> {
  if (!/^(api:\/\/|https:\/\/)\S+$/.test(appIdUri))
    throw new CliError(`--entra ${JSON.stringify(appIdUri)} must be the API's application ID URI, e.g. api://interconnect`, EXIT.usage);
  let token: { token: string; expiresOnTimestamp: number } | null = null;
  return async () => {
    if (token === null || token.expiresOnTimestamp - Date.now() < 60_000) {
      // Loaded only when asked for: most calls use a function key or nothing.
      const { DefaultAzureCredential } = await import("@azure/identity");
      try {
        token = await new DefaultAzureCredential().getToken(`${appIdUri.replace(/\/+$/, "")}/.default`);
      } catch (err) {
        throw new CliError(
          `Could not get an Entra token for ${appIdUri}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
          EXIT.unreachable,
        );
      }
    }
    return { authorization: `Bearer ${token.token}` };
  };
}
