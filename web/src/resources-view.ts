import { get } from "./api.js";
import { h } from "./dom.js";
import { resourceRows } from "./links.js";
import type { InterconnectRecord, Page, Summary } from "./types.js";

export function bgpPlan(record: InterconnectRecord): HTMLElement {
  const plan = record.bgpPlan;
  const sessions = [
    ["Primary", plan?.primary],
    ["Secondary", plan?.secondary],
  ] as const;
  return h(
    "section",
    { "aria-labelledby": "bgp-title" },
    h("h2", { id: "bgp-title" }, "BGP plan"),
    plan
      ? h(
          "table",
          {},
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Session", "/30 block", "Oracle BGP peer (2nd address)", "Azure BGP peer (3rd address)"].map((c) =>
                h("th", { scope: "col" }, c),
              ),
            ),
          ),
          h(
            "tbody",
            {},
            ...sessions
              .filter(([, s]) => s)
              .map(([name, s]) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, name),
                  h("td", {}, s?.cidr ?? ""),
                  h("td", {}, s?.oracleBgpPeeringIp ?? ""),
                  h("td", {}, s?.customerBgpPeeringIp ?? ""),
                ),
              ),
          ),
        )
      : h("p", {}, "No BGP plan yet."),
  );
}

export function resources(record: InterconnectRecord): HTMLElement {
  const rows = resourceRows(record);
  const r = record.state === "deleted" ? (record.lastKnownResources ?? {}) : record.resources;
  return h(
    "section",
    { "aria-labelledby": "resources-title" },
    h("h2", { id: "resources-title" }, record.state === "deleted" ? "Resources it had (all removed)" : "Resources"),
    record.state === "failed"
      ? h(
          "p",
          { class: "muted" },
          "The ids the record holds. Unless the spec asked to keep them, the compensation lane of the timeline shows what was removed; a teardown removes whatever is left.",
        )
      : null,
    rows.length
      ? h(
          "table",
          { class: "resources" },
          h("thead", {}, h("tr", {}, ...["Resource", "Cloud", "Region", "Id", "Teardown"].map((c) => h("th", { scope: "col" }, c)))),
          h(
            "tbody",
            {},
            ...rows.map((row) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, row.kind),
                h("td", {}, row.cloud),
                h("td", {}, row.region),
                h(
                  "td",
                  { class: "ids" },
                  h(
                    "a",
                    { href: row.url, target: "_blank", rel: "noopener noreferrer" },
                    row.id,
                    h(
                      "span",
                      { class: "visually-hidden" },
                      ` (opens the ${row.kind} in the ${row.cloud === "Azure" ? "Azure portal" : "OCI Console"})`,
                    ),
                  ),
                ),
                h("td", {}, row.owned === undefined ? "—" : row.owned ? "removed (created by this service)" : "kept (existed before)"),
              ),
            ),
          ),
        )
      : h("p", {}, "Nothing built yet."),
    h(
      "p",
      {},
      "Service key: ",
      h("code", {}, r.serviceKeyMasked ?? "—"),
      " (masked by the API; the full key is never stored). Routed prefixes: ",
      (r.routedPrefixes ?? []).join(", ") || "—",
    ),
  );
}

const SHARED: [keyof InterconnectRecord["resources"], string][] = [
  ["gatewayId", "ExpressRoute gateway"],
  ["virtualNetworkId", "virtual network"],
  ["drgId", "DRG"],
];

/** Which other live interconnects use this one's gateway, VNet or DRG: read from their records (the first page of them). */
export async function sharing(record: InterconnectRecord): Promise<HTMLElement> {
  const section = h("section", { "aria-labelledby": "sharing-title" }, h("h2", { id: "sharing-title" }, "Sharing"));
  const mine = record.resources;
  const page = await get<Page<Summary>>("interconnects?top=50");
  const others = page.items.filter((i) => i.name !== record.name && i.state !== "deleted").slice(0, 20);
  const records = await Promise.all(
    others.map((o) => get<InterconnectRecord>(`interconnects/${encodeURIComponent(o.name)}`).catch(() => undefined)),
  );
  const found: HTMLElement[] = [];
  for (const other of records) {
    if (!other) continue;
    const same = SHARED.filter(
      ([k]) =>
        mine[k] && typeof mine[k] === "string" && (mine[k] as string).toLowerCase() === String(other.resources[k] ?? "").toLowerCase(),
    ).map(([, label]) => label);
    if (other.spec.oci.vcnId === record.spec.oci.vcnId) same.push("VCN");
    if (same.length)
      found.push(
        h(
          "li",
          {},
          h("a", { href: `#/interconnects/${encodeURIComponent(other.name)}` }, other.name),
          ` (${other.state}) shares the ${same.join(", ")}`,
        ),
      );
  }
  const owned = mine.owned ?? {};
  section.append(
    found.length
      ? h("ul", {}, ...found)
      : h(
          "p",
          {},
          "No other live interconnect uses this one's gateway, virtual network, DRG or VCN",
          page.continuationToken ? " among the first 50." : ".",
        ),
    h(
      "p",
      { class: "muted" },
      owned.gateway === false ? "The gateway existed before this interconnect: teardown keeps it. " : "",
      owned.drg === false ? "The DRG was given in the spec: teardown keeps it. " : "",
      "Teardown removes a shared gateway or DRG only when nothing else uses it.",
    ),
  );
  return section;
}
