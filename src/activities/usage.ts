/**
 * Which cloud resources the interconnects of this service use, for the plan's share decisions. The
 * source is the records' resource ids (a deleted record uses nothing, nor a failed provisioning that
 * left nothing); the usage records of shared resources take its place here when they exist.
 */
import { failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import type { ResourceUse } from "../domain/sharing";
import { defineActivity } from "./step";

const SHAREABLE = ["virtualNetworkId", "gatewaySubnetId", "gatewayId", "routeTableId", "drgId", "drgAttachmentId"] as const;

export const resourceUsageRead = defineActivity("resourceUsageRead", "read", async (_input, ctx) => {
  const uses: ResourceUse[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await ctx.deps.store.interconnects.list({ top: 1000, ...(continuationToken ? { continuationToken } : {}) });
    for (const record of page.items) {
      if (record.state === "deleted" || failedProvisioningLeftNothing(record)) continue;
      for (const field of SHAREABLE) {
        const resourceId = record.resources[field];
        if (resourceId) uses.push({ resourceId, interconnect: record.name });
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return { uses };
});
