/**
 * The host's log. "info" and above is what a reader follows: the app's own event lines (one per step,
 * wait, retry and failure), operations starting and ending, and real failures. "debug" is the per-function
 * detail Core Tools prints by default (every "Executed 'Functions.x'"), shown only when verbose.
 */
export interface HostLogger {
  debug(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export type HostLogLevel = "info" | "verbose";

/** HOST_LOG: "verbose" adds the per-function lines; "info" (default) keeps one line per meaningful event. */
export function hostLogLevel(value: string | undefined): HostLogLevel {
  if (value === undefined || value === "" || value === "info") return "info";
  if (value === "verbose") return "verbose";
  throw new Error(`HOST_LOG must be "info" or "verbose", got "${value}"`);
}

export function consoleLogger(level: HostLogLevel = "info"): HostLogger {
  const at = () => `[${new Date().toISOString()}]`;
  return {
    debug: level === "verbose" ? (line) => console.log(`${at()} ${line}`) : () => undefined,
    info: (line) => console.log(`${at()} ${line}`),
    warn: (line) => console.warn(`${at()} ${line}`),
    error: (line) => console.error(`${at()} ${line}`),
  };
}

export const silentLogger: HostLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Routes an InvocationContext's log calls (trace/debug/info/warn/error) to the host logger. */
export function invocationLogHandler(logger: HostLogger, prefix: string) {
  return (level: string, ...args: unknown[]) => {
    const text = `${prefix} ${args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ")}`;
    if (level === "error" || level === "critical") logger.error(text);
    else if (level === "warning") logger.warn(text);
    else if (level === "trace" || level === "debug") logger.debug(text);
    else logger.info(text);
  };
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return v.stack ?? v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}
