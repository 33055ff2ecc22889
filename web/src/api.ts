/** The public REST API (docs/api.md), as the console uses it: same origin, JSON, problem+json errors. */

export interface FieldIssue {
  path: string;
  message: string;
}

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: FieldIssue[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The API asked for a function key (or the one given is wrong). */
export class KeyRequired extends ApiError {}

const KEY = "interconnect-console.function-key";

/** Once per tab: sessionStorage dies with the tab, and the key never goes into a URL. */
export const functionKey = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string): void => sessionStorage.setItem(KEY, key),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** The console lives at <routePrefix>/console/, the API at <routePrefix>/. */
export function apiUrl(relative: string): URL {
  return new URL(relative, new URL("../", window.location.href));
}

export interface Reply<T> {
  status: number;
  body: T;
}

export async function call<T>(
  method: string,
  relative: string,
  options: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  const key = functionKey.get();
  if (key) headers["x-functions-key"] = key;
  if (options.json !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (options.json !== undefined) init.body = JSON.stringify(options.json);
  const res = await fetch(apiUrl(relative), init);
  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { detail: text.slice(0, 300) };
    }
  }
  if (res.status === 401 || res.status === 403) throw new KeyRequired(res.status, (body as Problem) ?? {});
  if (!res.ok) throw new ApiError(res.status, (body as Problem) ?? {});
  return { status: res.status, body: body as T };
}

export const get = <T>(relative: string) => call<T>("GET", relative).then((r) => r.body);
