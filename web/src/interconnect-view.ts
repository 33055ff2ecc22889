import { get } from "./api.js";
import { AuditTable } from "./audit-table.js";
import { h, replace } from "./dom.js";
import { errorView } from "./errors.js";
import { time } from "./format.js";
import { gantt } from "./gantt.js";
import { healthText, stateBadge } from "./list-view.js";
import { failureNote, liveStatus } from "./live-status.js";
import { bgpPlan, resources, sharing } from "./resources-view.js";
import { teardownForm } from "./teardown-form.js";
import { buildRuns } from "./timeline.js";
import { IN_FLIGHT, type AuditRow, type InterconnectRecord, type Page } from "./types.js";
import type { View } from "./view.js";

const LIVE_MS = 1500;
const RUNNING = new Set(["Running", "Pending"]);
const MAX_AUDIT_PAGES = 20;

/** The whole trail, oldest first (asked for explicitly; sorted again by row key in case the server orders otherwise). */
async function auditTrail(name: string): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let query = new URLSearchParams({ order: "asc", top: "1000" });
  for (let i = 0; i < MAX_AUDIT_PAGES; i++) {
    const page = await get<Page<AuditRow>>(`interconnects/${encodeURIComponent(name)}/audit?${query}`);
    rows.push(...page.items);
    if (!page.continuationToken) break;
    query = new URLSearchParams({ order: "asc", top: "1000", continuationToken: page.continuationToken });
  }
  return rows;
}

/** The latest orchestration time the API has shown: where a live run's open bars end. */
function liveNow(record: InterconnectRecord, rows: AuditRow[]): number {
  const s = record.currentOperation?.customStatus;
  const candidates = [s?.since, record.currentOperation?.lastUpdatedTime, ...rows.map((r) => r.details?.at)].map((v) =>
    typeof v === "string" ? Date.parse(v) : NaN,
  );
  return Math.max(...candidates.filter(Number.isFinite));
}

export const interconnectView: View = (root, _params, path) => {
  const name = path[1] ?? "";
  let alive = true;
  let timer: number | undefined;
  let rows: AuditRow[] = [];
  let sharingShown = false;
  let teardownNote: string | undefined;
  const heading = h("h1", { tabindex: "-1" }, name);
  const summary = h("div", { class: "summary" });
  const live = h("div", { id: "live" });
  const failure = h("div");
  const timelines = h("section", { id: "timelines", "aria-labelledby": "timeline-title" });
  const plan = h("div");
  const res = h("div");
  const share = h("div");
  const audit = new AuditTable(name, () => rows);
  const actions = h("div");
  replace(
    root,
    h("p", {}, h("a", { href: "#/" }, "← All interconnects")),
    heading,
    summary,
    live,
    failure,
    timelines,
    plan,
    res,
    share,
    actions,
    audit.element,
  );

  const refresh = async () => {
    if (!alive) return;
    window.clearTimeout(timer);
    let record: InterconnectRecord;
    try {
      [record, rows] = await Promise.all([get<InterconnectRecord>(`interconnects/${encodeURIComponent(name)}`), auditTrail(name)]);
    } catch (err) {
      if (alive)
        replace(
          summary,
          errorView(err, () => void refresh()),
        );
      return;
    }
    if (!alive) return;
    // The record turns active or deleted a step before its orchestration ends (a last audit row), so the
    // page follows the instance until the task hub says it has ended.
    const running = RUNNING.has(record.currentOperation?.runtimeStatus ?? "");
    const inFlight = (running || IN_FLIGHT.has(record.state)) && !record.currentOperation?.orphaned;
    root.setAttribute("data-state", record.state);
    replace(
      summary,
      h(
        "p",
        {},
        stateBadge(record.state),
        ` ${record.spec.bandwidthGbps} Gbps · Azure ${record.spec.azure.location} (${record.spec.azure.peeringLocation}) ⇄ OCI ${record.spec.oci.region} · health ${healthText(record.health)} · last change ${time(record.stateChangedAt ?? record.updatedAt)}`,
      ),
    );
    replace(live, running ? liveStatus(record) : null);
    replace(failure, failureNote(record));
    const op = record.currentOperation;
    const runs = buildRuns(rows, running && op ? { instanceId: op.instanceId, nowMs: liveNow(record, rows) } : undefined);
    const open = timelines.querySelectorAll("details.run[open]");
    const openIds = new Set([...open].map((d) => d.getAttribute("data-instance")));
    replace(
      timelines,
      h("h2", { id: "timeline-title" }, "Timeline"),
      runs.length === 0 ? h("p", {}, "No run has been audited yet.") : null,
      ...runs.map((run, i) => {
        const chart = gantt(run, { deadline: run.live ? op?.customStatus?.deadline : undefined });
        return i === 0
          ? chart
          : h(
              "details",
              { class: "run", "data-instance": run.instanceId, open: openIds.has(run.instanceId) },
              h("summary", {}, `Earlier run ${run.instanceId} (${run.outcome})`),
              chart,
            );
      }),
    );
    replace(plan, bgpPlan(record));
    replace(res, resources(record));
    if (!sharingShown) {
      sharingShown = true;
      sharing(record)
        .then((s) => alive && replace(share, s))
        .catch(
          (err: unknown) =>
            alive &&
            replace(
              share,
              errorView(err, () => undefined),
            ),
        );
    }
    if (record.state === "deleted")
      replace(
        actions,
        // What the teardown answered stays in view: a cancelled queued provisioning is deleted at once.
        teardownNote ? h("p", { class: "ok", role: "status", id: "teardown-note" }, teardownNote) : null,
        h("p", { class: "muted" }, "Deleted: nothing left to tear down. POST the same spec again to build it anew."),
      );
    else if (!actions.firstChild)
      replace(
        actions,
        teardownForm(name, (note) => {
          teardownNote = note;
          void refresh();
        }),
      );
    await audit.refresh();
    if (alive && inFlight) timer = window.setTimeout(() => void refresh(), LIVE_MS);
  };

  void refresh();
  return () => {
    alive = false;
    window.clearTimeout(timer);
  };
};
