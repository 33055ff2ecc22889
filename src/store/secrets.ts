import { ValidationError } from "../domain/errors";
import { isMaskedServiceKey, maskServiceKey, maskServiceKeysInText } from "../domain/secrets";

export { isMaskedServiceKey, maskServiceKey } from "../domain/secrets";

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const REDACTED = "[redacted]";

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

/** Masks service keys quoted in free text (see maskServiceKeysInText) and refuses a PEM block outright. */
export function maskSecretsInText(text: string, path = ""): string {
  refusePem(text, path);
  return maskServiceKeysInText(text);
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
