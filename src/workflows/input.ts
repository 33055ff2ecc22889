import { DEFAULT_WORKFLOW_TIMING, type ProvisionInput, type TeardownInput, type WatchdogInput, type WorkflowTiming } from "./names";
import { readWaitProfiles } from "./waits";

/**
 * Orchestrator inputs come from the triggers, which validate the spec; this guards the shape the
 * workflow relies on, so a malformed start fails at once with the field named, not deep in a step.
 */
export function readProvisionInput(raw: unknown): ProvisionInput & { timing: WorkflowTiming } {
  const o = object(raw, "input");
  str(o.name, "input.name");
  const spec = object(o.spec, "input.spec");
  const azure = object(spec.azure, "input.spec.azure");
  for (const f of ["subscriptionId", "resourceGroup", "location", "peeringLocation"]) str(azure[f], `input.spec.azure.${f}`);
  str(object(azure.virtualNetwork, "input.spec.azure.virtualNetwork").name, "input.spec.azure.virtualNetwork.name");
  const oci = object(spec.oci, "input.spec.oci");
  for (const f of ["region", "compartmentId", "vcnId"]) str(oci[f], `input.spec.oci.${f}`);
  if (typeof spec.bandwidthGbps !== "number") throw new Error("input.spec.bandwidthGbps must be a number");
  const plan = object(o.bgpPlan, "input.bgpPlan");
  for (const path of ["primary", "secondary"]) {
    const block = object(plan[path], `input.bgpPlan.${path}`);
    for (const f of ["cidr", "oracleBgpPeeringIp", "customerBgpPeeringIp"]) str(block[f], `input.bgpPlan.${path}.${f}`);
  }
  str(o.actor, "input.actor");
  if (typeof o.attempt !== "number") throw new Error("input.attempt must be a number");
  const input = raw as ProvisionInput;
  return { ...input, timing: readTiming(o.timing) };
}

export function readTeardownInput(raw: unknown): TeardownInput & { timing: WorkflowTiming } {
  const o = object(raw, "input");
  str(o.name, "input.name");
  str(o.reason, "input.reason");
  str(o.actor, "input.actor");
  if (o.stoppedProvisioning !== undefined) str(o.stoppedProvisioning, "input.stoppedProvisioning");
  const input = raw as TeardownInput;
  return { ...input, timing: readTiming(o.timing) };
}

export function readWatchdogInput(raw: unknown): WatchdogInput & { timing: WorkflowTiming } {
  const o = object(raw, "input");
  if (typeof o.marginMinutes !== "number" || !Number.isFinite(o.marginMinutes) || o.marginMinutes < 0)
    throw new Error("input.marginMinutes must be a non-negative number");
  return { marginMinutes: o.marginMinutes, timing: readTiming(o.timing) };
}

export function readTiming(raw: unknown): WorkflowTiming {
  if (raw === undefined || raw === null) return DEFAULT_WORKFLOW_TIMING;
  const o = object(raw, "input.timing");
  const timing = { ...DEFAULT_WORKFLOW_TIMING };
  for (const key of Object.keys(DEFAULT_WORKFLOW_TIMING) as (keyof WorkflowTiming)[]) {
    const value = o[key];
    if (value === undefined) continue;
    if (key === "waits") {
      timing.waits = readWaitProfiles(value, "input.timing.waits");
    } else if (key === "keepResourcesOnFailure") {
      if (typeof value !== "boolean") throw new Error("input.timing.keepResourcesOnFailure must be a boolean");
      timing.keepResourcesOnFailure = value;
    } else {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
        throw new Error(`input.timing.${key} must be a non-negative number`);
      if (key === "pollWindowFraction" && (value === 0 || value > 1))
        throw new Error("input.timing.pollWindowFraction must be more than 0 and at most 1");
      timing[key] = value;
    }
  }
  return timing;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${field} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string): void {
  if (typeof v !== "string" || v.length === 0) throw new Error(`${field} must be a non-empty string`);
}
