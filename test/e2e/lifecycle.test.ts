import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counts, inventory, NOTHING, ONE_INTERCONNECT } from "./support/inventory";
import { spec } from "./support/specs";
import { E2eStack, type Json } from "./support/stack";

/**
 * The product's main job end to end, over HTTP only: provision the README example, find it active on
 * both clouds, tear it down and find nothing left; provision the name again and tear it down through
 * the queue; and every kind of bad input, which must start nothing.
 */
let stack: E2eStack;

beforeAll(async () => {
  stack = await E2eStack.start({ speed: 1000 });
}, 240_000);
afterAll(async () => {
  await stack?.close();
});

const clouds = async () => inventory(await stack.admin("GET", "state"));

describe("provisioning and teardown of the README example", () => {
  it("provisions erp-prod until it is active on both clouds, and a re-POST starts nothing", async () => {
    const res = await stack.api("POST", "interconnects", spec(), {
      "x-ms-client-principal-name": "ana@contoso.com",
      "x-ticket-ref": "CHG0031234",
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ id: "provision-erp-prod-1", name: "erp-prod", outcome: "started" });
    expect(res.headers.get("location")).toBe(res.json.statusQueryGetUri);

    const record = await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed");
    expect(record.failure).toBeNull();
    expect(record.state).toBe("active");
    expect(record.resources).toMatchObject({
      circuitId: expect.stringMatching(/expressRouteCircuits\/erc-erp-prod$/i),
      virtualCircuitId: expect.stringMatching(/^ocid1\.virtualcircuit\./),
      serviceKeyMasked: expect.stringMatching(/^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}$/),
      routedPrefixes: ["10.10.0.0/16"],
      owned: { gatewaySubnet: true, gateway: true, drg: true, drgAttachment: true },
    });

    expect((await stack.waitForInstanceEnd(res.json.statusQueryGetUri)).runtimeStatus).toBe("Completed");
    expect((await fetch(res.json.statusQueryGetUri)).status).toBe(200);

    const inv = await clouds();
    expect(counts(inv)).toEqual(ONE_INTERCONNECT);
    expect(inv.circuits[0]?.raw).toMatchObject({ properties: { serviceProviderProvisioningState: "Provisioned" } });
    expect(inv.virtualCircuits[0]?.raw).toMatchObject({ lifecycleState: "PROVISIONED", providerState: "ACTIVE", bgpSessionState: "UP" });
    expect(inv.connections[0]?.raw).toMatchObject({ properties: { connectionStatus: "Connected" } });
    expect(inv.routeRules[0]).toMatchObject({ destination: "10.10.0.0/16", networkEntityId: inv.drgs[0]?.id });

    const again = await stack.api("POST", "interconnects", spec());
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: "provision-erp-prod-1", outcome: "existing" });

    const audit = await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc");
    expect(audit.status).toBe(200);
    const rows = audit.json.items as { actor: string; ticketRef?: string; step: string }[];
    expect(rows.length).toBeGreaterThan(5);
    expect(rows[0]).toMatchObject({ step: "request", actor: "ana@contoso.com", ticketRef: "CHG0031234" });
    // The service key is a secret: never in the record, the audit or the orchestration status.
    const everything = JSON.stringify([
      record,
      audit.json,
      await (await fetch(`${res.json.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`)).json(),
    ]);
    const serviceKey = String((inv.circuits[0]?.raw.properties as { serviceKey: string }).serviceKey);
    expect(serviceKey).toMatch(/^[0-9a-f-]{36}$/i);
    expect(everything).not.toContain(serviceKey);
  }, 120_000);

  it("tears it down in the safe order until nothing is left or billing", async () => {
    const res = await stack.api("DELETE", "interconnects/erp-prod?reason=end%20of%20test", undefined, {
      "x-ms-client-principal-name": "ops@contoso.com",
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ id: "teardown-erp-prod-2", outcome: "started" });
    const record = await stack.waitForRecord("erp-prod", (r) => r.state === "deleted" || r.state === "failed");
    expect(record.state).toBe("deleted");
    expect(counts(await clouds())).toEqual(NOTHING);
    expect((await stack.api("DELETE", "interconnects/erp-prod")).status).toBe(404);
  }, 120_000);

  it("provisions the deleted name again (a new attempt), then tears it down by a queue message", async () => {
    const res = await stack.api("POST", "interconnects", spec());
    expect(res.status).toBe(202);
    expect(res.json.id).toBe("provision-erp-prod-3");
    expect((await stack.waitForRecord("erp-prod", (r) => r.state === "active" || r.state === "failed")).state).toBe("active");

    // Base64, as the Functions queue extension expects by default.
    const queue = new QueueClient(stack.azurite.connectionString, "interconnect-teardown");
    await queue.createIfNotExists();
    const message = { name: "erp-prod", reason: "expired", requestedBy: "itsm-bot", ticketRef: "CHG0040001" };
    await queue.sendMessage(Buffer.from(JSON.stringify(message)).toString("base64"));

    const record = await stack.waitForRecord(
      "erp-prod",
      (r) => r.state === "deleted" || (r.state === "failed" && r.currentOperation?.kind === "teardown"),
    );
    expect(record.state).toBe("deleted");
    expect(record.currentOperation).toMatchObject({ kind: "teardown", instanceId: "teardown-erp-prod-4" });
    expect(counts(await clouds())).toEqual(NOTHING);
    const audit = (await stack.api("GET", "interconnects/erp-prod/audit?top=1000&order=asc")).json.items as {
      actor: string;
      ticketRef?: string;
      instanceId?: string;
    }[];
    expect(
      audit.some((row) => row.instanceId === "teardown-erp-prod-4" && row.actor === "itsm-bot" && row.ticketRef === "CHG0040001"),
    ).toBe(true);
  }, 120_000);
});

