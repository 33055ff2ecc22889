import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { E2eStack } from "../e2e/support/stack";
import { inventory } from "../e2e/support/inventory";
import { spec } from "../e2e/support/specs";
import { PROVISION_STEPS } from "../../src/workflows/provision";
import { elementScreenshot, ensureConsoleBuilt, launchBrowser, screenshot, seriousAxeViolations } from "./support/browser";

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core) against the whole local
 * stack: the compiled app in the local host, Azurite, both cloud emulators. Everything is done from the
 * page, as a person would; the API is read only to check what the page claims.
 */
describe("web console in Chromium", () => {
  let stack: E2eStack;
  let browser: Browser;
  let page: Page;
  const requests: { method: string; url: string; key: string | undefined }[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    // x300: a provisioning takes about 10 s, slow enough to watch the live status, fast enough for CI.
    [stack, browser] = await Promise.all([E2eStack.start({ speed: 300, settings: { PROVIDER_DEADLINE_MINUTES: "15" } }), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("request", (r) => requests.push({ method: r.method(), url: r.url(), key: r.headers()["x-functions-key"] }));
    page.on("pageerror", (e) => {
      throw e;
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const consoleUrl = (hash = "") => `${stack.url}/api/console/${hash}`;
  const stateIs = (state: string, timeout = 60_000) =>
    page.waitForFunction((s) => document.getElementById("main")?.getAttribute("data-state") === s, state, { timeout, polling: 200 });

  async function startFromPage(body: unknown): Promise<void> {
    // From another page, so the start page renders afresh (and loads the example before we type over it).
    await page.goto(consoleUrl("#/"));
    await page.goto(consoleUrl("#/new"));
    await page.waitForFunction(() => (document.getElementById("spec") as HTMLTextAreaElement | null)?.value.includes("erp-prod"));
    await page.fill("#spec", JSON.stringify(body, null, 2));
    await page.getByRole("button", { name: "Start provisioning" }).click();
  }

  it("shows the API's field errors beside the spec and starts nothing", async () => {
    await page.goto(consoleUrl("#/new"));
    await page.waitForFunction(() => (document.getElementById("spec") as HTMLTextAreaElement | null)?.value.includes("erp-prod"));
    const bad = { ...spec("erp-bad"), bandwidthGbps: 3, azure: { ...spec("erp-bad").azure, peeringLocation: "Amsterdam" } };
    await page.fill("#spec", JSON.stringify(bad));
    await page.getByRole("button", { name: "Start provisioning" }).click();
    const errors = page.locator("#spec-errors li");
    await errors.first().waitFor();
    expect(await page.locator("#spec-errors li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-path")))).toEqual(
      expect.arrayContaining(["bandwidthGbps", "azure.peeringLocation"]),
    );
    expect(await page.locator("#spec").getAttribute("aria-invalid")).toBe("true");
    await page.fill("#spec", "{ not json");
    await page.getByRole("button", { name: "Start provisioning" }).click();
    await page.getByText(/line 1, column 3/).waitFor();
    await screenshot(page, "spec-errors");
    expect((await stack.api("GET", "interconnects/erp-bad")).status).toBe(404);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("shows a provisioning that fails (the provider never provisions) with the red step and the compensation lane", async () => {
    await stack.faults("PATCH", { providerNeverProvisions: true });
    await startFromPage(spec("erp-fail"));
    await page.waitForURL(/#\/interconnects\/erp-fail$/);
    await stateIs("failed", 90_000);
    const run = page.locator("figure.timeline").first();
    await run.locator('.bar.failed[data-step="provider"][data-lane="main"]').waitFor();
    // The record says failed as soon as the step fails; the run is over once compensation has removed what it built.
    await page.locator('figure.timeline[data-outcome="failed"]').first().waitFor({ timeout: 90_000 });
    expect(await run.getAttribute("data-outcome")).toBe("failed");
    expect(await run.locator(".failure-reason").textContent()).toMatch(/Failed at provider: .*DEADLINE_EXCEEDED/);
    expect(await run.locator('[data-group="compensation"]').count()).toBe(1);
    const compensation = await run
      .locator('.bar[data-lane="compensation"]')
      .evaluateAll((bars) => bars.map((b) => b.getAttribute("data-step")));
    expect(compensation).toEqual(expect.arrayContaining(["compensation", "virtual-circuit", "circuit", "drg", "gateway"]));
    // the compensation's own durable waits are shaded as well
    expect(await run.locator('.bar[data-lane="compensation"][data-step="gateway"] .wait title').first().textContent()).toMatch(
      /^waiting for /,
    );
    // the red is the failing step's own colour, not a class alone
    const fill = await run.locator('.bar.failed[data-step="provider"] .bar-rect').evaluate((r) => getComputedStyle(r).fill);
    expect(fill).toBe("rgb(185, 28, 28)");
    // the provider wait is shaded with what it waited for
    expect(await run.locator('.bar[data-step="provider"] .wait title').first().textContent()).toMatch(
      /^waiting for virtual circuit PROVISIONED/,
    );
    await screenshot(page, "failed-with-compensation");
    // The README's picture of the timeline (docs/console-timeline.png is a copy of this artifact).
    await elementScreenshot(run, "timeline");
    await stack.faults("PUT", {});
  }, 120_000);

  it("provisions from the page and follows the run live until the timeline reaches active", async () => {
    await startFromPage(spec("erp-prod"));
    await page.waitForURL(/#\/interconnects\/erp-prod$/);
    // while in flight: the current step, what it waits for, since when, the deadline
    const live = page.locator("section.live");
    await live.waitFor({ timeout: 30_000 });
    expect(await live.locator(".live-step").textContent()).toMatch(new RegExp(`^Step \\d+ of ${PROVISION_STEPS.length}: `));
    await page.locator("section.live dt", { hasText: "Waiting for" }).waitFor({ timeout: 30_000 });
    expect(await live.locator("dt").allTextContents()).toEqual(expect.arrayContaining(["Waiting for", "Since", "Deadline"]));
    expect(await page.locator('figure.timeline[data-outcome="running"]').count()).toBe(1);
    await screenshot(page, "provisioning-live");

    await stateIs("active", 90_000);
    await page.locator("section.live").waitFor({ state: "detached" });
    const run = page.locator("figure.timeline").first();
    await page.locator('figure.timeline[data-outcome="succeeded"]').waitFor();
    const steps = await run.locator('.bar[data-lane="main"]').evaluateAll((bars) => bars.map((b) => b.getAttribute("data-step")));
    // every step of the provisioning in its order; the spec asks for no end-to-end probe, so the monitor step has no bar
    expect(steps).toEqual(PROVISION_STEPS.filter((step) => step !== "monitor"));
    // durable waits shaded (which ones depends on timing: a gateway seen ready by a health check is not waited for)
    expect(await run.locator(".bar .wait").count()).toBeGreaterThan(0);
    expect(await run.locator(".bar.failed").count()).toBe(0);
    // the earlier, failed attempt of another name is not mixed in; erp-fail keeps its own page
    expect(await page.locator("figure.timeline").count()).toBe(1);

    // every resource with a deep link into the Azure portal or the OCI Console for its id and region
    const links = await page.locator("table.resources a").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    const record = (await stack.api("GET", "interconnects/erp-prod")).json;
    expect(links).toContain(`https://portal.azure.com/#resource${record.resources.circuitId}/overview`);
    expect(links).toContain(
      `https://cloud.oracle.com/networking/fast-connect/virtual-circuit/${record.resources.virtualCircuitId}?region=us-ashburn-1`,
    );
    expect(links.filter((l) => l.startsWith("https://portal.azure.com/#resource/subscriptions/"))).toHaveLength(5);
    expect(links.filter((l) => l.startsWith("https://cloud.oracle.com/networking/"))).toHaveLength(5);
    // the BGP plan, and the service key only masked
    expect(await page.locator("#bgp-title + table").textContent()).toContain("192.168.100.1/30");
    const text = (await page.textContent("main")) ?? "";
    expect(text).toMatch(/[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}/);
    const circuit = inventory(await stack.admin("GET", "state")).circuits[0];
    const serviceKey = String((circuit?.raw.properties as { serviceKey?: unknown } | undefined)?.serviceKey);
    expect(serviceKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.content()).not.toContain(serviceKey);

    // the audit table, newest first
    const times = await page.locator(".audit-table tbody tr td:first-child").allTextContents();
    expect(times.length).toBeGreaterThan(5);
    expect([...times].sort().reverse()).toEqual(times);
    // the provisioning's last step is among the newest rows (the health watch it starts writes right after it)
    expect((await page.locator(".audit-table tbody tr td:nth-child(2)").allTextContents()).slice(0, 3)).toContain("activate");
    await screenshot(page, "active");
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 150_000);

  it("lists every interconnect with its state and regions, filters by state", async () => {
    await page.goto(consoleUrl());
    await page.locator('tr[data-name="erp-prod"]').waitFor();
    expect(await page.locator('tr[data-name="erp-prod"] td').allTextContents()).toEqual(
      expect.arrayContaining(["active", "1 Gbps", "eastus", "us-ashburn-1"]),
    );
    expect(await page.locator('tr[data-name="erp-fail"] .badge').textContent()).toBe("failed");
    await page.selectOption("#state-filter", "failed");
    await page.waitForURL(/state=failed/);
    await page.locator('tr[data-name="erp-fail"]').waitFor();
    expect(await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-name")))).toEqual(["erp-fail"]);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("refuses a teardown with the wrong name typed, and with the right name runs it to deleted", async () => {
    await page.goto(consoleUrl("#/interconnects/erp-prod"));
    await stateIs("active");
    const deletesBefore = requests.filter((r) => r.method === "DELETE").length;
    await page.fill("#confirm-name", "erp-prd");
    await page.fill("#teardown-reason", "walkthrough from the console");
    await page.getByRole("button", { name: "Tear down erp-prod" }).click();
    await page.getByRole("alert").filter({ hasText: "does not match" }).waitFor();
    expect(await page.locator("#confirm-name").getAttribute("aria-invalid")).toBe("true");
    expect(requests.filter((r) => r.method === "DELETE").length).toBe(deletesBefore);
    expect((await stack.api("GET", "interconnects/erp-prod")).json.state).toBe("active");

    await page.fill("#confirm-name", "erp-prod");
    await page.getByRole("button", { name: "Tear down erp-prod" }).click();
    await stateIs("deleted", 90_000);
    await page.locator("section.live").waitFor({ state: "detached" });
    const deletes = requests.filter((r) => r.method === "DELETE");
    expect(deletes).toHaveLength(deletesBefore + 1);
    expect(new URL(deletes.at(-1)!.url).searchParams.get("reason")).toBe("walkthrough from the console");
    const run = page.locator("figure.timeline").first();
    expect(await run.getAttribute("data-outcome")).toBe("succeeded");
    expect(await run.locator("figcaption").textContent()).toMatch(/^Teardown teardown-erp-prod-2/);
    // the teardown's durable waits are shaded too, with what each waited for
    expect(await run.locator('.bar[data-step="gateway"] .wait title').first().textContent()).toMatch(
      /^waiting for the gateway to be deleted/,
    );
    expect(await run.locator('.bar[data-step="circuit-deprovisioning"] .wait title').first().textContent()).toMatch(
      /^waiting for the circuit to show NotProvisioned and no peerings/,
    );
    expect(await page.locator("details.run").count()).toBe(1);
    await screenshot(page, "deleted");
    const audit = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000")).json.items as { step: string; message?: string }[];
    expect(audit.some((r) => r.step === "request" && r.message?.includes("walkthrough from the console"))).toBe(true);
  }, 120_000);

  it("plans first from the page: problems beside the spec, then the plan, provisioned by its planId", async () => {
    await page.goto(consoleUrl("#/"));
    await page.goto(consoleUrl("#/new"));
    await page.waitForFunction(() => (document.getElementById("spec") as HTMLTextAreaElement | null)?.value.includes("erp-prod"));
    const good = spec("erp-plan", { allocateBgp: true });
    // A VNet that does not exist: the plan's problem appears beside the spec by its path, and nothing can be provisioned.
    const missing = { ...good, azure: { ...good.azure, virtualNetwork: { ...good.azure.virtualNetwork, name: "vnet-nowhere" } } };
    await page.fill("#spec", JSON.stringify(missing, null, 2));
    await page.getByRole("button", { name: "Plan first" }).click();
    await page.locator('#plan[data-ready="false"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#spec-errors li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-path")))).toContain(
      "azure.virtualNetwork.name",
    );
    expect(await page.locator('#spec-errors li[data-path="azure.virtualNetwork.name"] .fix').textContent()).toMatch(/^Fix: /);
    expect(await page.locator("#provision-plan").isDisabled()).toBe(true);

    await page.fill("#spec", JSON.stringify(good, null, 2));
    await page.getByText("The spec changed since the plan was made").waitFor();
    await page.getByRole("button", { name: "Plan first" }).click();
    const plan = page.locator('#plan[data-ready="true"]');
    await plan.waitFor({ timeout: 30_000 });
    const actions = Object.fromEntries(
      await plan
        .locator(".plan-resources tbody tr")
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-kind"), r.getAttribute("data-action")] as const)),
    );
    expect(actions).toMatchObject({
      virtualNetwork: "reuse",
      vcn: "reuse",
      circuit: "create",
      virtualCircuit: "create",
      gateway: "create",
    });
    expect(await plan.locator('.plan-resources tr[data-kind="circuit"] .billing').textContent()).toMatch(/^bills from step circuit/);
    expect(await plan.locator('.plan-resources tr[data-kind="drg"] .billing').textContent()).toMatch(/^no charge/);
    expect(await plan.locator(".plan-bgp tbody").textContent()).toMatch(/192\.168\.100\.\d+\/30/);
    expect(await plan.locator(".plan-duration").textContent()).toMatch(/^Duration: \d+ min \d+ s to \d+ min \d+ s; the critical path: /);
    expect(await page.locator("#spec-errors li").count()).toBe(0);
    await screenshot(page, "plan");
    expect(await seriousAxeViolations(page)).toEqual([]);

    const planId = await plan.getAttribute("data-plan-id");
    await page.getByRole("button", { name: "Provision this plan" }).click();
    await page.waitForURL(/#\/interconnects\/erp-plan$/);
    expect(requests.some((r) => r.method === "POST" && new URL(r.url).searchParams.get("planId") === planId)).toBe(true);
    await stateIs("active", 90_000);
  }, 150_000);

  it("asks for a function key once per tab when the API needs one, and never puts it in a URL", async () => {
    await stack.restartHost({ HOST_FUNCTION_KEYS: "console-test-key" });
    const tab = await browser.newPage();
    const seen: { url: string; key: string | undefined }[] = [];
    tab.on("request", (r) => seen.push({ url: r.url(), key: r.headers()["x-functions-key"] }));
    await tab.goto(consoleUrl());
    await tab.getByRole("textbox", { name: "Function key", exact: true }).fill("console-test-key");
    await tab.getByRole("button", { name: "Use this key" }).click();
    await tab.locator('tr[data-name="erp-prod"]').waitFor();
    expect(await tab.evaluate(() => sessionStorage.getItem("interconnect-console.function-key"))).toBe("console-test-key");
    expect(seen.some((r) => r.url.includes("/api/interconnects") && r.key === "console-test-key")).toBe(true);
    expect(seen.filter((r) => r.url.includes("console-test-key"))).toEqual([]);
    // another tab starts without it
    const other = await browser.newPage();
    await other.goto(consoleUrl());
    await other.getByRole("textbox", { name: "Function key", exact: true }).waitFor();
    await Promise.all([tab.close(), other.close()]);
  }, 60_000);
});
