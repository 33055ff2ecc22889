/**
 * provisioningInstanceState reads the task hub through the durable client binding, as the Durable
 * extension hands it to any function that declares one (here: the Durable HTTP API stand-in).
 */
import { describe, expect, it } from "vitest";
import { activityHandlers } from "../../src/activities";
import { decodeFailure } from "../../src/contracts";
import { fakeInstance } from "../functions/support/fake-durable-api";
import { useDurableActivityEnv } from "./env";
import { InvocationContext } from "@azure/functions";

const durable = useDurableActivityEnv();

const opContext = { interconnect: "erp-prod", instanceId: "teardown-erp-prod-2", operation: "teardown" as const };
const call = (
  instanceId: string,
  context = durable().context({ functionName: "provisioningInstanceState", trigger: { type: "activityTrigger", name: "input" } }),
) => activityHandlers.provisioningInstanceState({ opContext, instanceId }, context);

describe("provisioningInstanceState", () => {
  it("reports running, terminal and absent instances", async () => {
    const { instances } = durable();
    instances.set("provision-erp-prod-1", fakeInstance("provisionInterconnect", "provision-erp-prod-1", "Running"));
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Running", terminal: false });
    instances.set("provision-erp-prod-1", fakeInstance("provisionInterconnect", "provision-erp-prod-1", "Terminated"));
    expect(await call("provision-erp-prod-1")).toEqual({ runtimeStatus: "Terminated", terminal: true });
    expect(await call("provision-erp-prod-9")).toEqual({ runtimeStatus: "absent", terminal: true });
  });

  it("fails permanently, saying why, when the host gives the activity no durable client binding", async () => {
    const bare = new InvocationContext({ invocationId: "x", functionName: "provisioningInstanceState", logHandler: () => undefined });
    const failure = await call("provision-erp-prod-1", bare).then(() => undefined, decodeFailure);
    expect(failure).toMatchObject({ retryable: false, message: expect.stringMatching(/durable client input binding/) });
  });
});
