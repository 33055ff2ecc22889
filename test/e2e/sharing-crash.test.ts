import { afterAll, beforeAll, expect, it } from "vitest";
import { counts, NOTHING } from "./support/inventory";
import { sharedEstate } from "./support/shared-estate";
import { E2eStack } from "./support/stack";

/**
 * The host killed (-9) in the middle of the teardown of an interconnect that shares its gateway and
 * DRG (issue 9): once right after the DELETE, while the usage rows are being released and the shared
 * resources decided on, and once half-way, while the circuit waits for the provider. The teardown
 * resumes from its history; the neighbour keeps everything; the last teardown leaves nothing. A slower
 * clock than sharing.test.ts, so that "the middle" lasts long enough to hit.
 */
let stack: E2eStack;
const touched = new Set<string>();
const { clouds, provision, remove, expectWorking } = sharedEstate(() => stack, touched);

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 300 });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

it("a teardown of a shared interconnect killed twice resumes and keeps its neighbour working; the neighbour's teardown, killed too, leaves nothing", async () => {
  await provision("crash-a");
  await provision("crash-b");
  await expectWorking(["crash-a", "crash-b"]);

  await remove("crash-a", async () => {
    await stack.killHost();
    await stack.startHost();
    await stack.waitForClouds(
      "crash-a's teardown half-way",
      (inv) => inv.connections.length === 1 && inv.virtualCircuits.length === 1 && inv.circuits.length === 2,
      90_000,
    );
    await stack.killHost();
    await stack.startHost();
  });
  await expectWorking(["crash-b"]);

  await remove("crash-b", async () => {
    await stack.waitForClouds("crash-b's teardown half-way", (inv) => inv.connections.length === 0 && inv.circuits.length === 1, 90_000);
    await stack.killHost();
    await stack.startHost();
  });
  expect(counts(await clouds())).toEqual(NOTHING);
}, 600_000);
