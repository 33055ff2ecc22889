import type { ServiceNowTable, Ticket } from "../../domain/itsm/ticket";
import { noteBody, type ChannelNote, type TicketChannel } from "../channel";
import { ItsmRequestError, retryAfterMs, retryableStatus } from "../errors";

export interface ServiceNowConfig {
  instanceUrl: string;
  auth: { kind: "oauth"; clientId: string; clientSecret: string } | { kind: "basic"; username: string; password: string };
  timeoutMs?: number;
}

/**
 * change_request states in the order of the normal model (itsm-apis.md §1.9): New, Assess, Authorize,
 * Scheduled, Implement, Review, Closed. The state-transition business rule refuses a skipped state with
 * a 403, so the client walks the model's states one by one; standard changes skip Assess and Authorize,
 * emergency ones Assess.
 */
const NORMAL_PATH = ["-5", "-4", "-3", "-2", "-1", "0", "3"];
const SKIPPED: Record<string, string[]> = { standard: ["-4", "-3"], emergency: ["-4"] };
const REVIEW = "0";
const CLOSED = "3";
const CANCELED = "4";
/** sc_req_item: Closed Complete, Closed Incomplete. */
const RITM_CLOSE = { succeeded: "3", failed: "4" } as const;

/**
 * The Table API over fetch, with OAuth 2.0 client credentials (POST /oauth_token.do, form-encoded) or
 * basic auth. Notes go into work_notes, which appends a sys_journal_field row; that table is where an
 * earlier note is looked for, as reading work_notes on the record returns "".
 */
