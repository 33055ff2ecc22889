/**
 * What every activity shares: input validation, the cloud call log, one audit row per mutating
 * step (with the cloud request ids and the duration), and the failure wire format the orchestrator
 * decodes to decide whether to retry.
 */
import { createHash } from "node:crypto";
import type { InvocationContext } from "@azure/functions";
import type { z } from "zod";
import { CloudCallLog } from "../clouds/call-log";
import { CloudError, redactSecrets } from "../clouds/errors";
import type { AzureNetwork } from "../clouds/azure/network";
import type { AzureMonitoring } from "../clouds/azure/monitoring";
import type { OciNetwork } from "../clouds/oci/network";
import { describeRetries } from "../clouds/sdk-attempts";
import { BusyError, DomainError, ErrorCodes } from "../domain/errors";
import { withLogFields } from "../domain/log-fields";
import {
  ACTIVITIES,
  type ActivityInput,
  type ActivityName,
  type ActivityOutput,
  type OpContext,
  type StepFailure,
  stepFailureError,
} from "../contracts";
import { activityDeps, type ActivityDeps } from "./deps";

export interface StepContext {
  step: ActivityName;
  opContext: OpContext;
  deps: ActivityDeps;
  log: CloudCallLog;
  invocation: InvocationContext;
  azure(subscriptionId: string): AzureNetwork;
  /** Network Watcher, the source VM and the connection monitor's metrics (the optional end-to-end probe). */
  azureMonitoring(subscriptionId: string): AzureMonitoring;
  oci(region: string): OciNetwork;
  /** Deterministic per orchestration instance and step, so a replayed create is the same create. */
  retryToken(resource: string): string;
  /** Values to scrub from any message this step produces (e.g. the service key it read). */
  addSecret(secret: string): void;
}

/** Thrown by handlers for conditions they recognise (contracts' permanent/retryLater); carried to the orchestrator as is. */
export class StepFailed extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
    this.name = "StepFailed";
  }
}

export type AuditPolicy = "mutation" | "read";

export type ActivityHandler<N extends ActivityName> = (input: unknown, invocation: InvocationContext) => Promise<ActivityOutput<N>>;

/**
 * Wraps one step, validated by its contract's input schema. Reads (pre-flight and observations,
 * polled many times) are audited only when they fail or the SDK retried them; mutations always leave a row.
 */
export function defineActivity<N extends ActivityName>(
  step: N,
  audit: AuditPolicy,
  run: (input: ActivityInput<N>, ctx: StepContext) => Promise<ActivityOutput<N>>,
): ActivityHandler<N> {
  return async (raw, invocation) => {
    const parsed = (ACTIVITIES[step].input as unknown as z.ZodType<ActivityInput<N>>).safeParse(raw);
    if (!parsed.success) {
      throw stepFailureError({
        code: ErrorCodes.VALIDATION_FAILED,
        message: `${step}: invalid input: ${describeIssues(parsed.error)}`,
        retryable: false,
      });
    }
    const input = parsed.data;
    const opContext: OpContext = input.opContext;
    const deps = activityDeps();
    const log = new CloudCallLog();
    const secrets: string[] = [];
    const ctx: StepContext = {
      step,
      opContext,
      deps,
      log,
      invocation,
      azure: (subscriptionId) => deps.azure.network(subscriptionId, log),
      azureMonitoring: (subscriptionId) => deps.azure.monitoring(subscriptionId, log),
      oci: (region) => deps.oci.network(region, log),
      retryToken: (resource) => retryToken(opContext.instanceId, step, resource),
      addSecret: (s) => {
        secrets.push(s);
      },
    };
    const started = Date.now();
    const fields = { ...opContext, step };
    try {
      // Outputs land in the durable history and the status API: a secret the step met never reaches them.
      const output = withoutSecrets(await run(input, ctx), secrets);
      logRetries(ctx, fields);
      // A read is audited when the SDK had to retry it: throttling leaves a trace even when it passed.
      if (audit === "mutation" || ctx.log.retries.length > 0) {
        await writeAudit(ctx, "succeeded", Date.now() - started, summarize(output), output);
      }
      return output;
    } catch (err) {
      const failure = toStepFailure(err, secrets);
      logRetries(ctx, fields);
      const text = `${step}: ${failure.code}: ${failure.message}${failure.requestId ? ` (request ${failure.requestId})` : ""}`;
      // A retryable outcome is the orchestrator's to report (as a wait or a retry); only a final one is a failure here.
      if (failure.retryable) invocation.debug(withLogFields(`${text} (retryable)`, fields));
      else invocation.warn(withLogFields(`${step} failed: ${failure.code}: ${failure.message}`, fields));
      // A retryable outcome is an expected wait, not an alarm: the orchestrator calls again, and audits "failed" itself if it gives up.
      await writeAudit(ctx, failure.retryable ? "retrying" : "failed", Date.now() - started, `${failure.code}: ${failure.message}`, {
        code: failure.code,
        retryable: failure.retryable,
        ...(failure.statusCode !== undefined ? { statusCode: failure.statusCode } : {}),
      }).catch((auditErr: unknown) => invocation.warn(withLogFields(`${step}: audit row not written: ${String(auditErr)}`, fields)));
      throw stepFailureError(failure);
    }
  };
}

