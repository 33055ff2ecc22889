import { HttpException, Version3Client } from "jira.js";
import type { JiraFieldMap } from "../../domain/itsm/jira-field-map";
import type { Ticket } from "../../domain/itsm/ticket";
import { noteBody, type ChannelNote, type TicketChannel } from "../channel";
import { ItsmRequestError, retryAfterMs, retryableStatus } from "../errors";
import { networkReason } from "../servicenow/client";
import type { Version3 } from "jira.js";
import { adfDocument, adfText } from "./adf";

export interface JiraConfig {
  baseUrl: string;
  email: string;
  apiToken: string;
  transitions: JiraFieldMap["transitions"];
  timeoutMs?: number;
}

/** Comments looked through for an earlier note: the newest first, a page of 100 at a time. */
const MAX_COMMENT_PAGES = 10;

/**
 * Jira Cloud REST v3 through jira.js (Version3Client, the 5.x line: CommonJS and Node 20, as this app
 * is). Notes are ADF comments; an outcome is the transition JIRA_FIELD_MAP names, found by its name or
 * by the name of the status it leads to, since transition ids differ per workflow.
 */
export class JiraClient implements TicketChannel {
  private readonly client: Version3Client;

  constructor(private readonly config: JiraConfig) {
    this.client = new Version3Client({
      host: config.baseUrl,
      authentication: { basic: { email: config.email, apiToken: config.apiToken } },
      baseRequestConfig: { timeout: config.timeoutMs ?? 15_000 },
    });
  }

  async hasNote(ticket: Ticket, marker: string): Promise<boolean> {
    for (let page = 0; page < MAX_COMMENT_PAGES; page++) {
      const res = await this.run("GET comments", () =>
        this.client.issueComments.getComments({ issueIdOrKey: key(ticket), orderBy: "-created", startAt: page * 100, maxResults: 100 }),
      );
      const comments = res.comments ?? [];
      if (comments.some((c) => adfText(c.body).includes(marker))) return true;
      if (comments.length < 100 || (res.total !== undefined && (page + 1) * 100 >= res.total)) return false;
    }
    return false;
  }

  /** Comment, then transition: a retry finds the comment by its marker and only transitions (which checks the status first). */
  async deliver(ticket: Ticket, note: ChannelNote, options: { maybeDelivered: boolean }): Promise<void> {
    const landed = options.maybeDelivered && (await this.hasNote(ticket, note.marker));
    if (!landed) {
      await this.run("POST comment", () =>
        this.client.issueComments.addComment({
          issueIdOrKey: key(ticket),
          comment: adfDocument(noteBody(note)) satisfies Version3.Version3Models.Document,
        }),
      );
    }
    const wanted = note.close ? this.config.transitions[note.close.action]?.[note.close.outcome] : undefined;
    if (wanted) await this.transition(ticket, wanted, landed);
  }

  /**
   * afterEarlierAttempt: the comment of an earlier attempt is there, so that attempt may also have
   * transitioned; a transition no longer offered is then taken as done (the workflow moved on),
   * rather than failing a note whose work is complete.
   */
  private async transition(ticket: Ticket, wanted: string, afterEarlierAttempt: boolean): Promise<void> {
    const issue = await this.run("GET issue", () => this.client.issues.getIssue({ issueIdOrKey: key(ticket), fields: ["status"] }));
    if (issue.fields?.status?.name?.toLowerCase() === wanted.toLowerCase()) return;
    const res = await this.run("GET transitions", () => this.client.issues.getTransitions({ issueIdOrKey: key(ticket) }));
    const transitions = res.transitions ?? [];
    const match =
      transitions.find((t) => t.name?.toLowerCase() === wanted.toLowerCase()) ??
      transitions.find((t) => t.to?.name?.toLowerCase() === wanted.toLowerCase());
    if (!match?.id && afterEarlierAttempt) return;
    if (!match?.id) {
      throw new ItsmRequestError(
        `Jira issue ${ticket.number} has no transition "${wanted}" from status "${issue.fields?.status?.name ?? "?"}" (available: ${transitions.map((t) => t.name).join(", ") || "none"}); check JIRA_FIELD_MAP.transitions and the workflow`,
        false,
      );
    }
    await this.run("POST transition", () =>
      this.client.issues.doTransition({ issueIdOrKey: key(ticket), transition: { id: match.id as string } }),
    );
  }

  /** jira.js throws HttpException (with the axios error as cause) or a bare AxiosError for network failures. */
  private async run<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof HttpException) {
        const status = err.status;
        const headers = (err.cause as { response?: { headers?: Record<string, unknown> } } | undefined)?.response?.headers;
        const retryAfter = retryAfterMs(typeof headers?.["retry-after"] === "string" ? headers["retry-after"] : undefined);
        throw new ItsmRequestError(
          `Jira ${what} answered ${status}: ${jiraMessage(err.response)}`,
          retryableStatus(status),
          status,
          retryAfter,
        );
      }
      const code = (err as { code?: unknown }).code;
      throw new ItsmRequestError(
        `Jira ${what}: ${code === "ECONNABORTED" || code === "ETIMEDOUT" ? "timed out" : networkReason(err)}`,
        true,
      );
    }
  }
}

function key(ticket: Ticket): string {
  if (ticket.system !== "jira") throw new Error(`not a Jira ticket: ${ticket.number}`);
  return ticket.number;
}

function jiraMessage(response: unknown): string {
  const data = typeof response === "object" && response !== null ? (response as { data?: unknown }).data : undefined;
  if (typeof data === "object" && data !== null) {
    const d = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    const parts = [
      ...(Array.isArray(d.errorMessages) ? d.errorMessages : []),
      ...Object.values(typeof d.errors === "object" && d.errors ? d.errors : {}),
      ...(typeof d.message === "string" ? [d.message] : []),
    ];
    if (parts.length) return parts.map(String).join("; ").slice(0, 500);
  }
  return typeof data === "string" && data ? data.slice(0, 200) : "(no body)";
}
