/** Times as the API gives them (UTC), to the second: the audit and the custom status speak UTC. */
export function time(iso: string | number | undefined | null): string {
  if (iso === undefined || iso === null || iso === "") return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const sec = Math.round(ms / 1000);
  if (sec < 60) return `${sec} s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min} min ${sec % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** A run named by its operation, as the API's `operation` / `currentOperation.kind` says it. */
const OPERATION_LABELS: Record<string, string> = {
  provision: "Provisioning",
  teardown: "Teardown",
  change: "Change",
  adopt: "Adoption",
};

export function operationLabel(operation: string | undefined): string {
  return OPERATION_LABELS[operation ?? ""] ?? (operation ? operation[0]!.toUpperCase() + operation.slice(1) : "Operation");
}
