/** One readable line per function invocation and per orchestration transition. */
export interface HostLogger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export const consoleLogger: HostLogger = {
  info: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
  warn: (line) => console.warn(`[${new Date().toISOString()}] ${line}`),
  error: (line) => console.error(`[${new Date().toISOString()}] ${line}`),
};

export const silentLogger: HostLogger = { info() {}, warn() {}, error() {} };

/** Routes an InvocationContext's log calls (trace/debug/info/warn/error) to the host logger. */
export function invocationLogHandler(logger: HostLogger, prefix: string) {
  return (level: string, ...args: unknown[]) => {
    const text = `${prefix} ${args.map((a) => (typeof a === "string" ? a : safeJson(a))).join(" ")}`;
    if (level === "error") logger.error(text);
    else if (level === "warning") logger.warn(text);
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
