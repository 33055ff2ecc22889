import { ValidationError } from "../domain/errors";

const MASKED_SERVICE_KEY = /^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}$/i;
const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const REDACTED = "[redacted]";

/**
 * The ExpressRoute service key is a bearer secret: whoever holds it can attach a provider circuit and
 * start billing. Only its first GUID group is ever kept, enough to tell keys apart in a ticket.
 */
export function maskServiceKey(serviceKey: string): string {
  const match = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(serviceKey.trim());
  if (!match) return REDACTED;
  return `${match[1]!.toLowerCase()}-****-****-****-************`;
}

export function isMaskedServiceKey(value: string): boolean {
  return MASKED_SERVICE_KEY.test(value);
}

/**
 * Keys whose values are secrets. "providerServiceKeyName" is OCI's name for the ExpressRoute service key,
 * hence the match anywhere in the key; "*Masked" fields are already safe.
 */
function isSecretKey(key: string): boolean {
  if (/masked$/i.test(key)) return false;
  return /servicekey|privatekey|passphrase|password|secret|authorization|token|apikey|accountkey|connectionstring|key$/i.test(key);
}

function refusePem(text: string, path: string): void {
  if (PEM.test(text)) {
    throw new ValidationError(
      [{ path, message: "contains a PEM block (a key or certificate); secrets are never stored" }],
      `Refusing to store ${path || "the value"}: it contains a PEM block; secrets are never stored.`,
    );
  }
}

function maskSecretValue(value: string): string {
  return isMaskedServiceKey(value) ? value : maskServiceKey(value);
}

/**
 * Free text (cloud error messages) can quote a key, e.g. "Invalid providerServiceKeyName 1a2b...".
 * A GUID shortly after the word "key" is masked; other GUIDs (subscription ids, request ids) stay readable.
 */
export function maskSecretsInText(text: string, path = ""): string {
  refusePem(text, path);
  return text.replace(/(key[\w\s"'=:]{0,40}?)\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi, (_m, prefix: string, guid: string) => `${prefix}${maskServiceKey(guid)}`);
}

/**
 * Returns a copy that is safe to persist: values under secret-looking keys are masked (a GUID keeps its
 * first group, anything else becomes "[redacted]"), GUIDs quoted next to "key" in text are masked, and a
 * PEM block anywhere is refused outright rather than guessed at.
 */
export function sanitizeForStorage(value: unknown, path = ""): unknown {
  if (typeof value === "string") return maskSecretsInText(value, path);
  if (Array.isArray(value)) return value.map((item, i) => sanitizeForStorage(item, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const itemPath = path ? `${path}.${key}` : key;
      if (isSecretKey(key) && typeof item === "string") {
        refusePem(item, itemPath);
        out[key] = maskSecretValue(item);
      } else if (isSecretKey(key) && item !== null && item !== undefined && typeof item !== "object") {
        out[key] = REDACTED;
      } else {
        out[key] = sanitizeForStorage(item, itemPath);
      }
    }
    return out;
  }
  return value;
}
