import { h } from "./dom.js";
import { duration, time } from "./format.js";

/** GET /api/interconnects/plans/{planId} (docs/api.md): only the fields the page shows. */
export interface PlannedResource {
  kind: string;
  cloud: "azure" | "oci";
  action: "create" | "reuse" | "share";
  name: string;
  id: string | null;
  sharedWith: string[];
  billing: { bills: boolean; fromStep: string | null; basis: string };
  note?: string;
}

interface PlanSession {
  cidr: string;
  oracleBgpPeeringIp: string;
  customerBgpPeeringIp: string;
}

export interface PlanProblem {
  path: string;
  message: string;
  fix: string;
}

export interface Plan {
  planId: string;
  name: string;
  createdAt: string;
  ready: boolean;
  resources: PlannedResource[];
  bgp: { source: string; primary: PlanSession; secondary: PlanSession; oracleAsn: number; azureAsn: number } | null;
  duration: { earliestSeconds: number; latestSeconds: number; criticalPath: string[] };
  problems: PlanProblem[];
}

function billing(r: PlannedResource): string {
  if (!r.billing.bills) return r.billing.basis.startsWith("no charge") ? r.billing.basis : `no charge (${r.billing.basis})`;
  if (r.billing.fromStep === null) return `bills already (${r.billing.basis})`;
  return `bills from step ${r.billing.fromStep} (${r.billing.basis})`;
}

/** The plan as the API made it: per resource create/reuse/share and billing, the BGP plan, the duration. Problems go beside the spec. */
export function planSection(plan: Plan, provision: HTMLButtonElement): HTMLElement {
  const bgp = plan.bgp;
  return h(
    "section",
    { class: "plan", id: "plan", "aria-labelledby": "plan-title", "data-plan-id": plan.planId, "data-ready": String(plan.ready) },
    h("h2", { id: "plan-title" }, `Plan for ${plan.name}`),
    h(
      "p",
      {},
      h("span", { class: `badge ${plan.ready ? "state-active" : "state-failed"}` }, plan.ready ? "ready" : "not ready"),
      ` ${plan.planId}, the clouds read at ${time(plan.createdAt)}. `,
      plan.ready
        ? "Nothing was created, reserved or changed: provisioning starts from this plan, and refuses if the clouds changed since."
        : `${plan.problems.length} problem(s) to fix first, listed beside the spec.`,
    ),
    h(
      "p",
      { class: "plan-duration" },
      h("strong", {}, "Duration: "),
      `${duration(plan.duration.earliestSeconds * 1000)} to ${duration(plan.duration.latestSeconds * 1000)}`,
      plan.duration.criticalPath.length ? `; the critical path: ${plan.duration.criticalPath.join(" → ")}` : "",
    ),
    h(
      "table",
      { class: "plan-resources" },
      h("caption", {}, "What the provisioning would do on both clouds"),
      h(
        "thead",
        {},
        h("tr", {}, ...["Resource", "Cloud", "Action", "Name", "Existing id", "Billing", "Note"].map((c) => h("th", { scope: "col" }, c))),
      ),
      h(
        "tbody",
        {},
        ...plan.resources.map((r) =>
          h(
            "tr",
            { "data-kind": r.kind, "data-action": r.action },
            h("th", { scope: "row" }, r.kind),
            h("td", {}, r.cloud === "azure" ? "Azure" : "OCI"),
            h("td", {}, h("span", { class: `badge action-${r.action}` }, r.action)),
            h("td", {}, h("code", {}, r.name)),
            h("td", {}, r.id ? h("code", { class: "id" }, r.id) : "—"),
            h("td", { class: "billing" }, billing(r)),
            h("td", {}, [r.note, r.sharedWith.length ? `shared with ${r.sharedWith.join(", ")}` : ""].filter(Boolean).join("; ") || "—"),
          ),
        ),
      ),
    ),
    bgp
      ? h(
          "table",
          { class: "plan-bgp" },
          h("caption", {}, `BGP plan (${bgp.source}; Oracle ASN ${bgp.oracleAsn}, Azure ASN ${bgp.azureAsn})`),
          h(
            "thead",
            {},
            h("tr", {}, ...["Session", "Block", "Oracle's address", "Azure's address"].map((c) => h("th", { scope: "col" }, c))),
          ),
          h(
            "tbody",
            {},
            ...(["primary", "secondary"] as const).map((k) =>
              h(
                "tr",
                {},
                h("th", { scope: "row" }, k),
                h("td", {}, bgp[k].cidr),
                h("td", {}, bgp[k].oracleBgpPeeringIp),
                h("td", {}, bgp[k].customerBgpPeeringIp),
              ),
            ),
          ),
        )
      : h("p", {}, "No BGP plan could be made: see the problems beside the spec."),
    h("div", { class: "actions" }, provision),
  );
}
