import { ApiError, call, KeyRequired } from "./api.js";
import { keyForm } from "./auth.js";
import { h, replace } from "./dom.js";

/** Teardown needs the name typed out and a reason: a circuit removed by mistake takes a provider ticket to get back. */
export function teardownForm(name: string, started: (note: string) => void): HTMLElement {
  const confirmInput = h("input", {
    id: "confirm-name",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "confirm-help teardown-message",
  });
  const reason = h("textarea", { id: "teardown-reason", rows: 2, maxlength: 500, "aria-describedby": "teardown-message" });
  const ticket = h("input", { id: "teardown-ticket", autocomplete: "off" });
  const message = h("div", { id: "teardown-message", "aria-live": "assertive" });
  const button = h("button", { type: "submit", class: "danger" }, `Tear down ${name}`);
  const refuse = (text: string, field: HTMLElement) => {
    field.setAttribute("aria-invalid", "true");
    replace(message, h("p", { class: "error", role: "alert" }, text));
    field.focus();
  };
  const form = h(
    "form",
    { class: "teardown", "aria-labelledby": "teardown-title", novalidate: true },
    h("h2", { id: "teardown-title" }, "Tear down"),
    h(
      "p",
      { id: "confirm-help" },
      "Removes, in the only safe order, what this service built: connection → virtual circuit → wait until Azure shows the circuit NotProvisioned → circuit → route rules → DRG attachment and DRG → gateway. It stops a provisioning in flight first.",
    ),
    h("label", { for: "confirm-name" }, `Type the interconnect's name, ${name}, to confirm`),
    confirmInput,
    h("label", { for: "teardown-reason" }, "Reason (goes into the audit)"),
    reason,
    h("label", { for: "teardown-ticket" }, "Ticket reference (optional)"),
    ticket,
    button,
    message,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    confirmInput.removeAttribute("aria-invalid");
    reason.removeAttribute("aria-invalid");
    if (confirmInput.value.trim() !== name) return refuse(`The name does not match "${name}": nothing was torn down.`, confirmInput);
    const why = reason.value.trim();
    if (!why || why.length > 500) return refuse("Give a reason of 1-500 characters: nothing was torn down.", reason);
    button.disabled = true;
    replace(message, h("p", {}, "Asking for the teardown…"));
    void (async () => {
      try {
        const headers: Record<string, string> = ticket.value.trim() ? { "x-ticket-ref": ticket.value.trim() } : {};
        const { body } = await call<{ outcome?: string }>(
          "DELETE",
          `interconnects/${encodeURIComponent(name)}?${new URLSearchParams({ reason: why })}`,
          { headers },
        );
        // 200 cancelled: the provisioning was still queued for its turn on the VNet or VCN, so nothing was built and no teardown runs.
        const text =
          body?.outcome === "cancelled"
            ? `Cancelled: ${name} was still queued for its turn and built nothing; it is deleted, and no teardown runs.`
            : "Teardown started: the timeline below follows it.";
        replace(message, h("p", { class: "ok", role: "status" }, text));
        confirmInput.value = "";
        started(text);
      } catch (err) {
        if (err instanceof KeyRequired)
          replace(
            message,
            keyForm(() => form.requestSubmit(), err.status),
          );
        else if (err instanceof ApiError)
          replace(
            message,
            h(
              "div",
              { class: "error", role: "alert" },
              h("p", {}, `${err.status}: ${err.problem.detail ?? err.message}`),
              err.problem.errors?.length
                ? h("ul", {}, ...err.problem.errors.map((i) => h("li", {}, h("code", {}, i.path), ` ${i.message}`)))
                : null,
            ),
          );
        else replace(message, h("p", { class: "error", role: "alert" }, String(err)));
      } finally {
        button.disabled = false;
      }
    })();
  });
  return form;
}
