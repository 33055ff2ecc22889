import { ApiError, call, KeyRequired } from "./api.js";
import { keyForm } from "./auth.js";
import { h, replace } from "./dom.js";
import { errorView } from "./errors.js";
import { planSection, type Plan } from "./plan-view.js";
import type { View } from "./view.js";

interface Accepted {
  name: string;
  outcome: string;
}

interface PlanAccepted {
  planId: string;
}

type Issue = { path: string; message: string; fix?: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a JSON.parse error is, as line:column, from the engine's "position N" (V8) when it gives one. */
function syntaxError(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split("\n");
  return `${message} (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

export const startView: View = (root) => {
  let alive = true;
  const spec = h("textarea", {
    id: "spec",
    name: "spec",
    rows: 24,
    spellcheck: "false",
    required: true,
    "aria-describedby": "spec-help spec-errors",
  });
  const ticket = h("input", {
    id: "ticket",
    name: "ticket",
    autocomplete: "off",
    pattern: "[A-Za-z0-9_.:\\-]{1,64}",
    "aria-describedby": "ticket-help",
  });
  const errors = h("div", { id: "spec-errors", class: "spec-errors", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Start provisioning");
  const planButton = h("button", { type: "button", class: "secondary" }, "Plan first");
  const planArea = h("div", { id: "plan-area", "aria-live": "polite" });
  /** The plan on the page and the body it was made of: provisioning it sends exactly that body with its planId. */
  let planned: { plan: Plan; body: unknown; text: string } | undefined;
  const showIssues = (title: string, issues: Issue[]) => {
    spec.setAttribute("aria-invalid", "true");
    replace(
      errors,
      h("h2", {}, title),
      h(
        "ul",
        {},
        ...issues.map((i) =>
          h(
            "li",
            { "data-path": i.path },
            h("code", {}, i.path || "(the spec as a whole)"),
            h("span", {}, i.message),
            i.fix ? h("span", { class: "fix" }, `Fix: ${i.fix}`) : null,
          ),
        ),
      ),
    );
  };
  const clearIssues = () => {
    spec.removeAttribute("aria-invalid");
    replace(errors, h("p", { class: "muted" }, "The API's answer about the spec appears here: every invalid field by its path."));
  };
  clearIssues();

  const loadExample = async () => {
    try {
      const res = await fetch(new URL("example-spec.json", window.location.href), { cache: "no-store" });
      spec.value = await res.text();
      clearIssues();
    } catch (err) {
      replace(
        errors,
        errorView(err, () => void loadExample()),
      );
    }
  };

  const form = h(
    "form",
    { class: "spec-form", novalidate: true },
    h(
      "div",
      { class: "spec-input" },
      h("label", { for: "spec" }, "Interconnect spec (JSON)"),
      h(
        "p",
        { id: "spec-help", class: "muted" },
        "The body of POST /api/interconnects (docs/api.md). Start from the example: it matches the local stack's seeded VNet and VCN.",
      ),
      spec,
      h("label", { for: "ticket" }, "Ticket reference (optional)"),
      h("p", { id: "ticket-help", class: "muted" }, "An ITSM change or ticket, e.g. CHG0031234: it goes into every audit row of the run."),
      ticket,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", onclick: () => void loadExample() }, "Load the example"),
        planButton,
        submit,
      ),
    ),
    errors,
  );

  /** The spec as JSON, or its syntax error shown beside it. */
  const parsed = (): { ok: true; body: unknown } | { ok: false } => {
    try {
      return { ok: true, body: JSON.parse(spec.value) };
    } catch (err) {
      showIssues("The spec is not JSON", [{ path: "", message: syntaxError(spec.value, err) }]);
      spec.focus();
      return { ok: false };
    }
  };
  const refused = (err: unknown, again: () => void) => {
    if (err instanceof KeyRequired) replace(errors, keyForm(again, err.status));
    else if (err instanceof ApiError && err.problem.errors?.length)
      showIssues(`${err.status}: ${err.problem.title ?? "The spec is not valid"}`, err.problem.errors);
    else if (err instanceof ApiError)
      showIssues(`${err.status}: ${err.problem.title ?? "Refused"}`, [{ path: "", message: err.problem.detail ?? err.message }]);
    else replace(errors, errorView(err, again));
  };
  const headers = (): Record<string, string> => (ticket.value.trim() ? { "x-ticket-ref": ticket.value.trim() } : {});

  const provisionPlan = h("button", { type: "button", id: "provision-plan" }, "Provision this plan");
  provisionPlan.addEventListener("click", () => {
    const current = planned;
    if (!current) return;
    provisionPlan.disabled = true;
    void (async () => {
      try {
        const res = await call<Accepted>("POST", `interconnects?planId=${encodeURIComponent(current.plan.planId)}`, {
          json: current.body,
          headers: headers(),
        });
        if (alive) window.location.hash = `#/interconnects/${encodeURIComponent(res.body.name)}`;
      } catch (err) {
        if (alive) refused(err, () => provisionPlan.click());
      } finally {
        provisionPlan.disabled = !(planned?.plan.ready ?? false);
      }
    })();
  });
  // A plan holds for the spec it was made of only: an edit makes it stale here, as the API would say.
  spec.addEventListener("input", () => {
    if (!planned || spec.value === planned.text) return;
    planned = undefined;
    replace(planArea, h("p", { class: "muted" }, "The spec changed since the plan was made: plan it again."));
  });

  planButton.addEventListener("click", () => {
    const got = parsed();
    if (!got.ok) return;
    const text = spec.value;
    planButton.disabled = true;
    planned = undefined;
    replace(planArea, h("p", {}, "Planning: reading both clouds…"));
    clearIssues();
    void (async () => {
      try {
        const accepted = await call<PlanAccepted>("POST", "interconnects/plans", { json: got.body, headers: headers() });
        let plan: Plan | undefined;
        while (alive && plan === undefined) {
          const res = await call<Plan>("GET", `interconnects/plans/${encodeURIComponent(accepted.body.planId)}`);
          if (res.status === 200) plan = res.body;
          else await sleep(500);
        }
        if (!alive || plan === undefined) return;
        planned = { plan, body: got.body, text };
        provisionPlan.disabled = !plan.ready;
        replace(planArea, planSection(plan, provisionPlan));
        if (plan.problems.length) showIssues(`The plan found ${plan.problems.length} problem(s)`, plan.problems);
      } catch (err) {
        if (!alive) return;
        replace(planArea);
        refused(err, () => planButton.click());
      } finally {
        planButton.disabled = false;
      }
    })();
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void (async () => {
      const got = parsed();
      if (!got.ok) return;
      submit.disabled = true;
      replace(errors, h("p", {}, "Sending…"));
      try {
        const res = await call<Accepted>("POST", "interconnects", { json: got.body, headers: headers() });
        if (alive) window.location.hash = `#/interconnects/${encodeURIComponent(res.body.name)}`;
      } catch (err) {
        if (alive) refused(err, () => form.requestSubmit());
      } finally {
        submit.disabled = false;
      }
    })();
  });

  replace(root, h("h1", { tabindex: "-1" }, "New interconnect"), form, planArea);
  void loadExample();
  return () => {
    alive = false;
  };
};
