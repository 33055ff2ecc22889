import { get } from "./api.js";
import { h, replace } from "./dom.js";
import { errorView } from "./errors.js";
import { duration, time } from "./format.js";
import { chronological } from "./timeline.js";
import type { AuditRow, Page } from "./types.js";

const PAGE_SIZE = 15;

/**
 * The audit trail newest first, a page at a time. It asks the API for that order explicitly; a server
 * that ignores ?order (older builds list oldest first) is noticed from the rows' keys, and then the
 * table pages through the full trail it is given instead.
 */
export class AuditTable {
  readonly element = h("section", { class: "audit", "aria-labelledby": "audit-title" });
  private readonly body = h("div", { "aria-live": "polite" });
  private tokens: (string | null)[] = [null];
  private clientPage: number | undefined;

  constructor(
    private readonly name: string,
    private readonly allRows: () => AuditRow[],
  ) {
    this.element.append(
      h("h2", { id: "audit-title" }, "Audit trail"),
      h("p", { class: "muted" }, "Newest first. Every step, who asked, which ticket, the cloud request ids. Never a secret."),
      this.body,
    );
  }

  /** Reloads the page shown (the first page shows new rows as they arrive; later pages stay put). */
  async refresh(): Promise<void> {
    if (this.clientPage !== undefined) return this.renderClient();
    const query = new URLSearchParams({ order: "desc", top: String(PAGE_SIZE) });
    const token = this.tokens[this.tokens.length - 1];
    if (token) query.set("continuationToken", token);
    try {
      const page = await get<Page<AuditRow>>(`interconnects/${encodeURIComponent(this.name)}/audit?${query}`);
      const first = page.items[0];
      const last = page.items.at(-1);
      if (first && last && page.items.length > 1 && first.id < last.id) {
        this.clientPage = 0;
        return this.renderClient();
      }
      this.render(page.items, this.tokens.length, this.tokens.length > 1, page.continuationToken !== null, (dir) => {
        if (dir < 0) this.tokens.pop();
        else this.tokens.push(page.continuationToken);
        void this.refresh();
      });
    } catch (err) {
      replace(
        this.body,
        errorView(err, () => void this.refresh()),
      );
    }
  }

  private renderClient(): void {
    const rows = chronological(this.allRows()).reverse();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const index = Math.min(this.clientPage ?? 0, pages - 1);
    this.render(rows.slice(index * PAGE_SIZE, (index + 1) * PAGE_SIZE), index + 1, index > 0, index < pages - 1, (dir) => {
      this.clientPage = index + dir;
      this.renderClient();
    });
  }

  private render(rows: AuditRow[], pageNumber: number, hasPrevious: boolean, hasNext: boolean, go: (dir: number) => void): void {
    const focused = document.activeElement?.getAttribute("data-pager");
    const pager = h(
      "nav",
      { class: "pager", "aria-label": "Audit pages" },
      h("button", { type: "button", "data-pager": "prev", disabled: !hasPrevious, onclick: () => go(-1) }, "Newer"),
      h("span", {}, `Page ${pageNumber}`),
      h("button", { type: "button", "data-pager": "next", disabled: !hasNext, onclick: () => go(1) }, "Older"),
    );
    replace(
      this.body,
      h(
        "table",
        { class: "audit-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...["Time", "Step", "Phase", "Actor", "Ticket", "Message", "Cloud request ids", "Duration"].map((c) =>
              h("th", { scope: "col" }, c),
            ),
          ),
        ),
        h(
          "tbody",
          {},
          ...rows.map((r) =>
            h(
              "tr",
              { class: `phase-${r.phase}` },
              h("td", {}, time(r.at)),
              h("td", {}, r.step),
              h("td", {}, r.phase),
              h("td", {}, r.actor ?? ""),
              h("td", {}, r.ticketRef ?? ""),
              h("td", { class: "message" }, r.message ?? ""),
              h("td", { class: "ids" }, (r.cloudRequestIds ?? []).join(" ")),
              h("td", {}, r.durationMs === undefined ? "" : duration(r.durationMs)),
            ),
          ),
        ),
      ),
      pager,
    );
    if (focused) (this.body.querySelector(`[data-pager="${focused}"]`) as HTMLButtonElement | null)?.focus();
  }
}
