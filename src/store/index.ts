import { AuditLog } from "./audit-log";
import { InterconnectRepository } from "./interconnect-repository";
import type { TableStorageTarget } from "./table-client";

export * from "./audit-log";
export * from "./interconnect-record";
export * from "./interconnect-repository";
export { maskServiceKey, isMaskedServiceKey, maskSecretsInText, sanitizeForStorage } from "./secrets";
export { MAX_STRING_PROPERTY_CHARS } from "./columns";
export type { TableStorageTarget } from "./table-client";

export interface Store {
  interconnects: InterconnectRepository;
  audit: AuditLog;
}

/** Table names come from INTERCONNECTS_TABLE and AUDIT_TABLE; the caller reads the settings. */
export function createStore(
  target: TableStorageTarget,
  tables: { interconnects: string; audit: string },
  options: { now?: () => Date } = {},
): Store {
  return {
    interconnects: new InterconnectRepository(target, tables.interconnects, options),
    audit: new AuditLog(target, tables.audit, options),
  };
}
