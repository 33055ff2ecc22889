import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RestError } from "@azure/core-rest-pipeline";
import { NetworkManagementClient } from "@azure/arm-network";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../../../src/local/clock/virtual-clock";
import { type RunningEmulators, startEmulators } from "../../../src/local/emulators";
import { staticToken } from "./arm-helpers";
import { admin } from "./cross-cloud";

const RG = "rg-erp-network";
const POLL = { updateIntervalInMs: 20 };
const dirs: string[] = [];
let emu: RunningEmulators | undefined;

afterEach(async () => {
  await emu?.close();
  emu = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function armClient(e: RunningEmulators): NetworkManagementClient {
  return new NetworkManagementClient(staticToken(e.arm.token), e.arm.subscriptionId, {
    endpoint: e.arm.url,
    tlsOptions: { ca: readFileSync(e.arm.caCertPath, "utf8") },
  });
}

async function ociAdmin(e: RunningEmulators, method: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${e.oci.url}/admin/faults`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("startEmulators", () => {
  it("answers the admin endpoints for both emulators without a token", async () => {
    emu = await startEmulators({ speed: 60 });
    const state = await admin(emu, "GET", "/admin/state");
    expect(state.status).toBe(200);
    expect(Object.keys(state.body)).toEqual(["clock", "faults", "arm", "oci"]);
    expect(JSON.stringify(state.body.oci)).toContain(emu.oci.vcnId);

    // Each emulator's admin owns its own faults; Oracle's side (provider, BGP) is the OCI emulator's.
    const faults = await admin(emu, "PATCH", "/admin/faults", { operations: { "arm:GET virtualNetworks": { latencyMs: 1 } } });
    expect(faults.body).toEqual({ operations: { "arm:GET virtualNetworks": { latencyMs: 1 } } });
    const misplaced = await admin(emu, "PATCH", "/admin/faults", { bgpStaysDown: true });
    expect(misplaced.status).toBe(400);
    expect(JSON.stringify(misplaced.body)).toMatch(/OCI emulator/);
    const oci = await ociAdmin(emu, "PATCH", { bgpStaysDown: true, operations: { "*": { latencyMs: 2 } } });
    expect(oci).toEqual({ status: 200, body: { operations: { "oci:*": { latencyMs: 2 } }, bgpStaysDown: true } });
    expect(emu.faults.bgpStaysDown).toBe(true);
    expect((await ociAdmin(emu, "PATCH", { operations: { "arm:PUT virtualNetworks": { errorRate: 1 } } })).status).toBe(400);
    // The combined view still shows both sides; a PUT on one side leaves the other's faults alone.
    expect((await admin(emu, "GET", "/admin/state")).body.faults).toEqual({
      operations: { "arm:GET virtualNetworks": { latencyMs: 1 }, "oci:*": { latencyMs: 2 } },
      bgpStaysDown: true,
    });
    await admin(emu, "PUT", "/admin/faults", {});
    expect(emu.faults.current).toEqual({ operations: { "oci:*": { latencyMs: 2 } }, bgpStaysDown: true });
    expect((await ociAdmin(emu, "PUT", {})).body).toEqual({ operations: {} });
    expect((await admin(emu, "PUT", "/admin/faults", { operations: { "*": { errorRate: 2 } } })).status).toBe(400);

    const before = emu.clock.now();
    const clock = await admin(emu, "POST", "/admin/clock", { advanceMs: 3_600_000 });
    expect(clock.body.nowMs as number).toBeGreaterThanOrEqual(before + 3_600_000);

    const vnet = await admin(emu, "POST", "/admin/seed/virtualNetworks", {
      name: "vnet-hr",
      addressPrefixes: ["10.30.0.0/16"],
      subnets: [{ name: "snet-a", addressPrefix: "10.30.1.0/24" }],
    });
    expect(vnet.status).toBe(201);
    expect((await armClient(emu).virtualNetworks.get(RG, "vnet-hr")).subnets?.[0]?.addressPrefix).toBe("10.30.1.0/24");
    const badVnet = await admin(emu, "POST", "/admin/seed/virtualNetworks", { name: "vnet-x" });
    expect(badVnet.status).toBe(400);
    expect(JSON.stringify(badVnet.body)).toContain("addressPrefixes");
    const vcn = await admin(emu, "POST", "/admin/seed/vcns", { displayName: "vcn-hr", cidrBlocks: ["10.40.0.0/16"] });
    expect(vcn.status).toBe(201);
    expect(vcn.body.cidrBlocks).toEqual(["10.40.0.0/16"]);

    expect((await admin(emu, "POST", "/admin/reset")).status).toBe(200);
    const gone = (await armClient(emu)
      .virtualNetworks.get(RG, "vnet-hr")
      .catch((e: unknown) => e)) as RestError;
    expect(gone.statusCode).toBe(404);
    expect((await armClient(emu).virtualNetworks.get(RG, "vnet-erp")).name).toBe("vnet-erp");
  });

  it("keeps resources, in-flight operations and the clock across a restart with a data folder", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "emulators-data-"));
    dirs.push(dataDir);
    emu = await startEmulators({ speed: 60, dataDir });
    let client = armClient(emu);
    await client.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet-erp",
      "GatewaySubnet",
      { addressPrefix: "10.10.255.0/27" },
      { updateIntervalInMs: 200 },
    );
    // A 30-minute gateway: at speed 60 it is 30 real seconds, so it is still Updating across the restart.
    await client.virtualNetworkGateways.beginCreateOrUpdate(RG, "ergw", {
      location: "eastus",
      gatewayType: "ExpressRoute",
      sku: { name: "ErGw1AZ", tier: "ErGw1AZ" },
      ipConfigurations: [{ name: "default", subnet: { id: `${emu.arm.virtualNetworkId}/subnets/GatewaySubnet` } }],
    });
    const fingerprint = emu.oci.fingerprint;
    const caPem = readFileSync(emu.arm.caCertPath, "utf8");
    const timeBefore = emu.clock.now();
    await emu.close();

    emu = await startEmulators({ speed: 60, dataDir });
    client = armClient(emu);
    expect(emu.oci.fingerprint).toBe(fingerprint);
    expect(readFileSync(emu.arm.caCertPath, "utf8")).toBe(caPem);
    expect(emu.clock.now()).toBeGreaterThanOrEqual(timeBefore);
    expect(VirtualClock.fromFile(emu.clockFile ?? "").now()).toBeGreaterThanOrEqual(timeBefore);
    expect((await client.virtualNetworkGateways.get(RG, "ergw")).provisioningState).toBe("Updating");

    // The pending transition was stored with its virtual time: moving the clock past it completes the gateway.
    await admin(emu, "POST", "/admin/clock", { advanceMs: 30 * 60_000 });
    expect((await client.virtualNetworkGateways.get(RG, "ergw")).provisioningState).toBe("Succeeded");
    expect(VirtualClock.fromFile(emu.clockFile ?? "").now()).toBeGreaterThanOrEqual(timeBefore + 30 * 60_000);
    const err = (await client.subnets.beginDeleteAndWait(RG, "vnet-erp", "GatewaySubnet", POLL).catch((e: unknown) => e)) as RestError;
    expect(err.code).toBe("InUseSubnetCannotBeDeleted");
  });
});
