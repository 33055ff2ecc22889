import type { Json } from "./api-client";

/** What one look at an interconnect says about the operation under way, for the live view. */
export interface Progress {
  name: string;
  state: string;
  operation: string | undefined;
  runtimeStatus: string | undefined;
  step: string | undefined;
  stepNumber: number | undefined;
  totalSteps: number | undefined;
  waitingFor: string | undefined;
  since: string | undefined;
  lastObserved: string | undefined;
  nextLook: string | undefined;
  message: string | undefined;
  /** "retry 2/5 in 30s" of a step that failed and will be tried again. */
  retry: string | undefined;
  compensating: boolean;
  elapsedMs: number;
  failure: { step: string; code: string; message: string } | null;
  orphaned: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

export function progressOf(record: Json, now: Date): Progress {
  const op = record?.currentOperation ?? null;
  const status = op?.customStatus ?? {};
  const message = str(status.message);
  const startedAt = Date.parse(op?.startedAt ?? "");
  return {
    name: String(record?.name ?? ""),
    state: String(record?.state ?? "unknown"),
    operation: str(op?.kind),
    runtimeStatus: str(op?.runtimeStatus),
    step: str(status.step),
    stepNumber: num(status.stepNumber),
    totalSteps: num(status.totalSteps),
    waitingFor: str(status.waitingFor),
    since: str(status.since),
    lastObserved: str(status.lastObserved),
    nextLook: message ? (/next look at (\S+)/.exec(message)?.[1] ?? /first look at (\S+)/.exec(message)?.[1]) : undefined,
    message,
    retry: message ? /retry (\d+\/\d+ in \d+s)/.exec(message)?.[1] : undefined,
    compensating: message !== undefined && /^compensating\b/.test(message),
    elapsedMs: Number.isNaN(startedAt) ? 0 : Math.max(0, now.getTime() - startedAt),
    failure: record?.failure ?? null,
    orphaned: op?.orphaned === true,
  };
}

export function bar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

const VERB: Record<string, string> = { provision: "provisioning", teardown: "tearing down", change: "changing", adopt: "adopting" };

/** The live view's first line: what, step n of N with a bar, elapsed. */
export function headline(p: Progress): string {
  const what = `${VERB[p.operation ?? ""] ?? p.state} ${p.name}`;
  const step =
    p.stepNumber !== undefined && p.totalSteps !== undefined
      ? ` · step ${p.stepNumber}/${p.totalSteps} ${p.step ?? ""} ${bar(p.stepNumber - 1, p.totalSteps)}`
      : "";
  const mode = p.compensating ? " · COMPENSATING" : p.retry ? ` · RETRY ${p.retry}` : "";
  return `${what}${step}${mode} · ${duration(p.elapsedMs)}`;
}

/** The lines under it: what it waits for and since when, the last observed cloud state, the next look. */
export function details(p: Progress): string[] {
  const lines: string[] = [];
  if (p.compensating) lines.push(`compensation: ${p.message}`);
  else if (p.retry) lines.push(`retrying: ${p.message}`);
  if (p.waitingFor) lines.push(`waiting for ${p.waitingFor}${p.since ? ` since ${p.since}` : ""}`);
  else if (p.message && !p.compensating && !p.retry) lines.push(p.message);
  if (p.lastObserved) lines.push(`last observed: ${p.lastObserved}`);
  if (p.nextLook) lines.push(`next look at ${p.nextLook}`);
  return lines;
}

/** One line for logs (no TTY): printed when it changes, so it leaves out the running clock. */
export function plainLine(p: Progress): string {
  const step = p.stepNumber !== undefined && p.totalSteps !== undefined ? ` [${p.stepNumber}/${p.totalSteps} ${p.step ?? ""}]` : "";
  const mode = p.compensating ? " COMPENSATING" : p.retry ? ` RETRY ${p.retry}` : "";
  const rest = [p.waitingFor ? `waiting for ${p.waitingFor}` : p.message, p.lastObserved ? `last observed: ${p.lastObserved}` : undefined]
    .filter(Boolean)
    .join("; ");
  return `${p.name} ${p.state}${step}${mode}${rest ? `: ${rest}` : ""}`;
}
