import { afterAll, beforeAll, expect, it } from "vitest";
import { counts, inventory, ONE_INTERCONNECT } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * The host is killed (-9) in the middle of a change in place, after the circuit grew and while the
 * virtual circuit takes its new shape, and started again on the same Azurite: the change resumes from
 * its history, sends nothing twice, and the record's spec follows only once both sides are verified.
 */
let stack: E2eStack;

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 300 });
  expect((await stack.api("POST", "interconnects", spec())).status).toBe(202);
  expect((await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed", 90_000)).state).toBe("active");
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

it("resumes a change after the host is killed half-way, changing each side once", async () => {
  await stack.faults("PATCH", { providerNeverProvisions: true });
  const res = await stack.api(
    "PATCH",
    "interconnects/erp-prod",
    { bandwidthGbps: 2, confirmIrreversible: true },
    {
      "content-type": "application/merge-patch+json",
    },
  );
  expect(res.status).toBe(202);
  await stack.waitForRecord(
    "erp-prod",
    (r) => r.currentOperation?.customStatus?.step === "virtual-circuit" && r.currentOperation.customStatus.waitingFor !== undefined,
  );
  await stack.killHost();
  const during = inventory(await stack.admin("GET", "state"));
  expect((during.circuits[0]?.raw as Json).properties.serviceProviderProperties.bandwidthInMbps).toBe(2000);
  expect(during.virtualCircuits[0]?.raw).toMatchObject({ bandwidthShapeName: "2 Gbps", lifecycleState: "PROVISIONING" });

  await stack.faults("PATCH", { providerNeverProvisions: false });
  await stack.startHost();
  const record = await stack.waitForRecord(
    "erp-prod",
    (r) => r.currentOperation?.instanceId === res.json.id && ["Completed", "Failed"].includes(r.currentOperation.runtimeStatus),
    90_000,
  );
  expect(record.currentOperation.runtimeStatus).toBe("Completed");
  expect(record).toMatchObject({ state: "active", failure: null, spec: { bandwidthGbps: 2 } });
  const inv = inventory(await stack.admin("GET", "state"));
  expect(counts(inv)).toEqual(ONE_INTERCONNECT);
  expect(inv.virtualCircuits[0]?.raw).toMatchObject({ bandwidthShapeName: "2 Gbps", lifecycleState: "PROVISIONED", bgpSessionState: "UP" });

  const rows = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as Json[];
  const mine = rows.filter((r) => r.instanceId === res.json.id);
  expect(mine.filter((r) => r.step === "azureUpdateCircuit" && r.phase === "succeeded")).toHaveLength(1);
  expect(mine.filter((r) => r.step === "ociUpdateVirtualCircuitShape" && r.phase === "succeeded")).toHaveLength(1);
  expect(mine.filter((r) => r.step === "commit" && r.phase === "succeeded")).toHaveLength(1);
}, 180_000);
