/**
 * provisioningInstanceState reads the task hub through the durable client binding, as the Durable
 * extension hands it to any function that declares one (here: the Durable HTTP API stand-in).
 */
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { decodeFailure } from "../../src/contracts";
import { useDurableActivityEnv } from "./env";
import { InvocationContext } from "@azure/functions";

const taskHub = useDurableActivityEnv({ interconnects: "interconnects", audit: "interconnectaudit" });

const opContext = { interconnect: "erp-prod", instanceId: "teardown-erp-prod-2", operation: "teardown" as const };
const call = (
  instanceId: string,
  context = taskHub().context({ functionName: "provisioningInstanceState", trigger: { type: "activityTrigger", name: "input" } }),
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
    taskHub().instances.set("provision-erp-prod-1", { ...base, instanceId: "provision-erp-prod-1", runtimeStatus: "Running" });
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Running", terminal: false });
    taskHub().instances.set("provision-erp-prod-1", { ...base, instanceId: "provision-erp-prod-1", runtimeStatus: "Terminated" });
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Terminated", terminal: true });
    expect(await call("provision-erp-prod-9")).toEqual({ runtimeStatus: "absent", terminal: true });
  });

  it("fails permanently, saying why, when the host gives the activity no durable client binding", async () => {
    const bare = new InvocationContext({ invocationId: "x", functionName: "provisioningInstanceState", logHandler: () => undefined });
    const failure = await call("provision-erp-prod-1", bare).then(() => undefined, decodeFailure);
    expect(failure).toMatchObject({ retryable: false, message: expect.stringMatching(/durable client input binding/) });
  });
});
