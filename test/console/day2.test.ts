import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { E2eStack, type Json } from "../e2e/support/stack";
import { spec } from "../e2e/support/specs";
import { ensureConsoleBuilt, launchBrowser, screenshot, seriousAxeViolations } from "./support/browser";

/**
 * The console in Chromium for what comes after provisioning: a queued provisioning torn down from the page
 * is said to be cancelled (the DELETE answers 200 outcome "cancelled"), not "Teardown started"; and change
 * and adoption runs are named by their operation in the timeline, beside the provisioning.
 */
describe("web console: day-2 runs in Chromium", () => {
  let stack: E2eStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureConsoleBuilt();
    // The provider's deadline far away: erp-prod waits at the provider (fault on) while erp-queued waits its turn.
    [stack, browser] = await Promise.all([
      E2eStack.start({
        speed: 300,
        settings: { PROVIDER_DEADLINE_MINUTES: "600", HEALTH_CONTROL_PLANE_MINUTES: "60", HEALTH_ROUTES_MINUTES: "120" },
      }),
      launchBrowser(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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

  it("says a queued provisioning torn down from the page was cancelled, not that a teardown started", async () => {
    await stack.faults("PATCH", { providerNeverProvisions: true });
    expect((await stack.api("POST", "interconnects", spec())).status).toBe(202);
    await stack.waitForRecord("erp-prod", (r) => r.currentOperation?.customStatus?.step === "provider", 60_000);
    expect((await stack.api("POST", "interconnects", spec("erp-queued", { allocateBgp: true }))).status).toBe(202);
    const queued = await stack.waitForRecord("erp-queued", (r) =>
      /queued behind erp-prod/.test(r.currentOperation?.customStatus?.message ?? ""),
    );
    expect(queued.state).toBe("requested");

    await page.goto(consoleUrl("#/interconnects/erp-queued"));
    await stateIs("requested");
    await page.fill("#confirm-name", "erp-queued");
    await page.fill("#teardown-reason", "not needed after all");
    await page.getByRole("button", { name: "Tear down erp-queued" }).click();
    await stateIs("deleted");
    const note = page.locator("#teardown-note");
    await note.waitFor();
    expect(await note.textContent()).toBe(
      "Cancelled: erp-queued was still queued for its turn and built nothing; it is deleted, and no teardown runs.",
    );
    expect(await note.getAttribute("role")).toBe("status");
    expect(await page.textContent("main")).not.toContain("Teardown started");
    expect((await stack.api("GET", "interconnects/erp-queued")).json.state).toBe("deleted");
    await screenshot(page, "queued-cancelled");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await stack.faults("PUT", {});
    expect((await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 90_000)).state).toBe("active");
  }, 180_000);

  it("names a change run and an adoption run by their operation in the timeline", async () => {
    // The record is active a step before its provisioning's instance ends; a change waits for that end.
    await stack.waitForRecord("erp-prod", (r) => !["Running", "Pending"].includes(r.currentOperation?.runtimeStatus));
    const patch = await stack.api(
      "PATCH",
      "interconnects/erp-prod",
      { tags: { team: "network" } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(patch.status).toBe(202);
    const changed = await stack.waitForInstanceEnd(patch.json.statusQueryGetUri, 60_000);
    expect(changed.runtimeStatus).toBe("Completed");

    await page.goto(consoleUrl("#/"));
    await page.goto(consoleUrl("#/interconnects/erp-prod"));
    const newest = page.locator("figure.timeline").first();
    await newest
      .locator("figcaption")
      .filter({ hasText: /^Change change-erp-prod-/ })
      .waitFor();
    expect(await newest.getAttribute("data-outcome")).toBe("succeeded");
    const steps = await newest.locator('.bar[data-lane="main"]').evaluateAll((bars) => bars.map((b) => b.getAttribute("data-step")));
    expect(steps).toEqual(expect.arrayContaining(["record", "tags", "commit"]));
    // the provisioning before it keeps its own name
    await page.locator("details.run summary").first().click();
    expect(await page.locator("details.run figcaption").first().textContent()).toMatch(/^Provisioning provision-erp-prod-1/);
    expect(await page.textContent("main")).not.toMatch(/Provisioning change-/);
    await screenshot(page, "change-run");

    // An interconnect built by hand in its own VNet and VCN, adopted: its run is an adoption.
    await stack.admin("POST", "seed/virtualNetworks", { name: "vnet-legacy", addressPrefixes: ["10.30.0.0/16"] });
    const vcn = await stack.admin("POST", "seed/vcns", { displayName: "vcn-legacy", cidrBlocks: ["10.40.0.0/16"] });
    const seeded: Json = await stack.admin("POST", "seed/handBuiltInterconnects", {
      name: "legacy",
      virtualNetwork: "vnet-legacy",
      gatewaySubnetPrefix: "10.30.255.0/27",
      vcnId: vcn.id,
      bgp: { primaryPeeringCidr: "192.168.110.0/30", secondaryPeeringCidr: "192.168.110.4/30" },
    });
    const adopt = await stack.api("POST", "interconnects/adoptions", seeded.adoption);
    expect(adopt.status).toBe(202);
    expect((await stack.waitForInstanceEnd(adopt.json.statusQueryGetUri, 60_000)).runtimeStatus).toBe("Completed");
    await page.goto(consoleUrl("#/interconnects/legacy"));
    await stateIs("active");
    const run = page.locator("figure.timeline").first();
    await run
      .locator("figcaption")
      .filter({ hasText: /^Adoption adopt-legacy-1/ })
      .waitFor();
    expect(await run.getAttribute("data-outcome")).toBe("succeeded");
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 180_000);
});
