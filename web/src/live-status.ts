import { h } from "./dom.js";
import { operationLabel, time } from "./format.js";
import type { InterconnectRecord } from "./types.js";

/** Where a run in flight stands, from the orchestration's custom status: step n of N, what it waits for, since when, the deadline. */
export function liveStatus(record: InterconnectRecord): HTMLElement | null {
  const op = record.currentOperation;
  const s = op?.customStatus;
  if (!op || !s) return null;
  const facts: [string, string | undefined][] = [
    ["Waiting for", s.waitingFor],
    ["Since", s.since ? time(s.since) : undefined],
    ["Deadline", s.deadline ? time(s.deadline) : undefined],
    ["Last observed", s.lastObserved],
    ["Latest", s.message],
  ];
  return h(
    "section",
    { class: "live", "aria-labelledby": "live-title", "data-step": s.step ?? "" },
    h("h2", { id: "live-title" }, `${operationLabel(op.kind)} in progress`),
    h(
      "p",
      { class: "live-step", role: "status" },
      `Step ${s.stepNumber ?? "?"} of ${s.totalSteps ?? "?"}: `,
      h("strong", {}, s.step ?? "starting"),
    ),
    h("dl", {}, ...facts.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v as string)])),
    h("p", { class: "muted" }, `Instance ${op.instanceId} (${op.runtimeStatus ?? "unknown"}). Times are the orchestration's clock.`),
  );
}

export function failureNote(record: InterconnectRecord): HTMLElement | null {
  const notes: HTMLElement[] = [];
  if (record.currentOperation?.orphaned) {
    notes.push(
      h(
        "div",
        { class: "error", role: "alert" },
        h(
          "p",
          {},
          h("strong", {}, "Orphaned: "),
          `the record says ${record.state}, but no orchestration runs it (${record.currentOperation.runtimeStatus}). Tear it down to remove what exists.`,
        ),
      ),
    );
  }
  if (record.state === "failed" && record.failure) {
    notes.push(
      h(
        "div",
        { class: "error", role: "alert" },
        h(
          "p",
          {},
          h("strong", {}, `Failed at ${record.failure.step ?? "?"}`),
          ` (${record.failure.code ?? "error"}): ${record.failure.message ?? ""}`,
        ),
      ),
    );
  }
  return notes.length ? h("div", {}, ...notes) : null;
}