describe("bad inputs over HTTP and the queue start nothing", () => {
  it("answers each kind of bad request with a problem naming what is wrong", async () => {
    const invalid = spec("bad-input") as Json;
    invalid.bandwidthGbps = 3;
    invalid.azure.peeringLocation = "Amsterdam";
    invalid.oci.vcnId = "vcn";
    invalid.extra = true;
    const bad = await stack.api("POST", "interconnects", invalid);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect((bad.json.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      "azure.peeringLocation",
      "bandwidthGbps",
      "extra",
      "oci.vcnId",
    ]);

    const notJson = await stack.api("POST", "interconnects", '{"name": "x",', { "content-type": "application/json" });
    expect(notJson.status).toBe(400);
    expect(notJson.json.errors[0].message).toMatch(/position 13/);
    expect((await stack.api("POST", "interconnects", JSON.stringify(spec()), { "content-type": "text/plain" })).status).toBe(415);
    expect((await stack.api("POST", "interconnects", { ...spec("huge-one"), pad: "x".repeat(100_000) })).status).toBe(413);
    expect((await stack.api("POST", "interconnects", spec("ticketed"), { "x-ticket-ref": "no spaces allowed" })).status).toBe(400);
    expect((await stack.api("GET", "interconnects/Not_A_Name")).status).toBe(400);
    expect((await stack.api("GET", "interconnects/never-created")).status).toBe(404);
    expect((await stack.api("DELETE", "interconnects/never-created")).status).toBe(404);
    expect((await stack.api("GET", "interconnects?state=sleeping")).status).toBe(400);

    const names = ((await stack.api("GET", "interconnects?top=1000")).json.items as { name: string }[]).map((i) => i.name);
    expect(names).toEqual(["erp-prod"]);
  });

  it("moves malformed teardown messages to the poison queue with an audit row, and the host keeps serving", async () => {
    const queue = new QueueClient(stack.azurite.connectionString, "interconnect-teardown");
    await queue.createIfNotExists();
    await queue.sendMessage(Buffer.from("not json at all").toString("base64"));
    await queue.sendMessage(
      Buffer.from(JSON.stringify({ name: "ghost-net", reason: "cleanup", requestedBy: "itsm-bot" })).toString("base64"),
    );
    const poison = new QueueClient(stack.azurite.connectionString, "interconnect-teardown-poison");
    const until = Date.now() + 30_000;
    let texts: string[] = [];
    while (Date.now() < until) {
      if (await poison.exists()) {
        texts = (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) =>
          Buffer.from(m.messageText, "base64").toString(),
        );
        if (texts.length >= 2) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(texts.sort()).toEqual(
      [JSON.stringify({ name: "ghost-net", reason: "cleanup", requestedBy: "itsm-bot" }), "not json at all"].sort(),
    );
    const ghost = await stack.api("GET", "interconnects/ghost-net/audit");
    expect(ghost.status).toBe(200);
    expect(ghost.json.items).toEqual([expect.objectContaining({ step: "queue-message", phase: "failed" })]);
    // Both, the one that named no usable interconnect included, are listed for the integrator.
    const rejections = await stack.api("GET", "teardown-queue/rejections");
    expect(rejections.status).toBe(200);
    expect(
      (rejections.json.items as { actor: string; details: { name: string | null } }[]).map((r) => [r.actor, r.details.name]).sort(),
    ).toEqual(
      [
        ["itsm-bot", "ghost-net"],
        ["queue:interconnect-teardown", null],
      ].sort(),
    );
    expect((await stack.api("GET", "interconnects")).status).toBe(200);
  }, 60_000);
});
