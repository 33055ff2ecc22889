import type { HttpRequest } from "@azure/functions";
import type { DurableClient } from "durable-functions";

/** The Durable async pattern's answer for an instance: its management URLs and the Location/Retry-After headers. */
export async function durableCheckStatus(
  client: DurableClient,
  req: HttpRequest,
  instanceId: string,
): Promise<{ headers: Record<string, string>; management: Record<string, unknown> }> {
  const check = client.createCheckStatusResponse(req, instanceId);
  const management = (await check.json()) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  check.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return { headers, management };
}