function withoutSecrets<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutSecrets(item, secrets)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v, secrets)])) as T;
  }
  return value;
}

/** OCI accepts up to 64 characters; a hash keeps the token short and free of the name's characters. */
export function retryToken(instanceId: string, step: string, resource: string): string {
  return createHash("sha256").update(`${instanceId}\n${step}\n${resource}`).digest("hex").slice(0, 48);
}

export function toStepFailure(err: unknown, secrets: readonly string[] = []): StepFailure {
  if (err instanceof StepFailed) return { ...err.failure, message: redactSecrets(err.failure.message, secrets) };
  if (err instanceof CloudError) {
    return {
      code: err.code,
      message: redactSecrets(err.message, secrets),
      retryable: err.retryable,
      cloud: err.cloud,
      ...(err.statusCode !== undefined ? { statusCode: err.statusCode } : {}),
      ...(err.requestId !== undefined ? { requestId: err.requestId } : {}),
      ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    };
  }
  if (err instanceof BusyError) {
    // Writers that kept winning the store's conditional writes: the durable retry policy tries again later.
    return { code: err.code, message: redactSecrets(err.message, secrets), retryable: true, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof DomainError) {
    // A lost ETag race on the record is worth another attempt; every other domain rule is final.
    const retryable = err.code === ErrorCodes.PRECONDITION_FAILED;
    return { code: err.code, message: redactSecrets(err.message, secrets), retryable };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCodes.INTERNAL, message: redactSecrets(message, secrets), retryable: false };
}

/** Throttling and 5xx the SDKs retried on their own are otherwise invisible: one line per step that met them. */
function logRetries(ctx: StepContext, fields: Parameters<typeof withLogFields>[1]): void {
  const retries = ctx.log.retries;
  if (retries.length === 0) return;
  ctx.invocation.info(
    withLogFields(
      `${ctx.step}: the SDK retried ${retries.length} time${retries.length === 1 ? "" : "s"}: ${describeRetries(retries)}`,
      fields,
    ),
  );
}

/** How often the SDKs retried within the step, and why, for its audit row (none: no columns). */
function retryDetails(ctx: StepContext): Record<string, number | string> {
  const retries = ctx.log.retries;
  return retries.length === 0 ? {} : { sdkRetries: retries.length, sdkRetryReasons: describeRetries(retries) };
}

async function writeAudit(
  ctx: StepContext,
  phase: "succeeded" | "failed" | "retrying",
  durationMs: number,
  message: string,
  details: unknown,
): Promise<void> {
  const { operation } = ctx.opContext;
  // A plan's failed read is one of the plan's problems; the interconnect's trail is for operations on it.
  if (operation === "plan") return;
  await ctx.deps.store.audit.append(
    {
      interconnect: ctx.opContext.interconnect,
      step: ctx.step,
      phase,
      actor: ctx.opContext.actor ?? "system",
      ...(ctx.opContext.ticketRef ? { ticketRef: ctx.opContext.ticketRef } : {}),
      instanceId: ctx.opContext.instanceId,
      operation,
      cloudRequestIds: ctx.log.requestIds().slice(-50),
      durationMs: Math.max(0, Math.round(durationMs)),
      message,
      details: { ...toJsonObject(details), ...retryDetails(ctx) },
    },
    ctx.opContext.callKey === undefined
      ? undefined
      : { key: `${ctx.opContext.instanceId}\n${ctx.opContext.callKey}`, onDuplicate: "rerun" },
  );
}

function summarize(output: unknown): string {
  if (output && typeof output === "object") {
    const o = output as Record<string, unknown>;
    if (o.found === false) return "not found";
    const state = o.status ?? o.lifecycleState ?? o.provisioningState;
    if (typeof state === "string") return state;
  }
  return "done";
}

function toJsonObject(value: unknown): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) out[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[k] = v.join(",");
    }
  }
  return out;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(input)"}: ${i.message}`).join("; ");
}
