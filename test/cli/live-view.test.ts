import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { plainView, ttyView } from "../../src/cli/live-view";
import { details, headline, progressOf } from "../../src/cli/progress";

const NOW = new Date("2026-12-01T10:05:30Z");

function record(status: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name: "erp-prod",
    state: "provisioning",
    failure: null,
    currentOperation: {
      kind: "provision",
      instanceId: "provision-erp-prod-1",
      startedAt: "2026-12-01T10:00:00Z",
      runtimeStatus: "Running",
      customStatus: { operation: "provision", totalSteps: 14, ...status },
    },
    ...extra,
  };
}

const waiting = record({
  step: "gateway-ready",
  stepNumber: 11,
  since: "2026-12-01T10:01:00.000Z",
  waitingFor: "the ExpressRoute gateway to be Succeeded",
  lastObserved: "gateway Creating",
  message: "waiting for the ExpressRoute gateway to be Succeeded; next look at 2026-12-01T10:25:00.000Z",
});

/** A terminal as listr2 sees one: a write stream that says it is a TTY of some size. */
function fakeTty(): { stream: NodeJS.WriteStream; screen: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number; rows: number };
  stream.isTTY = true;
  stream.columns = 200;
  stream.rows = 40;
  let text = "";
  (stream as unknown as PassThrough).on("data", (c: Buffer) => (text += c.toString()));
  return { stream, screen: () => text };
}

describe("the live view", () => {
  it("reads step n of N, the wait and since when, the last observation, the next look and the elapsed time", () => {
    const p = progressOf(waiting, NOW);
    expect(headline(p)).toBe("provisioning erp-prod · step 11/14 gateway-ready ██████████████░░░░░░ · 5m30s");
    expect(details(p)).toEqual([
      "waiting for the ExpressRoute gateway to be Succeeded since 2026-12-01T10:01:00.000Z",
      "last observed: gateway Creating",
      "next look at 2026-12-01T10:25:00.000Z",
    ]);
  });

  it("shows retries and compensation as such", () => {
    const retry = progressOf(
      record({
        step: "gateway",
        stepNumber: 4,
        message: "azureEnsureGateway failed (PUBLIC_IP_PENDING), retry 2/5 in 15s",
        lastObserved: "Public IP is Updating",
      }),
      NOW,
    );
    expect(headline(retry)).toMatch(/step 4\/14 gateway .* · RETRY 2\/5 in 15s · 5m30s$/);
    expect(details(retry)[0]).toBe("retrying: azureEnsureGateway failed (PUBLIC_IP_PENDING), retry 2/5 in 15s");
    const compensating = progressOf(
      record({ step: "virtual-circuit", stepNumber: 1, totalSteps: 9, message: "compensating after provider failed" }),
      NOW,
    );
    expect(headline(compensating)).toMatch(/ · COMPENSATING · /);
    expect(details(compensating)[0]).toBe("compensation: compensating after provider failed");
  });

  it("redraws in place on a terminal (listr2 with a fake TTY stream) and ends with the outcome", async () => {
    const out = fakeTty();
    const err = fakeTty();
    const view = ttyView(out.stream, err.stream);
    view.update(progressOf(record({ step: "drg", stepNumber: 5, message: "the DRG" }), NOW));
    await new Promise((resolve) => setTimeout(resolve, 500));
    view.update(progressOf(waiting, NOW));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await view.close("done", "erp-prod is active");
    expect(out.screen()).toContain("\u001b[");
    // What a person reads: escape codes out, lines wrapped at the renderer's width joined again.
    const screen = out
      .screen()
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")
      .replace(/\s+/g, " ");
    expect(screen).toContain("provisioning erp-prod · step 5/14 drg");
    expect(screen).toContain("provisioning erp-prod · step 11/14 gateway-ready");
    expect(screen).toContain("waiting for the ExpressRoute gateway to be Succeeded since 2026-12-01T10:01:00.000Z");
    expect(screen).toContain("next look at 2026-12-01T10:25:00.000Z");
    expect(screen).toContain("erp-prod is active");
    // The last frame holds the outcome only: earlier waits are redrawn over, not kept as a log.
    const lastFrame = screen.slice(screen.lastIndexOf("erp-prod is active"));
    expect(lastFrame).not.toContain("waiting for");
  });

  it("prints one plain line per change when not on a terminal", async () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (c: Buffer) => (text += c.toString()));
    const view = plainView(stream);
    view.update(progressOf(waiting, NOW));
    view.update(progressOf(waiting, new Date(NOW.getTime() + 60_000)));
    view.update(progressOf(record({ step: "connection", stepNumber: 12, message: "connecting the gateway to the circuit" }), NOW));
    await view.close("done", "erp-prod is active");
    const lines = text
      .trim()
      .split("\n")
      .map((l) => l.replace(/^\S+ /, ""));
    expect(lines).toEqual([
      "erp-prod provisioning [11/14 gateway-ready]: waiting for the ExpressRoute gateway to be Succeeded; last observed: gateway Creating",
      "erp-prod provisioning [12/14 connection]: connecting the gateway to the circuit",
      "erp-prod is active",
    ]);
    expect(text).not.toContain("\u001b[");
  });
});
