import type { OciIncident } from "../shared/incidents";
import type { OciContext } from "./context";
import { notFound } from "./errors";
import { advanceLifecycles } from "./lifecycle";
import { startTermination } from "./provider";

/** Applies a day-2 incident to the OCI state at once and answers the resource as it now is. */
export function applyOciIncident(ctx: OciContext, incident: OciIncident): unknown {
  advanceLifecycles(ctx);
  const result = apply(ctx, incident);
  ctx.store.changed();
  // BGP follows the new facts (a path down, a FAILED circuit) on the same call.
  advanceLifecycles(ctx);
  return structuredClone(result);
}

function apply(ctx: OciContext, incident: OciIncident): unknown {
  switch (incident.kind) {
    case "pathDown":
    case "pathUp": {
      const rec = virtualCircuit(ctx, incident.virtualCircuitId);
      const others = (rec.pathsDown ?? []).filter((p) => p !== incident.path);
      rec.pathsDown = incident.kind === "pathDown" ? [...others, incident.path] : others;
      return { ...rec.resource, pathsDown: rec.pathsDown };
    }
    case "routeRuleRemoved": {
      const table = ctx.state.routeTables[incident.routeTableId];
      if (!table) throw notFound("routeTable", incident.routeTableId);
      table.routeRules = table.routeRules.filter((r) => r.destination !== incident.destination);
      return table;
    }
    case "virtualCircuitFailed": {
      const rec = virtualCircuit(ctx, incident.virtualCircuitId);
      rec.resource.lifecycleState = "FAILED";
      rec.resource.referenceComment = "failed outside the service (emulator incident)";
      return rec.resource;
    }
    case "virtualCircuitRecovered": {
      const rec = virtualCircuit(ctx, incident.virtualCircuitId);
      if (rec.resource.lifecycleState === "FAILED" && rec.azureProvisioned) {
        rec.resource.lifecycleState = "PROVISIONED";
        delete rec.resource.referenceComment;
      }
      return rec.resource;
    }
    case "providerDeprovisioned": {
      const rec = virtualCircuit(ctx, incident.virtualCircuitId);
      const vc = rec.resource;
      if (vc.lifecycleState !== "TERMINATING" && vc.lifecycleState !== "TERMINATED") startTermination(ctx, rec);
      return vc;
    }
    case "drgAttachmentDetached": {
      const rec = ctx.state.drgAttachments[incident.drgAttachmentId];
      if (!rec) throw notFound("drgAttachment", incident.drgAttachmentId);
      if (rec.resource.lifecycleState === "ATTACHING" || rec.resource.lifecycleState === "ATTACHED") {
        rec.resource.lifecycleState = "DETACHING";
        rec.dueAt = ctx.now() + ctx.durations.drgAttachmentDetaching;
      }
      return rec.resource;
    }
  }
}

function virtualCircuit(ctx: OciContext, id: string) {
  const rec = ctx.state.virtualCircuits[id];
  if (!rec) throw notFound("virtualCircuit", id);
  return rec;
}
