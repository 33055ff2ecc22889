import { h, s } from "./dom.js";
import { clock, duration, operationLabel, time } from "./format.js";
import type { Bar, Run } from "./timeline.js";

const W = 1000;
const LABEL = 190;
const RIGHT = 16;
const ROW = 26;
const AXIS = 24;
const HEADER = 22;

const TICKS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440];

const OUTCOME_WORDS: Record<string, string> = {
  running: "in progress",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
  unfinished: "did not finish",
};

let figureCount = 0;

/** One run as a Gantt chart (SVG), with the same facts as a table for screen readers and keyboard users. */
export function gantt(run: Run, options: { deadline?: string | undefined } = {}): HTMLElement {
  const id = `run-${++figureCount}`;
  const deadlineMs = options.deadline ? Date.parse(options.deadline) : NaN;
  const start = run.start;
  const end = Math.max(run.end, start + 60_000);
  const span = end - start;
  const x = (t: number) => LABEL + ((Math.min(Math.max(t, start), end) - start) / span) * (W - LABEL - RIGHT);

  const rows: { lane: Bar["lane"]; step: string; bars: Bar[] }[] = [];
  for (const bar of run.bars) {
    let row = rows.find((r) => r.lane === bar.lane && r.step === bar.step);
    if (!row) rows.push((row = { lane: bar.lane, step: bar.step, bars: [] }));
    row.bars.push(bar);
  }
  const main = rows.filter((r) => r.lane === "main");
  const compensation = rows.filter((r) => r.lane === "compensation");
  const height = AXIS + main.length * ROW + (compensation.length ? HEADER + compensation.length * ROW : 0) + 8;

  const svg = s("svg", {
    viewBox: `0 0 ${W} ${height}`,
    class: "gantt",
    role: "img",
    "aria-labelledby": `${id}-title ${id}-desc`,
    preserveAspectRatio: "xMinYMin meet",
  });
  svg.append(
    s("title", { id: `${id}-title` }, `${run.operation} ${run.instanceId}: ${OUTCOME_WORDS[run.outcome]}`),
    s("desc", { id: `${id}-desc` }, describe(run)),
    s(
      "defs",
      {},
      s(
        "pattern",
        { id: `${id}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        s("rect", { width: 6, height: 6, class: "wait-bg" }),
        s("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "wait-line" }),
      ),
    ),
  );

  // Time axis: a tick step that gives about 6-10 ticks.
  const tickMin = TICKS_MIN.find((m) => span / (m * 60_000) <= 10) ?? 1440;
  const tick = tickMin * 60_000;
  for (let t = Math.ceil(start / tick) * tick; t <= end; t += tick) {
    svg.append(
      s("line", { x1: x(t), x2: x(t), y1: AXIS - 4, y2: height, class: "grid" }),
      s("text", { x: x(t), y: AXIS - 8, class: "tick", "text-anchor": "middle" }, clock(t)),
    );
  }

  let y = AXIS;
  const drawRow = (row: (typeof rows)[number]) => {
    svg.append(s("text", { x: LABEL - 8, y: y + ROW / 2 + 4, "text-anchor": "end", class: "lane-label" }, row.step));
    for (const bar of row.bars) svg.append(drawBar(bar, y, x, `${id}-hatch`));
    y += ROW;
  };
  main.forEach(drawRow);
  if (compensation.length) {
    svg.append(
      s("rect", {
        x: 0,
        y,
        width: W,
        height: HEADER + compensation.length * ROW,
        class: "compensation-lane",
        "data-group": "compensation",
      }),
      s("text", { x: 8, y: y + 15, class: "lane-header" }, "Compensation: removing what this run built"),
    );
    y += HEADER;
    compensation.forEach(drawRow);
  }
  if (run.live)
    svg.append(
      s(
        "line",
        { x1: x(run.end), x2: x(run.end), y1: AXIS - 4, y2: height, class: "now" },
        s("title", {}, `now (orchestration time) ${time(run.end)}`),
      ),
    );
  if (Number.isFinite(deadlineMs) && deadlineMs <= end) {
    svg.append(
      s(
        "line",
        { x1: x(deadlineMs), x2: x(deadlineMs), y1: AXIS - 4, y2: height, class: "deadline" },
        s("title", {}, `deadline ${time(deadlineMs)}`),
      ),
    );
  }

  const failed = run.bars.find((b) => b.outcome === "failed" && b.lane === "main");
  return h(
    "figure",
    { class: "timeline", "data-instance": run.instanceId, "data-outcome": run.outcome },
    h(
      "figcaption",
      {},
      h("strong", {}, `${operationLabel(run.operation)} ${run.instanceId}`),
      ` — ${OUTCOME_WORDS[run.outcome]}, ${duration(run.end - run.start)} (orchestration time), from ${time(run.start)}`,
      run.actor ? `, by ${run.actor}` : "",
      run.ticketRef ? `, ticket ${run.ticketRef}` : "",
    ),
    h("div", { class: "gantt-scroll" }, svg),
    failed
      ? h("p", { class: "failure-reason" }, h("strong", {}, `Failed at ${failed.step}: `), failed.message ?? failed.code ?? "failed")
      : null,
    legend(),
    stepsTable(run),
  );
}

function drawBar(bar: Bar, y: number, x: (t: number) => number, hatch: string): SVGGElement {
  const x0 = x(bar.start);
  const width = Math.max(3, x(bar.end) - x0);
  const classes = `bar ${bar.outcome}${bar.lane === "compensation" ? " compensating" : ""}`;
  const g = s(
    "g",
    { class: classes, "data-step": bar.step, "data-lane": bar.lane, "data-outcome": bar.outcome },
    s(
      "title",
      {},
      `${bar.step}: ${time(bar.start)} – ${time(bar.end)} (${duration(bar.end - bar.start)}), ${OUTCOME_WORDS[bar.outcome]}${bar.message ? `: ${bar.message}` : ""}`,
    ),
    s("rect", { x: x0, y: y + 5, width, height: ROW - 10, rx: 2, class: "bar-rect" }),
  );
  for (const wait of bar.waits) {
    const wx = x(wait.start);
    const ww = Math.max(2, x(wait.end) - wx);
    g.append(
      s(
        "g",
        { class: "wait" },
        s(
          "title",
          {},
          `waiting for ${wait.what} (${duration(wait.end - wait.start)}${wait.deadline ? `, deadline ${time(wait.deadline)}` : ""})`,
        ),
        // Inset in the bar, so the step's own colour (red when it failed) stays visible around the wait.
        s("rect", { x: wx, y: y + 8, width: ww, height: ROW - 16, fill: `url(#${hatch})`, class: "wait-rect" }),
        ww > 140
          ? s("text", { x: wx + 4, y: y + ROW / 2 + 4, class: "wait-label" }, clip(`waiting for ${wait.what}`, Math.floor(ww / 6.2)))
          : null,
      ),
    );
  }
  for (const mark of bar.marks) {
    const mx = x(mark.at);
    g.append(
      s(
        "path",
        { d: `M${mx - 5},${y + 1} L${mx + 5},${y + 1} L${mx},${y + 9} Z`, class: `mark ${mark.kind}` },
        s("title", {}, `${mark.kind === "throttled" ? "throttled" : mark.kind === "gave-up" ? "gave up" : "retry"}: ${mark.text}`),
      ),
    );
  }
  if (bar.outcome === "failed" && bar.message) {
    const tx = x0 + width + 6;
    if (tx < W - 120)
      g.append(s("text", { x: tx, y: y + ROW / 2 + 4, class: "fail-label" }, clip(bar.message, Math.floor((W - tx - 4) / 7.4))));
  }
  return g;
}

function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1))}…`;
}

function describe(run: Run): string {
  const steps = run.bars.filter((b) => b.lane === "main").length;
  const comp = run.bars.filter((b) => b.lane === "compensation").length;
  const failed = run.bars.find((b) => b.outcome === "failed");
  return `${steps} steps${comp ? `, ${comp} compensation steps` : ""}${failed ? `; failed at ${failed.step}: ${failed.message ?? ""}` : ""}. The table below lists the same steps.`;
}

function legend(): HTMLElement {
  const item = (cls: string, text: string) => h("li", {}, h("span", { class: `swatch ${cls}`, "aria-hidden": "true" }), text);
  return h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    item("succeeded", "step done"),
    item("running", "in progress"),
    item("failed", "failed"),
    item("wait", "durable wait"),
    item("retry", "retry"),
    item("throttled", "throttled"),
    item("compensating", "compensation"),
  );
}

function stepsTable(run: Run): HTMLElement {
  return h(
    "details",
    { class: "steps" },
    h("summary", {}, "Steps as a table"),
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Lane", "Step", "Start", "Duration", "Outcome", "Waits", "Retries", "Cloud calls"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        ...run.bars.map((b) =>
          h(
            "tr",
            { "data-outcome": b.outcome },
            h("td", {}, b.lane === "compensation" ? "compensation" : run.operation),
            h("th", { scope: "row" }, b.step),
            h("td", {}, time(b.start)),
            h("td", {}, duration(b.end - b.start)),
            h("td", {}, OUTCOME_WORDS[b.outcome], b.message && b.outcome !== "succeeded" ? `: ${b.message}` : ""),
            h("td", {}, b.waits.map((w) => `${w.what} (${duration(w.end - w.start)})`).join("; ") || "—"),
            h("td", {}, b.marks.map((m) => `${m.kind}: ${m.text}`).join("; ") || "—"),
            h("td", {}, b.cloudSteps.join(", ") || "—"),
          ),
        ),
      ),
    ),
  );
}
