import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { ROOT } from "../../e2e/support/build";

/** Debian's chromium (apt-get install chromium), as .ci/run installs it; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "console");

function newest(p: string): number {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

/** The console's static files, built as `npm run build` builds them, when dist/console is missing or older than web/. */
export function ensureConsoleBuilt(): void {
  const index = path.join(ROOT, "dist/console/index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(newest(path.join(ROOT, "web")), newest(path.join(ROOT, "examples")))) return;
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build-console.js")], { cwd: ROOT, stdio: "pipe" });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get update && apt-get install -y chromium), as .ci/run does, or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** One element of the page, e.g. the timeline that docs/console-timeline.png in the README is copied from. */
export async function elementScreenshot(element: Locator, name: string): Promise<void> {
  await element.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core run inside the page; the serious and critical violations, readable in a failed expectation. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // axe-core's source evaluated in the page (as @axe-core/playwright does; an inline script tag would be
  // refused by the console's Content-Security-Policy, rightly), then axe.run().
  const { source } = (await import("axe-core")) as unknown as { source: string };
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}
