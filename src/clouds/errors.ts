/**
 * One classification of cloud failures for the whole app: the orchestrator retries only what is
 * retryable (with durable timers), and fails at once on what no retry can fix.
 */
import { OciError } from "oci-common";

export type CloudName = "azure" | "oci";

export interface CloudErrorInit {
  cloud: CloudName;
  code: string;
  message: string;
  statusCode?: number;
  requestId?: string;
  retryable: boolean;
  retryAfterSeconds?: number;
}

export class CloudError extends Error {
  readonly cloud: CloudName;
  readonly code: string;
  readonly statusCode?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;

  constructor(init: CloudErrorInit) {
    super(init.message);
    this.name = "CloudError";
    this.cloud = init.cloud;
    this.code = init.code;
    this.retryable = init.retryable;
    if (init.statusCode !== undefined) this.statusCode = init.statusCode;
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
}

/**
 * ARM answers these while another party (the provider, another writer) still holds the resource:
 * waiting and trying again is the documented remedy (interconnect-apis.md §6, oci-azure-interconnect#8).
 */
const ARM_RETRYABLE_CODES = new Set([
  "AnotherOperationInProgress",
  "ConflictError",
  "Conflict",
  "RetryableError",
  "OperationPreempted",
  "CanceledAndSupersededDueToAnotherOperation",
  "ReferencedResourceNotProvisioned",
  "InternalServerError",
  "ServerTimeout",
  "TooManyRequests",
]);

/** Transport failures (no HTTP answer at all) are worth another attempt. */
const NETWORK_CODES = new Set(["REQUEST_SEND_ERROR", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND"]);

const PEM_BLOCK = /-----BEGIN [A-Z ]*-----[\s\S]*?-----END [A-Z ]*-----/g;

/** Removes every given secret (and any PEM block) from a text that may be logged or audited. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(PEM_BLOCK, "[redacted PEM]");
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}

interface HeaderBag {
  get(name: string): string | undefined;
}

interface RestErrorLike {
  name: string;
  message: string;
  code?: string;
  statusCode?: number;
  response?: { headers: HeaderBag; status?: number };
}

function isRestErrorLike(e: unknown): e is RestErrorLike {
  return e instanceof Error && e.name === "RestError";
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** core-lro reports a failed long-running operation as a plain Error with the ARM code in its message. */
const LRO_FAILURE = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\. ([\s\S]*)$/;

export function classifyAzureError(err: unknown, context: { requestId?: string; secrets?: readonly string[] } = {}): CloudError {
  if (err instanceof CloudError) return err;
  const secrets = context.secrets ?? [];
  if (isRestErrorLike(err)) {
    const statusCode = err.statusCode ?? err.response?.status;
    const code = err.code ?? (statusCode !== undefined ? `Http${statusCode}` : "RequestFailed");
    const requestId = err.response?.headers.get("x-ms-request-id") ?? context.requestId;
    const retryAfterSeconds = parseRetryAfter(err.response?.headers.get("retry-after"));
    const retryable =
      statusCode === undefined
        ? NETWORK_CODES.has(code)
        : statusCode === 429 || statusCode >= 500 || (statusCode === 409 && ARM_RETRYABLE_CODES.has(code)) || statusCode === 408;
    return new CloudError({
      cloud: "azure",
      code,
      message: redactSecrets(err.message, secrets),
      retryable,
      ...(statusCode !== undefined ? { statusCode } : {}),
      ...(requestId ? { requestId } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (err instanceof Error) {
    const lro = LRO_FAILURE.exec(err.message);
    if (lro) {
      const code = lro[1] ?? "OperationFailed";
      return new CloudError({
        cloud: "azure",
        code,
        message: redactSecrets(lro[2] ?? err.message, secrets),
        retryable: ARM_RETRYABLE_CODES.has(code),
        ...(context.requestId ? { requestId: context.requestId } : {}),
      });
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) {
      return new CloudError({ cloud: "azure", code, message: redactSecrets(err.message, secrets), retryable: true });
    }
    return new CloudError({ cloud: "azure", code: "UnexpectedError", message: redactSecrets(err.message, secrets), retryable: false });
  }
  return new CloudError({ cloud: "azure", code: "UnexpectedError", message: String(err), retryable: false });
}

/** The OCI SDK throws OciError for answers, and a plain {code, message} object for transport failures. */
export function classifyOciError(err: unknown, context: { secrets?: readonly string[] } = {}): CloudError {
  if (err instanceof CloudError) return err;
  const secrets = context.secrets ?? [];
  if (err instanceof OciError || (typeof err === "object" && err !== null && "serviceCode" in err && "statusCode" in err)) {
    const e = err as OciError;
    const statusCode = e.statusCode;
    const code = e.serviceCode && e.serviceCode !== "None" ? e.serviceCode : `Http${statusCode}`;
    const retryable =
      statusCode === -1 ||
      Number.isNaN(statusCode) ||
      statusCode === 429 ||
      statusCode >= 500 ||
      (statusCode === 409 && code === "IncorrectState") ||
      // if-match lost to another writer: re-read and merge again
      (statusCode === 412 && code === "NoEtagMatch");
    return new CloudError({
      cloud: "oci",
      code,
      message: redactSecrets(firstLine(e.message), secrets),
      retryable,
      ...(statusCode > 0 ? { statusCode } : {}),
      ...(e.opcRequestId ? { requestId: e.opcRequestId } : {}),
    });
  }
  if (typeof err === "object" && err !== null && "message" in err) {
    const code = (err as { code?: unknown }).code;
    return new CloudError({
      cloud: "oci",
      code: typeof code === "string" ? code : "NetworkError",
      message: redactSecrets(String((err as { message: unknown }).message), secrets),
      retryable: true,
    });
  }
  return new CloudError({ cloud: "oci", code: "UnexpectedError", message: String(err), retryable: false });
}

/** OciError messages append troubleshooting prose and links; the first line is what a reader needs. */
function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.trim();
}
