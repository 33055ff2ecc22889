/**
 * The activities: one cloud or store step each. registerActivities() is called by the app's entry
 * point (src/functions/index.ts); the handlers are exported for tests, which call them directly.
 */
import * as df from "durable-functions";
import { storageTargets } from "../store/storage-account";
import { settings } from "../config/settings";
import { ACTIVITY_NAMES, type ActivityName } from "../contracts";
import { createActivityDeps, setDefaultActivityDeps } from "./deps";
import type { ActivityHandler } from "./step";
import { azureReadProviderOffer, azureReadVirtualNetwork, ociReadDrg, ociReadProviderService, ociReadVcn } from "./preflight";
import { azureDeleteGateway, azureDeleteGatewaySubnet, azureEnsureGateway, azureEnsureGatewaySubnet, azureGetGateway } from "./gateway";
import { azureDeleteCircuit, azureEnsureCircuit, azureGetCircuit } from "./circuit";
import { azureDeleteConnection, azureEnsureConnection, azureGetConnection, azureReadPeeringTables } from "./connection";
import { ociDeleteDrg, ociDeleteDrgAttachment, ociEnsureDrg, ociEnsureDrgAttachment, ociGetDrg, ociGetDrgAttachment } from "./drg";
import { ociDeleteVirtualCircuit, ociEnsureVirtualCircuit, ociGetVirtualCircuit } from "./virtual-circuit";
import { ociEnsureRouteRules, ociRemoveRouteRules } from "./route-rules";
import { auditAppend, recordRead, recordUpdate } from "./record";
import { provisioningInstanceState } from "./durable-instance";
import {
  healthLoad,
  healthObserveControlPlane,
  healthObserveRoutes,
  healthRefreshCircuit,
  healthRefreshConnection,
  healthSave,
  healthWatchEnsure,
  healthWatchStop,
} from "./health";
import {
  azureDeleteConnectionMonitor,
  azureEnsureConnectionMonitor,
  azureGetConnectionMonitor,
  azureReadMonitorReadiness,
  healthObserveMonitor,
} from "./monitor";
import { watchdogRecover, watchdogScan } from "./watchdog";
import { watchdogEnd } from "./watchdog-end";
import { resourceUsageRead, usageAdd, usageRelease } from "./usage";
import { networkTurnRelease, networkTurnSweep, networkTurnTake } from "./network-turn";

import {
  azureReadCircuitSettings,
  azureSetConnectionFastPath,
  azureUpdateCircuit,
  azureUpdateCircuitTags,
  ociReadProviderKey,
  ociReadVirtualCircuitSettings,
  ociUpdateVirtualCircuitShape,
  ociUpdateVirtualCircuitTags,
  recordCommitChange,
} from "./change";
import { adoptLocate, adoptReadAzure, adoptReadOci, recordAdopt } from "./adopt";

export const activityHandlers: { [N in ActivityName]: ActivityHandler<N> } = {
  azureReadVirtualNetwork,
  azureReadProviderOffer,
  ociReadVcn,
  ociReadProviderService,
  ociReadDrg,
  azureEnsureGatewaySubnet,
  azureEnsureGateway,
  ociEnsureDrg,
  ociEnsureDrgAttachment,
  azureEnsureCircuit,
  ociEnsureVirtualCircuit,
  ociEnsureRouteRules,
  azureEnsureConnection,
  azureGetGateway,
  ociGetDrg,
  ociGetDrgAttachment,
  azureGetCircuit,
  ociGetVirtualCircuit,
  azureGetConnection,
  azureReadPeeringTables,
  azureDeleteConnection,
  ociDeleteVirtualCircuit,
  azureDeleteCircuit,
  ociRemoveRouteRules,
  ociDeleteDrgAttachment,
  ociDeleteDrg,
  azureDeleteGateway,
  azureDeleteGatewaySubnet,
  provisioningInstanceState,
  resourceUsageRead,
  usageAdd,
  usageRelease,
  recordRead,
  recordUpdate,
  auditAppend,
  healthLoad,
  healthObserveControlPlane,
  healthObserveRoutes,
  healthSave,
  healthRefreshCircuit,
  healthRefreshConnection,
  healthWatchEnsure,
  healthWatchStop,
  azureReadMonitorReadiness,
  azureEnsureConnectionMonitor,
  azureGetConnectionMonitor,
  azureDeleteConnectionMonitor,
  healthObserveMonitor,
  watchdogScan,
  watchdogRecover,
  watchdogEnd,
  networkTurnTake,
  networkTurnRelease,
  networkTurnSweep,
  azureReadCircuitSettings,
  azureUpdateCircuit,
  azureUpdateCircuitTags,
  ociReadProviderKey,
  ociReadVirtualCircuitSettings,
  ociUpdateVirtualCircuitShape,
  ociUpdateVirtualCircuitTags,
  azureSetConnectionFastPath,
  recordCommitChange,
  adoptLocate,
  adoptReadAzure,
  adoptReadOci,
  recordAdopt,
};

/** Activities that read, start or drive orchestrations through the durable client binding. */
const WITH_DURABLE_CLIENT: ReadonlySet<string> = new Set<ActivityName>([
  "provisioningInstanceState",
  "healthLoad",
  "healthWatchEnsure",
  "healthWatchStop",
  "watchdogScan",
  "watchdogRecover",
  "watchdogEnd",
  "networkTurnTake",
  "networkTurnRelease",
  "networkTurnSweep",
]);

/** Deps are built from the settings on the first activity call, not at registration (the host may index first). */
export function registerActivities(): void {
  setDefaultActivityDeps(() => {
    const s = settings();
    return createActivityDeps({
      azure: {
        credential: s.azure.credential,
        armEndpoint: s.azure.armEndpoint,
        ...(s.azure.emulatorToken ? { emulatorToken: s.azure.emulatorToken } : {}),
      },
      oci: s.oci,
      storage: storageTargets(s.storage).tables,
      tables: s.tables,
      health: s.health,
    });
  });
  for (const name of ACTIVITY_NAMES) {
    df.app.activity(name, {
      handler: activityHandlers[name],
      ...(WITH_DURABLE_CLIENT.has(name) ? { extraInputs: [df.input.durableClient()] } : {}),
    });
  }
}

export { setActivityDeps, createActivityDeps, type ActivityConfig, type ActivityDeps } from "./deps";
export { toStepFailure, retryToken } from "./step";
