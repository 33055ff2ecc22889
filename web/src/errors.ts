import { ApiError, KeyRequired } from "./api.js";
import { keyForm } from "./auth.js";
import { h } from "./dom.js";

/** What went wrong, as the API said it (problem+json detail and field errors), or the key form on 401. */
export function errorView(err: unknown, retry: () => void): HTMLElement {
  if (err instanceof KeyRequired) return keyForm(retry, err.status);
  if (err instanceof ApiError) {
    return h(
      "div",
      { class: "error", role: "alert" },
      h("p", {}, h("strong", {}, `${err.status} ${err.problem.title ?? "Error"}`), err.problem.detail ? `: ${err.problem.detail}` : ""),
      err.problem.errors?.length
        ? h("ul", {}, ...err.problem.errors.map((i) => h("li", {}, h("code", {}, i.path || "(body)"), ` ${i.message}`)))
        : null,
    );
  }
  return h(
    "div",
    { class: "error", role: "alert" },
    h("p", {}, `The API could not be reached: ${err instanceof Error ? err.message : String(err)}`),
  );
}
