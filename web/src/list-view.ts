import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { errorView } from "./errors.js";
import { time } from "./format.js";
import { IN_FLIGHT, STATES, type Page, type Summary } from "./types.js";
import type { View } from "./view.js";

const PAGE_SIZE = 25;
const REFRESH_MS = 5000;

export function stateBadge(state: string): HTMLElement {
  return h("span", { class: `badge state-${state}` }, state);
}

/** Health is reported by the health watch where it runs; "—" until it has said something. */
export function healthText(health: unknown): string {
  if (health === undefined || health === null) return "—";
  if (typeof health === "string") return health;
  const status = (health as { status?: unknown }).status;
  return typeof status === "string" ? status : "—";
}

export const listView: View = (root, params) => {
  const state = params.get("state") ?? "";
  const tokens: (string | null)[] = [null];
  let timer: number | undefined;
  let alive = true;

  const select = h(
    "select",
    { id: "state-filter", name: "state" },
    h("option", { value: "" }, "All states"),
    ...STATES.map((s) => h("option", { value: s, selected: s === state }, s)),
  );
  select.addEventListener("change", () => {
    window.location.hash = select.value ? `#/?state=${encodeURIComponent(select.value)}` : "#/";
  });
  const body = h("div", { id: "list-body", "aria-live": "polite", "aria-busy": "true" });
  replace(
    root,
    h("h1", { tabindex: "-1" }, "Interconnects"),
    h(
      "div",
      { class: "toolbar" },
      h("label", { for: "state-filter" }, "Filter by state"),
      select,
      h("a", { class: "button", href: "#/new" }, "New interconnect"),
    ),
    body,
  );

  const load = async () => {
    if (!alive) return;
    window.clearTimeout(timer);
    const query = new URLSearchParams({ top: String(PAGE_SIZE) });
    if (state) query.set("state", state);
    const token = tokens[tokens.length - 1];
    if (token) query.set("continuationToken", token);
    try {
      const page = await get<Page<Summary>>(`interconnects?${query}`);
      if (!alive) return;
      body.setAttribute("aria-busy", "false");
      replace(body, table(page.items), pager(page));
    } catch (err) {
      if (alive)
        replace(
          body,
          errorView(err, () => void load()),
        );
      return;
    }
    timer = window.setTimeout(() => void load(), REFRESH_MS);
  };

  const pager = (page: Page<Summary>) =>
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      h(
        "button",
        {
          type: "button",
          disabled: tokens.length === 1,
          onclick: () => {
            tokens.pop();
            void load();
          },
        },
        "Previous page",
      ),
      h("span", {}, `Page ${tokens.length}`),
      h(
        "button",
        {
          type: "button",
          disabled: !page.continuationToken,
          onclick: () => {
            tokens.push(page.continuationToken);
            void load();
          },
        },
        "Next page",
      ),
    );

  void load();
  return () => {
    alive = false;
    window.clearTimeout(timer);
  };
};

function table(items: Summary[]): HTMLElement {
  if (items.length === 0) return h("p", {}, "No interconnects here yet. ", h("a", { href: "#/new" }, "Start one from a spec"), ".");
  return h(
    "table",
    { class: "list" },
    h("caption", { class: "visually-hidden" }, "Interconnects"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["Name", "State", "Health", "Bandwidth", "Azure region", "OCI region", "Running now", "Last change"].map((c) =>
          h("th", { scope: "col" }, c),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...items.map((i) =>
        h(
          "tr",
          { "data-name": i.name },
          h("th", { scope: "row" }, h("a", { href: `#/interconnects/${encodeURIComponent(i.name)}` }, i.name)),
          h("td", {}, stateBadge(i.state)),
          h("td", {}, healthText(i.health)),
          h("td", {}, i.bandwidthGbps === null ? "—" : `${i.bandwidthGbps} Gbps`),
          h("td", {}, i.regions?.azure ?? "—"),
          h("td", {}, i.regions?.oci ?? "—"),
          h("td", {}, IN_FLIGHT.has(i.state) && i.currentOperation ? i.currentOperation.kind : "—"),
          h("td", {}, time(i.stateChangedAt ?? i.updatedAt)),
        ),
      ),
    ),
  );
}
