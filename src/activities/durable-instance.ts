/**
 * The task hub, read through the durable client binding (allowed on any function, activities
 * included): lets a teardown wait until the provisioning it stopped has really stopped.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import { z } from "zod";
import { defineActivity } from "./step";

/** The status of an instance, or undefined when the task hub has never heard of it. */
export async function findInstance(
  client: DurableClient,
  instanceId: string,
  options: { showInput?: boolean } = {},
): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: options.showInput === true });
  } catch (err) {
    // durable-functions reports 404 only through the message text.
    if (err instanceof Error && /HTTP 404 response/.test(err.message)) return undefined;
    throw err;
  }
}

const FINISHED = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

export function isFinished(status: DurableOrchestrationStatus | undefined): boolean {
  return status !== undefined && FINISHED.has(String(status.runtimeStatus));
}

export const provisioningInstanceState = defineActivity("provisioningInstanceState", "read", async (input, ctx) => {
  const status = await findInstance(df.getClient(ctx.invocation), input.instanceId);
  if (status === undefined) return { runtimeStatus: "absent", terminal: true };
  return { runtimeStatus: String(status.runtimeStatus), terminal: isFinished(status) };
});

/** An instance as the task hub's list query answers it (StatusResponsePayload). */
export interface ListedInstance {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface InstanceListQuery {
  instanceIdPrefix: string;
  runtimeStatus: string[];
  showInput: boolean;
  /** Instances per page (the API's top, 1..1000). */
  pageSize: number;
  /** Pages read at most: a bound on one call, whatever the task hub holds. */
  maxPages: number;
}

const LIST_TIMEOUT_MS = 30_000;

/**
 * The task hub's instances whose id starts with a prefix, through the extension's list API
 * (GET instances/?instanceIdPrefix&runtimeStatus&top&showInput, paged by x-ms-continuation-token).
 * The JS client's getStatusBy filters neither by prefix nor by count and follows every page, so it is
 * called here at the same endpoint the client uses (rpcBaseUrl, else the management URL's base).
 * `truncated`: more pages were left unread than maxPages allowed.
 */
export async function listInstances(
  invocation: InvocationContext,
  query: InstanceListQuery,
): Promise<{ instances: ListedInstance[]; truncated: boolean }> {
  const base = listUrl(invocation);
  base.searchParams.set("instanceIdPrefix", query.instanceIdPrefix);
  if (query.runtimeStatus.length > 0) base.searchParams.set("runtimeStatus", query.runtimeStatus.join(","));
  base.searchParams.set("top", String(query.pageSize));
  base.searchParams.set("showInput", String(query.showInput));
  const instances: ListedInstance[] = [];
  let token: string | undefined;
  for (let page = 0; page < query.maxPages; page++) {
    const res = await fetch(base, {
      headers: token ? { "x-ms-continuation-token": token } : {},
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
    if (res.status !== 200) {
      throw new Error(
        `listing the task hub's ${query.instanceIdPrefix}* instances answered ${res.status}: ${(await res.text()).slice(0, 300)}`,
      );
    }
    const body = listedPage.safeParse(await res.json());
    if (!body.success)
      throw new Error(`listing the task hub's ${query.instanceIdPrefix}* instances: unexpected answer: ${body.error.message}`);
    instances.push(...body.data.map((i) => ({ ...i, input: i.input ?? null, customStatus: i.customStatus ?? null })));
    token = res.headers.get("x-ms-continuation-token") ?? undefined;
    if (!token) return { instances, truncated: false };
  }
  return { instances, truncated: true };
}

const listedPage = z.array(
  z.object({
    name: z.string(),
    instanceId: z.string(),
    runtimeStatus: z.string(),
    input: z.unknown(),
    customStatus: z.unknown(),
    createdTime: z.string(),
    lastUpdatedTime: z.string(),
  }),
);

/** The list endpoint of the durable client binding this function declares, with the binding's query (taskHub, connection, code). */
function listUrl(invocation: InvocationContext): URL {
  const binding = invocation.options.extraInputs.find((i) => i.type === "durableClient" || i.type === "orchestrationClient");
  const data = binding ? (invocation.extraInputs.get(binding) as ClientBindingData | undefined) : undefined;
  if (typeof data?.rpcBaseUrl === "string" && data.rpcBaseUrl) return new URL("instances/", data.rpcBaseUrl);
  const status = data?.managementUrls?.statusQueryGetUri;
  const id = data?.managementUrls?.id;
  if (typeof status === "string" && typeof id === "string" && status.includes(`/instances/${id}`)) {
    return new URL(status.replace(`/instances/${id}`, "/instances/"));
  }
  throw new Error(
    `${invocation.functionName}: no durable client binding with a list endpoint (rpcBaseUrl or managementUrls.statusQueryGetUri)`,
  );
}

interface ClientBindingData {
  rpcBaseUrl?: unknown;
  managementUrls?: { statusQueryGetUri?: unknown; id?: unknown };
}
