import type { ItsmSettings } from "../../config/itsm-settings";
import type { TicketChannel } from "../../itsm/channel";
import type { ItsmStore } from "../../store";
import type { RequestDeps } from "../deps";

/** What the ITSM use cases need besides the triggers' own deps. */
export interface ItsmDeps extends RequestDeps {
  itsm: ItsmStore;
  itsmSettings: ItsmSettings;
  /** The configured systems' clients; absent when that integration is off. */
  channels: { servicenow?: TicketChannel; jira?: TicketChannel };
  now: () => Date;
}

/** Audit partition of ITSM events that concern no interconnect yet (refused signatures, rejected tickets); names start with a letter, so no interconnect can take it. */
export const ITSM_AUDIT_PARTITION = "-itsm";
