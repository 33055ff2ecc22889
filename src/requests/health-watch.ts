/**
 * Keeping one health watch per active interconnect: provisioning starts it once active; this starts
 * those that are missing — interconnects already active when the app was upgraded to a version with the
 * watch, or a watch someone terminated. The fixed instance id (health-<name>) keeps it one per interconnect.
 */
import type { DurableClient } from "durable-functions";
import { HEALTH_WATCH_ORCHESTRATOR, healthWatchInstanceId } from "../domain/names";
import type { InterconnectRepository } from "../store";
import { findInstance, isFinished } from "./durable";

export interface KeeperOutcome {
  active: number;
  started: string[];
}

export async function ensureHealthWatches(interconnects: InterconnectRepository, client: DurableClient): Promise<KeeperOutcome> {
  const started: string[] = [];
  let active = 0;
  let continuationToken: string | undefined;
  do {
    const page = await interconnects.list({ state: "active", top: 100, ...(continuationToken ? { continuationToken } : {}) });
    for (const record of page.items) {
      active++;
      const instanceId = healthWatchInstanceId(record.name);
      const status = await findInstance(client, instanceId);
      if (status !== undefined && !isFinished(status)) continue;
      await client.startNew(HEALTH_WATCH_ORCHESTRATOR, { instanceId, input: { name: record.name } });
      started.push(record.name);
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { active, started };
}
