/**
 * The ExpressRoute service key is a bearer secret: whoever holds it can attach a provider circuit and
 * start billing. Only its first GUID group is ever kept, enough to tell keys apart in a ticket. Pure
 * text functions, so the orchestrators (which do no I/O) and the store mask the same way.
 */

const MASKED_SERVICE_KEY = /^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}$/i;
const REDACTED = "[redacted]";

export function maskServiceKey(serviceKey: string): string {
  const match = /^([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(serviceKey.trim());
  if (!match) return REDACTED;
  return `${match[1]!.toLowerCase()}-****-****-****-************`;
}

export function isMaskedServiceKey(value: string): boolean {
  return MASKED_SERVICE_KEY.test(value);
}

/**
 * Free text (cloud error messages) can quote a key, e.g. "Invalid providerServiceKeyName 1a2b...".
 * A GUID shortly after the word "key" is masked; other GUIDs (subscription ids, request ids) stay readable.
 */
export function maskServiceKeysInText(text: string): string {
  return text.replace(
    /(key[\w\s"'=:]{0,40}?)\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi,
    (_m, prefix: string, guid: string) => `${prefix}${maskServiceKey(guid)}`,
  );
}
