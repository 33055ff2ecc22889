import type { PlanDuration } from "../domain/plan";
import type { WaitName, WaitProfiles } from "./waits";

/** What the plan decided that changes how long the provisioning waits. */
export interface DurationInputs {
  /** create: a new gateway; building: an existing one still deploying; ready: an existing Succeeded one. */
  gateway: "create" | "building" | "ready";
  drgCreated: boolean;
  drgAttachmentCreated: boolean;
  /** An existing, Connected connection is not waited for. */
  connectionReady: boolean;
}

interface Wait {
  step: string;
  wait: WaitName;
  earliestSeconds: number;
  latestSeconds: number;
}

/**
 * The provisioning's expected duration from the wait profiles (WAIT_PROFILES), as the provision
 * workflow runs: the gateway deploys in parallel with the OCI chain (DRG, attachment, provider), and
 * the connection and the verification follow whichever ends last. Reads and creates take seconds
 * and are left out; the range is the critical path at every wait's earliest and latest usual end.
 */
export function expectedDuration(waits: WaitProfiles, inputs: DurationInputs): PlanDuration {
  const wait = (step: string, name: WaitName): Wait => ({
    step,
    wait: name,
    earliestSeconds: waits[name].earliestSeconds,
    latestSeconds: Math.max(waits[name].earliestSeconds, waits[name].latestSeconds),
  });
  const gatewayPath: Wait[] =
    inputs.gateway === "create"
      ? [wait("gateway-ready", "gateway")]
      : inputs.gateway === "building"
        ? [wait("gateway-ready", "gatewaySettling")]
        : [];
  const ociPath: Wait[] = [
    ...(inputs.drgCreated ? [wait("drg", "drg")] : []),
    ...(inputs.drgAttachmentCreated ? [wait("drg-attachment", "drgAttachment")] : []),
    wait("provider", "provider"),
  ];
  const tail: Wait[] = [...(inputs.connectionReady ? [] : [wait("connection", "connection")]), wait("verification", "verification")];
  const sum = (path: Wait[], key: "earliestSeconds" | "latestSeconds") => path.reduce((total, w) => total + w[key], 0);
  const parallel = sum(gatewayPath, "latestSeconds") >= sum(ociPath, "latestSeconds") ? gatewayPath : ociPath;
  const critical = new Set([...parallel, ...tail]);
  const all = [...gatewayPath, ...ociPath, ...tail];
  return {
    earliestSeconds: Math.max(sum(gatewayPath, "earliestSeconds"), sum(ociPath, "earliestSeconds")) + sum(tail, "earliestSeconds"),
    latestSeconds: Math.max(sum(gatewayPath, "latestSeconds"), sum(ociPath, "latestSeconds")) + sum(tail, "latestSeconds"),
    criticalPath: [...parallel, ...tail].map((w) => w.step),
    waits: all.map((w) => ({ ...w, onCriticalPath: critical.has(w) })),
  };
}