export class ServiceNowClient implements TicketChannel {
  private token: { value: string; expiresAt: number } | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly config: ServiceNowConfig) {
    this.timeoutMs = config.timeoutMs ?? 15_000;
  }

  /** In sys_journal_field: the record's own work_notes reads "" whatever was written. */
  async hasNote(ticket: Ticket, marker: string): Promise<boolean> {
    const query = `element_id=${sysId(ticket)}^element=work_notes^valueLIKE${marker}`;
    const body = await this.call(
      "GET",
      `/api/now/table/sys_journal_field?sysparm_query=${encodeURIComponent(query)}&sysparm_fields=sys_id&sysparm_limit=1`,
    );
    return Array.isArray(body.result) && body.result.length > 0;
  }

  /** The note and the closing state travel in one PATCH, so a note found means the state was set too. */
  async deliver(ticket: Ticket, note: ChannelNote, options: { maybeDelivered: boolean }): Promise<void> {
    if (options.maybeDelivered && (await this.hasNote(ticket, note.marker))) return;
    const table = tableOf(ticket);
    const incident = note.incident ? await this.openIncident(ticket, note, note.incident.shortDescription) : undefined;
    const text = incident ? noteBody({ ...note, text: `${note.text}\nIncident ${incident} opened.` }) : noteBody(note);
    const path = `/api/now/table/${table}/${sysId(ticket)}`;
    if (!note.close) {
      await this.call("PATCH", path, { work_notes: text });
      return;
    }
    if (table === "sc_req_item") {
      await this.call("PATCH", path, { work_notes: text, state: RITM_CLOSE[note.close.outcome], close_notes: note.text });
      return;
    }
    const record = (await this.call("GET", `${path}?sysparm_fields=state,type`)).result as { state?: string; type?: string } | undefined;
    const state = String(record?.state ?? "");
    const closing = {
      work_notes: text,
      close_code: note.close.outcome === "succeeded" ? "successful" : "unsuccessful",
      close_notes: note.text,
    };
    if (state === CLOSED || state === CANCELED) {
      // The change is already over: the note still belongs on it, the state no longer moves.
      await this.call("PATCH", path, { work_notes: text });
      return;
    }
    // A change that reached Review with an earlier operation (provision) is closed by the next one (decommission).
    const target = state === REVIEW ? CLOSED : REVIEW;
    const skipped = SKIPPED[String(record?.type ?? "normal")] ?? [];
    const path_ = NORMAL_PATH.filter((s) => !skipped.includes(s));
    const from = path_.indexOf(state);
    const to = path_.indexOf(target);
    const steps = from < 0 ? [target] : path_.slice(from + 1, to + 1);
    for (const step of steps.slice(0, -1)) await this.call("PATCH", path, { state: step });
    await this.call("PATCH", path, { ...closing, state: target });
  }

  /**
   * The incident of a note, opened once: one with the note's marker as correlation_id is looked for first
   * (an earlier attempt may have opened it and failed before its work note). Returns its number.
   */
  private async openIncident(ticket: Ticket, note: ChannelNote, shortDescription: string): Promise<string> {
    const query = `correlation_id=${note.marker}`;
    const found = (
      await this.call("GET", `/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}&sysparm_fields=number&sysparm_limit=1`)
    ).result as { number?: string }[] | undefined;
    if (Array.isArray(found) && found[0]?.number) return found[0].number;
    const created = (
      await this.call("POST", "/api/now/table/incident", {
        short_description: shortDescription,
        description: note.text,
        correlation_id: note.marker,
        category: "network",
        impact: "2",
        urgency: "1",
        work_notes: `Opened by the interconnect service for ${ticket.number}.`,
      })
    ).result as { number?: string } | undefined;
    return created?.number ?? "(number not returned)";
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ result?: unknown }> {
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json", authorization: await this.authorization() };
      if (body !== undefined) headers["content-type"] = "application/json";
      let res: Response;
      try {
        res = await fetch(`${this.config.instanceUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        throw new ItsmRequestError(`ServiceNow ${method} ${pathOnly(path)}: ${networkReason(err)}`, true);
      }
      // An OAuth token revoked or expired early: one fresh token, then give up.
      if (res.status === 401 && this.config.auth.kind === "oauth" && attempt === 1) {
        this.token = undefined;
        continue;
      }
      const text = await res.text();
      if (!res.ok) {
        throw new ItsmRequestError(
          `ServiceNow ${method} ${pathOnly(path)} answered ${res.status}: ${errorMessage(text)}`,
          retryableStatus(res.status),
          res.status,
          retryAfterMs(res.headers.get("retry-after")),
        );
      }
      return text === "" ? {} : (JSON.parse(text) as { result?: unknown });
    }
  }

  private async authorization(): Promise<string> {
    const auth = this.config.auth;
    if (auth.kind === "basic") return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    if (this.token && this.token.expiresAt > Date.now()) return `Bearer ${this.token.value}`;
    let res: Response;
    try {
      res = await fetch(`${this.config.instanceUrl}/oauth_token.do`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
        }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ItsmRequestError(`ServiceNow POST /oauth_token.do: ${networkReason(err)}`, true);
    }
    const text = await res.text();
    if (!res.ok)
      throw new ItsmRequestError(
        `ServiceNow POST /oauth_token.do answered ${res.status} (check SERVICENOW_CLIENT_ID/SECRET and that the client_credentials grant is enabled)`,
        retryableStatus(res.status),
        res.status,
        retryAfterMs(res.headers.get("retry-after")),
      );
    const token = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof token.access_token !== "string")
      throw new ItsmRequestError("ServiceNow POST /oauth_token.do returned no access_token", false, res.status);
    const lifetimeS = typeof token.expires_in === "number" ? token.expires_in : 1799;
    // Renewed a minute early, so a token never expires between this check and the call.
    this.token = { value: token.access_token, expiresAt: Date.now() + Math.max(0, lifetimeS - 60) * 1000 };
    return `Bearer ${this.token.value}`;
  }
}

function tableOf(ticket: Ticket): ServiceNowTable {
  if (ticket.system !== "servicenow") throw new Error(`not a ServiceNow ticket: ${ticket.number}`);
  return ticket.table;
}

function sysId(ticket: Ticket): string {
  tableOf(ticket);
  return ticket.id;
}

function pathOnly(path: string): string {
  return path.split("?")[0] ?? path;
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; detail?: unknown } };
    const message = [body.error?.message, body.error?.detail].filter((p) => typeof p === "string" && p !== "").join(": ");
    if (message) return message.slice(0, 500);
  } catch {
    // not the documented envelope
  }
  return text.slice(0, 200) || "(no body)";
}

export function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  return `request failed (${cause})`;
}
