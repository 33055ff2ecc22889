/**
 * provisioningInstanceState reads the task hub through the durable client binding, as the Durable
 * extension hands it to any function that declares one (here: the Durable HTTP API stand-in).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { decodeFailure } from "../../src/contracts";
import { createActivityDeps, setActivityDeps } from "../../src/activities/deps";
import { startFakeDurableApi, type FakeDurableApi } from "../functions/support/fake-durable-api";
import { useAzurite } from "../support/azurite";
import { InvocationContext } from "@azure/functions";

const storage = useAzurite();
let durable: FakeDurableApi;

beforeAll(async () => {
  durable = await startFakeDurableApi();
  // No cloud is called: the clouds' clients are built lazily and never used here.
  setActivityDeps(
    createActivityDeps({
      azure: { credential: "emulator", armEndpoint: "https://127.0.0.1:9", emulatorToken: "unused" },
      oci: {
        endpoint: "http://127.0.0.1:9",
        tenancyId: "ocid1.tenancy.oc1..unused",
        userId: "ocid1.user.oc1..unused",
        fingerprint: "00",
        privateKey: "unused",
      },
      storage: { connectionString: storage.connectionString },
      tables: { interconnects: "interconnects", audit: "interconnectaudit" },
    }),
  );
});
afterAll(async () => {
  setActivityDeps(undefined);
  await durable.close();
});

const opContext = { interconnect: "erp-prod", instanceId: "teardown-erp-prod-2", operation: "teardown" as const };
const call = (
  instanceId: string,
  context = durable.context({ functionName: "provisioningInstanceState", trigger: { type: "activityTrigger", name: "input" } }),
) => activityHandlers.provisioningInstanceState({ opContext, instanceId }, context);

describe("provisioningInstanceState", () => {
  it("reports running, terminal and absent instances", async () => {
    const base = {
      name: "provisionInterconnect",
      input: null,
      customStatus: null,
      createdTime: new Date().toISOString(),
      lastUpdatedTime: new Date().toISOString(),
    };
    durable.instances.set("provision-erp-prod-1", { ...base, instanceId: "provision-erp-prod-1", runtimeStatus: "Running" });
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Running", terminal: false });
    durable.instances.set("provision-erp-prod-1", { ...base, instanceId: "provision-erp-prod-1", runtimeStatus: "Terminated" });
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Terminated", terminal: true });
    expect(await call("provision-erp-prod-9")).toEqual({ runtimeStatus: "absent", terminal: true });
  });

  it("fails permanently, saying why, when the host gives the activity no durable client binding", async () => {
    const bare = new InvocationContext({ invocationId: "x", functionName: "provisioningInstanceState", logHandler: () => undefined });
    const failure = await call("provision-erp-prod-1", bare).then(() => undefined, decodeFailure);
    expect(failure).toMatchObject({ retryable: false, message: expect.stringMatching(/durable client input binding/) });
  });
});
