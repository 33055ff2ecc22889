import { functionKey } from "./api.js";
import { h, replace } from "./dom.js";

/**
 * In Azure the API takes either the EasyAuth session (the browser sends its cookie by itself) or a
 * function key. The key is asked for only when the API answers 401, kept for this tab only.
 */
export function keyForm(onSaved: () => void, status: number): HTMLElement {
  const input = h("input", {
    id: "function-key",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "function-key-help",
  });
  const form = h(
    "form",
    { class: "key-form", "aria-labelledby": "key-title" },
    h("h2", { id: "key-title" }, "Sign in with a function key"),
    h(
      "p",
      { id: "function-key-help" },
      status === 403 ? "The API refused the key or session (403). " : "The API needs a function key (401). ",
      "Enter a function key of this Function App (Azure portal → the app → App keys). It is kept only in this tab (sessionStorage) and sent as the x-functions-key header, never in a URL. Behind EasyAuth your session is sent too and names you in the audit.",
    ),
    h("label", { for: "function-key" }, "Function key"),
    input,
    h("button", { type: "submit" }, "Use this key"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    functionKey.set(key);
    input.value = "";
    onSaved();
  });
  return form;
}

/** The header's note on how this tab authenticates, with a way to forget the key. */
export function renderAuthStatus(target: HTMLElement, onChange: () => void): void {
  if (!functionKey.get()) {
    replace(target);
    return;
  }
  replace(
    target,
    h("span", {}, "Function key set for this tab. "),
    h(
      "button",
      {
        type: "button",
        class: "link",
        onclick: () => {
          functionKey.clear();
          onChange();
        },
      },
      "Forget the key",
    ),
  );
}
