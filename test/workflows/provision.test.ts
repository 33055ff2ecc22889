import { describe, expect, it } from "vitest";
import { provisionInterconnect } from "../../src/workflows/provision";
import { replayHistory } from "./harness";
import { cloudCalls, cloudsWithRecord, EXAMPLE_SPEC, provisionInput, PROVISION_ID, runProvision } from "./fixtures";

const MIN = 60_000;

describe("provisionInterconnect on the real replay engine", () => {
  it("builds everything in the documented order and activates the record only after verification", async () => {
    const clouds = cloudsWithRecord();
    const input = provisionInput();
    const run = await runProvision(clouds, { input });

    expect(run.error).toBeUndefined();
    expect(run.output).toMatchObject({
      state: "active",
      resources: { circuitId: expect.any(String), virtualCircuitId: "ocid1.virtualcircuit.oc1.iad.ours", drgId: "ocid1.drg.oc1.iad.ours" },
    });
    expect(clouds.record?.state).toBe("active");

    const names = cloudCalls(run.calls);
    const first = (n: string) => names.indexOf(n);
    // pre-flight reads come before anything billable
    for (const read of ["azureReadVirtualNetwork", "ociReadVcn", "azureReadProviderOffer", "ociReadProviderService"]) {
      expect(first(read)).toBeLessThan(first("azureEnsureGatewaySubnet"));
    }
    // the gateway (longest pole) is started before the OCI chain; the circuit only after the DRG is attached
    expect(first("azureEnsureGateway")).toBeLessThan(first("ociEnsureDrg"));
    expect(first("ociEnsureDrgAttachment")).toBeLessThan(first("azureEnsureCircuit"));
    // the virtual circuit is created right after the circuit: nothing in between
    expect(names[first("azureEnsureCircuit") + 1]).toBe("ociEnsureVirtualCircuit");
    expect(first("ociEnsureRouteRules")).toBeGreaterThan(names.lastIndexOf("ociGetVirtualCircuit"));
    expect(first("azureEnsureConnection")).toBeGreaterThan(names.lastIndexOf("azureGetGateway"));
    // verification last; then, the record active, the health watch is started (once)
    expect(names.slice(-3)).toEqual(["azureReadPeeringTables", "azureReadPeeringTables", "healthWatchEnsure"]);
    expect(clouds.watch).toEqual({ running: true, starts: 1, stops: 0 });
    // we never create or touch the provider's peering: no such activity exists, and the circuit is not re-PUT
    expect(names.filter((n) => n === "azureEnsureCircuit")).toHaveLength(1);

    const connection = run.calls.find((c) => c.name === "azureEnsureConnection");
    expect(connection?.input).toMatchObject({ expressRouteGatewayBypass: true });
    const vc = run.calls.find((c) => c.name === "ociEnsureVirtualCircuit");
    expect(vc?.input).toMatchObject({
      bandwidthShapeName: "1 Gbps",
      crossConnectMappings: [
        { oracleBgpPeeringIp: "192.168.100.1/30", customerBgpPeeringIp: "192.168.100.2/30" },
        { oracleBgpPeeringIp: "192.168.100.5/30", customerBgpPeeringIp: "192.168.100.6/30" },
      ],
    });
    expect(run.calls.every((c) => (c.input.opContext as { instanceId: string }).instanceId === PROVISION_ID)).toBe(true);
  });

  it("puts the spec's tags on every create, on both clouds", async () => {
    const clouds = cloudsWithRecord();
    const tags = { costCenter: "cc-4711", owner: "erp-team" };
    const run = await runProvision(clouds, { input: provisionInput({ spec: { ...EXAMPLE_SPEC, tags } }) });
    expect(run.error).toBeUndefined();
    const creates = [
      "azureEnsureGateway",
      "ociEnsureDrg",
      "ociEnsureDrgAttachment",
      "azureEnsureCircuit",
      "ociEnsureVirtualCircuit",
      "azureEnsureConnection",
    ];
    for (const name of creates) {
      const call = run.calls.find((c) => c.name === name);
      expect(call?.input.tags, name).toEqual(tags);
    }
    // without tags in the spec, none are sent (the activities still add the interconnect tag)
    const untagged = await runProvision(cloudsWithRecord());
    expect(untagged.calls.filter((c) => creates.includes(c.name)).every((c) => !("tags" in c.input))).toBe(true);
  });

  it("runs the gateway in parallel: total time is the gateway's 30 min plus the connection, not the sum of all steps", async () => {
    const clouds = cloudsWithRecord();
    const run = await runProvision(clouds);
    const elapsedMin = (run.endedAt.getTime() - run.startedAt.getTime()) / MIN;
    // critical path: gateway 30 + connection 2; one sequential run would be > 40 min
    expect(elapsedMin).toBeGreaterThanOrEqual(32);
    expect(elapsedMin).toBeLessThan(40);
    const cloudReads = cloudCalls(run.calls).length;
    expect(cloudReads).toBeLessThanOrEqual(60);
  });

  it("shows step, n of N, what it waits for, since, last observation and deadline in the custom status", async () => {
    const clouds = cloudsWithRecord();
    const run = await runProvision(clouds);
    const providerWait = run.statuses.find((s) => s.step === "provider" && typeof s.lastObserved === "string");
    expect(providerWait).toMatchObject({
      operation: "provision",
      stepNumber: 10,
      totalSteps: 16,
      waitingFor: expect.stringContaining("BGP UP"),
      since: expect.stringMatching(/^2025-06-01T/),
      deadline: expect.stringMatching(/^2025-06-01T/),
      lastObserved: expect.stringContaining("PENDING_PROVIDER"),
    });
    expect(run.statuses.at(-1)).toMatchObject({ step: "activate", stepNumber: 16 });
    const steps = new Set(run.statuses.map((s) => s.step));
    expect([...steps]).toEqual(
      expect.arrayContaining([
        "preflight",
        "gateway",
        "drg",
        "circuit",
        "virtual-circuit",
        "route-rules",
        "gateway-ready",
        "connection",
        "verification",
      ]),
    );
  });

  it("writes audit rows at each step start and finish, and never a service key", async () => {
    const clouds = cloudsWithRecord();
    await runProvision(clouds);
    const circuitRows = clouds.audit.filter((a) => a.step === "circuit").map((a) => a.event);
    expect(circuitRows).toEqual(["started", "succeeded"]);
    expect(clouds.audit.filter((a) => a.event === "started")).toHaveLength(15);
  });

  it("replays the same history to the same actions and result (determinism)", async () => {
    const clouds = cloudsWithRecord();
    const input = provisionInput();
    const run = await runProvision(clouds, { input });
    const again = await replayHistory(provisionInterconnect, run.history, input, PROVISION_ID);
    expect(again.output).toEqual(run.output);
    const scheduled = run.history.filter((e) => e.EventType === 4 || e.EventType === 10).length;
    expect(again.actions).toHaveLength(scheduled);
  });

  it("retries a throttled step after the cloud's Retry-After on a durable timer", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("ociEnsureDrg", [
      { code: "TooManyRequests", message: "throttled", retryable: true, cloud: "oci", statusCode: 429, retryAfterSeconds: 45 },
      { code: "InternalError", message: "5xx", retryable: true, cloud: "oci", statusCode: 500 },
    ]);
    const run = await runProvision(clouds);
    expect(run.error).toBeUndefined();
    const attempts = run.calls.filter((c) => c.name === "ociEnsureDrg");
    expect(attempts).toHaveLength(3);
    const firstFail = Date.parse(attempts[0]!.at);
    const retryTimer = run.timers.find((t) => Date.parse(t.createdAt) >= firstFail);
    expect(Date.parse(retryTimer!.fireAt) - Date.parse(retryTimer!.createdAt)).toBe(45_000);
    expect(clouds.audit.filter((a) => a.event === "retrying" && a.step === "drg")).toHaveLength(2);
  });

  it("audits a retryable failure it gives up on as failed: the activity, then the step", async () => {
    const clouds = cloudsWithRecord();
    const throttled = { code: "TooManyRequests", message: "throttled", retryable: true, cloud: "oci" as const, statusCode: 429 };
    clouds.failNext.set(
      "ociEnsureDrg",
      Array.from({ length: 5 }, () => throttled),
    );
    const run = await runProvision(clouds);
    expect(run.calls.filter((c) => c.name === "ociEnsureDrg")).toHaveLength(5);
    expect(clouds.audit.filter((a) => a.event === "retrying" && a.step === "drg")).toHaveLength(4);
    expect(clouds.audit.filter((a) => a.event === "failed").map((a) => [a.step, a.message])).toEqual(
      expect.arrayContaining([
        ["ociEnsureDrg", expect.stringContaining("TooManyRequests: throttled (gave up after 5 attempts)")],
        ["drg", expect.stringContaining("TooManyRequests")],
      ]),
    );
  });

  it("waits for a pending public IP on a durable timer, then starts the gateway", async () => {
    const clouds = cloudsWithRecord();
    clouds.failNext.set("azureEnsureGateway", [
      {
        code: "PUBLIC_IP_PENDING",
        message: "Public IP pip-erp-prod-ergw is still Updating",
        retryable: true,
        cloud: "azure",
        retryAfterSeconds: 10,
      },
    ]);
    const run = await runProvision(clouds);
    expect(run.error).toBeUndefined();
    const attempts = run.calls.filter((c) => c.name === "azureEnsureGateway");
    expect(attempts).toHaveLength(2);
    expect(Date.parse(attempts[1]!.at) - Date.parse(attempts[0]!.at)).toBeGreaterThanOrEqual(10_000);
    expect(clouds.audit.some((a) => a.step === "gateway" && a.event === "retrying" && a.message.includes("PUBLIC_IP_PENDING"))).toBe(true);
  });

  it("fails a permanent pre-flight problem at once, before anything billable, naming every problem", async () => {
    const clouds = cloudsWithRecord({ vnetPrefixes: ["10.10.0.0/16", "192.168.100.0/24"] });
    const spec = { ...EXAMPLE_SPEC, azure: { ...EXAMPLE_SPEC.azure, peeringLocation: "Amsterdam" } };
    const run = await runProvision(clouds, { input: provisionInput({ spec }) });
    expect(run.error).toMatch(/preflight: PREFLIGHT_FAILED/);
    expect(run.error).toMatch(/Amsterdam/);
    expect(run.error).toMatch(/bgp\.primaryPeeringCidr/);
    expect(cloudCalls(run.calls).some((n) => n.includes("Ensure") || n.includes("Delete"))).toBe(false);
    expect(clouds.record).toMatchObject({ state: "failed", failure: { step: "preflight", code: "PREFLIGHT_FAILED" } });
  });

  it("pre-flight names a GatewaySubnet prefix that overlaps a subnet, before anything exists; a VCN already attached to a DRG is no problem (its DRG is reused)", async () => {
    const clouds = cloudsWithRecord({
      vcnDrgAttachments: [
        { id: "ocid1.drgattachment.oc1.iad.theirs", drgId: "ocid1.drg.oc1.iad.theirs", displayName: "hub", lifecycleState: "ATTACHED" },
      ],
    });
    const spec = {
      ...EXAMPLE_SPEC,
      azure: { ...EXAMPLE_SPEC.azure, virtualNetwork: { name: "vnet-erp", gatewaySubnetPrefix: "10.10.1.0/27" } },
    };
    const run = await runProvision(clouds, { input: provisionInput({ spec }) });
    expect(run.error).toMatch(/preflight: PREFLIGHT_FAILED/);
    expect(run.error).toMatch(/gatewaySubnetPrefix 10\.10\.1\.0\/27 overlaps subnet snet-app \(10\.10\.1\.0\/24\)/);
    expect(run.error).not.toMatch(/oci\.drgId|already attached/);
    expect(cloudCalls(run.calls).some((n) => n.includes("Ensure"))).toBe(false);
  });

  it("pre-flight accepts the VCN attached to the DRG named in the spec, or to ours from an earlier attempt", async () => {
    const theirs = {
      id: "ocid1.drgattachment.oc1.iad.theirs",
      drgId: "ocid1.drg.oc1.iad.theirs",
      displayName: "hub",
      lifecycleState: "ATTACHED",
    };
    const named = cloudsWithRecord({ vcnDrgAttachments: [theirs] });
    const spec = { ...EXAMPLE_SPEC, oci: { ...EXAMPLE_SPEC.oci, drgId: "ocid1.drg.oc1.iad.theirs" } };
    const a = await runProvision(named, { input: provisionInput({ spec }) });
    expect(a.error).toBeUndefined();
    const ours = cloudsWithRecord({
      vcnDrgAttachments: [{ ...theirs, drgId: "ocid1.drg.oc1.iad.ours", displayName: "drgatt-erp-prod-vcn" }],
    });
    const b = await runProvision(ours);
    expect(b.error).toBeUndefined();
  });

  it("stops at once when the AzurePrivatePeering was not created by the provider (peer ASN not 31898), and compensates", async () => {
    const clouds = cloudsWithRecord({ peerAsn: 65001 });
    const run = await runProvision(clouds);
    expect(run.error).toMatch(/failed at provider: CLOUD_STATE_FAILED: .*AzurePrivatePeering has peer ASN 65001, not Oracle's 31898/);
    expect(cloudCalls(run.calls)).not.toContain("ociEnsureRouteRules");
    expect(clouds.leftovers(run.endedAt)).toEqual([]);
  });

  it("does not verify routes to the VCN learned from elsewhere: next hop and AS path must be Oracle's, within the verification deadline", async () => {
    const clouds = cloudsWithRecord({ routesFromElsewhere: true });
    const timing = { verificationDeadlineMinutes: 4 };
    const run = await runProvision(clouds, { input: { ...provisionInput(), timing } });
    expect(run.error).toMatch(/failed at verification: DEADLINE_EXCEEDED: gave up waiting for .* after 4 min/);
    expect(run.error).toMatch(/primary route table has 10\.20\.0\.0\/16 but not via Oracle \(next hop 192\.168\.100\.1, AS 31898\)/);
    expect(clouds.record).toMatchObject({ state: "failed", failure: { step: "verification" } });
    const reads = run.calls.filter((c) => c.name === "azureReadPeeringTables");
    const verificationMin = (Date.parse(reads.at(-1)!.at) - Date.parse(reads[0]!.at)) / MIN;
    expect(verificationMin).toBeGreaterThanOrEqual(3.9);
    expect(verificationMin).toBeLessThan(5);
  });

  it("bounds the DRG waits by their own deadline, not the connection's", async () => {
    const clouds = cloudsWithRecord();
    const timing = { drgDeadlineMinutes: 0.5, connectionDeadlineMinutes: 60 };
    const run = await runProvision(clouds, { input: { ...provisionInput(), timing } });
    expect(run.error).toMatch(/failed at drg: DEADLINE_EXCEEDED: gave up waiting for the DRG to be AVAILABLE after 0\.5 min/);
  });

  it("fails with the field named when started with a malformed input", async () => {
    const clouds = cloudsWithRecord();
    const run = await runProvision(clouds, { input: { ...provisionInput(), bgpPlan: { primary: {} } } });
    expect(run.error).toMatch(/input\.bgpPlan\.primary\.cidr/);
    expect(run.calls).toHaveLength(0);
  });
});

describe("a provisioning restarted over a stopped attempt", () => {
  it("keeps owning what the earlier attempt created, though pre-flight now finds it existing", async () => {
    // The earlier attempt created the GatewaySubnet; this attempt's pre-flight sees it already there.
    const clouds = cloudsWithRecord({ existingGatewaySubnet: true });
    const ownedBefore = { gatewaySubnet: true, gateway: true, drg: true, drgAttachment: true };
    const run = await runProvision(clouds, { input: provisionInput({ attempt: 2, ownedBefore }) });
    expect(run.error).toBeUndefined();
    expect(clouds.record?.resources.owned).toEqual(ownedBefore);

    const fresh = cloudsWithRecord({ existingGatewaySubnet: true });
    await runProvision(fresh);
    expect(fresh.record?.resources.owned).toMatchObject({ gatewaySubnet: false });
  });
});
