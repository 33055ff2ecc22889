import { renderAuthStatus } from "./auth.js";
import { interconnectView } from "./interconnect-view.js";
import { listView } from "./list-view.js";
import { startView } from "./start-view.js";
import type { View } from "./view.js";

/** Hash routes keep the console one static page: #/, #/new, #/interconnects/<name>. */
function route(): { view: View; params: URLSearchParams; path: string[] } {
  const raw = window.location.hash.replace(/^#\/?/, "");
  const [pathPart = "", query = ""] = raw.split("?");
  const path = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (path[0] === "new") return { view: startView, params, path };
  if (path[0] === "interconnects" && path[1]) return { view: interconnectView, params, path };
  return { view: listView, params, path };
}

const main = document.getElementById("main") as HTMLElement;
const authStatus = document.getElementById("auth-status") as HTMLElement;
let dispose: (() => void) | undefined;

function render(): void {
  dispose?.();
  const { view, params, path } = route();
  dispose = view(main, params, path);
  renderAuthStatus(authStatus, render);
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    if (link.getAttribute("href") === `#/${path[0] === "new" ? "new" : ""}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // Move focus to the new page's heading, as a page load would, for keyboard and screen-reader users.
  (main.querySelector("h1") as HTMLElement | null)?.focus({ preventScroll: true });
}

document.getElementById("skip")?.addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", render);
render();
