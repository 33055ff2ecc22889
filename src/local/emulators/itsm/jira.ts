import { adminRouter } from "../shared/admin-router";
import { basicCredentials, INVALID_JSON, ItsmEmulatorServer, parseJson, type Reply, type Request } from "./http";

/**
 * A Jira Cloud site's REST v3 subset (itsm-apis.md §4): issues (get), comments (ADF bodies on v3,
 * wiki strings on v2, paged with startAt/maxResults/total), transitions (ids are strings, 204 on POST),
 * fields, basic auth with email + API token, Jira's error envelope. An issue the caller may not see is
 * a 404, as on Jira.
 */
export interface JiraStatus {
  id: string;
  name: string;
  category: "new" | "indeterminate" | "done";
}
export interface JiraTransitionDef {
  id: string;
  name: string;
  /** Status names it starts from; empty = a global transition. */
  from: string[];
  to: string;
}
export interface JiraEmulatorOptions {
  port?: number;
  /** email -> API token */
  accounts?: Record<string, string>;
  statuses?: JiraStatus[];
  transitions?: JiraTransitionDef[];
  /** Custom fields the site has (GET /rest/api/3/field). */
  customFields?: { id: string; name: string; type: "string" | "number" | "option" }[];
}

interface Issue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  comments: Comment[];
  status: string;
}
interface Comment {
  id: string;
  body: unknown;
  author: string;
  created: string;
}

const CATEGORY_ID = { new: 2, indeterminate: 4, done: 3 } as const;

export class JiraEmulator extends ItsmEmulatorServer {
  private issues = new Map<string, Issue>();
  private nextIssue = 10000;
  private nextComment = 10000;

  constructor(private readonly options: JiraEmulatorOptions = {}) {
    super(options.port);
  }

  reset(): void {
    this.issues.clear();
    this.faults.set({});
  }

  createIssue(input: { key: string; status: string; fields?: Record<string, unknown> }): Issue {
    this.nextIssue += 1;
    if (!this.status(input.status)) throw new Error(`unknown status ${input.status}`);
    const issue: Issue = {
      id: String(this.nextIssue),
      key: input.key,
      fields: { summary: "", ...input.fields },
      comments: [],
      status: input.status,
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  issue(key: string): Issue | undefined {
    return this.issues.get(key) ?? [...this.issues.values()].find((i) => i.id === key);
  }

  snapshot(): unknown {
    return {
      faults: this.faults.current,
      issues: [...this.issues.values()].map((i) => ({ id: i.id, key: i.key, status: i.status, fields: i.fields, comments: i.comments })),
    };
  }

  private status(name: string): JiraStatus | undefined {
    return (this.options.statuses ?? []).find((s) => s.name === name);
  }

  protected readonly admin = adminRouter({
    snapshot: () => this.snapshot(),
    reset: () => this.reset(),
    faults: this.faults,
    more: (route, body) => {
      if (route === "POST /admin/issues")
        return {
          status: 201,
          body: this.view(this.createIssue(body as { key: string; status: string; fields?: Record<string, unknown> })),
        };
      const move = /^POST \/admin\/issues\/([^/]+)\/status$/.exec(route);
      if (!move) return undefined;
      const issue = this.issue(move[1] as string);
      const to = (body as { status?: string })?.status ?? "";
      if (!issue || !this.status(to)) return { status: 404, body: { error: "unknown issue or status" } };
      issue.status = to;
      return { status: 200, body: this.view(issue) };
    },
  });

  protected api(req: Request): Reply {
    const creds = basicCredentials(req.headers.authorization);
    const accounts = this.options.accounts ?? {};
    // Unauthenticated requests run anonymously on Jira, and an anonymous caller sees no issue.
    const user = creds && accounts[creds.user] === creds.password ? creds.user : undefined;
    if (req.headers.authorization && !user)
      return { status: 401, body: { message: "Client must be authenticated to access this resource.", "status-code": 401 } };
    const path = req.url.pathname;
    if (req.method === "GET" && path === "/rest/api/3/field") return { status: 200, body: this.fields() };
    const m = /^\/rest\/api\/([23])\/issue\/([^/]+)(\/comment(?:\/(\d+))?|\/transitions)?$/.exec(path);
    if (!m) return jiraError(404, "No such resource");
    const [, version, idOrKey, sub, commentId] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const issue = user ? this.issue(decodeURIComponent(idOrKey)) : undefined;
    if (!issue) return jiraError(404, "Issue does not exist or you do not have permission to see it.");
    if (sub === undefined && req.method === "GET") return { status: 200, body: this.view(issue, req.url.searchParams.get("fields")) };
    if (sub?.startsWith("/comment")) {
      if (req.method === "GET" && commentId) {
        const c = issue.comments.find((x) => x.id === commentId);
        return c
          ? { status: 200, body: this.commentView(issue, c) }
          : jiraError(404, "Can not find a comment for the id: " + commentId + ".");
      }
      if (req.method === "GET") return this.listComments(issue, req.url.searchParams);
      if (req.method === "POST") return this.addComment(issue, req.body, version === "3", user as string);
    }
    if (sub === "/transitions") {
      if (req.method === "GET")
        return { status: 200, body: { expand: "transitions", transitions: this.available(issue).map((t) => this.transitionView(t)) } };
      if (req.method === "POST") {
        const body = parseJson(req.body) as { transition?: { id?: unknown } } | symbol | undefined;
        const id = typeof body === "object" && body ? body.transition?.id : undefined;
        if (id === undefined) return jiraError(400, "Missing 'transition' identifier");
        const t = this.available(issue).find((x) => x.id === String(id));
        if (!t) return jiraError(400, `Transition id '${String(id)}' is not valid for this issue.`);
        issue.status = t.to;
        return { status: 204 };
      }
    }
    return jiraError(405, "Method not allowed");
  }

  private addComment(issue: Issue, text: string, adf: boolean, user: string): Reply {
    const body = parseJson(text);
    if (body === INVALID_JSON || typeof body !== "object" || body === null)
      return jiraError(400, "Unexpected character in the request body.");
    const content = (body as { body?: unknown }).body;
    if (adf && !isAdfDoc(content)) return { status: 400, body: { errorMessages: [], errors: { comment: "Comment body is not valid!" } } };
    if (!adf && (typeof content !== "string" || content === ""))
      return { status: 400, body: { errorMessages: [], errors: { comment: "Comment body can not be empty!" } } };
    this.nextComment += 1;
    const comment: Comment = {
      id: String(this.nextComment),
      body: adf ? content : { type: "doc", version: 1, content: [{ type: "paragraph", content: [{ type: "text", text: content }] }] },
      author: user,
      created: jiraTime(),
    };
    issue.comments.push(comment);
    return { status: 201, body: this.commentView(issue, comment) };
  }

  private listComments(issue: Issue, params: URLSearchParams): Reply {
    const orderBy = params.get("orderBy") ?? "created";
    if (!["created", "-created", "+created"].includes(orderBy)) return jiraError(400, `Invalid orderBy: ${orderBy}`);
    const startAt = Number(params.get("startAt") ?? "0");
    const maxResults = Math.min(Number(params.get("maxResults") ?? "50"), 100);
    const sorted = orderBy === "-created" ? [...issue.comments].reverse() : issue.comments;
    const page = sorted.slice(startAt, startAt + maxResults);
    return {
      status: 200,
      body: { startAt, maxResults, total: issue.comments.length, comments: page.map((c) => this.commentView(issue, c)) },
    };
  }

  private available(issue: Issue): JiraTransitionDef[] {
    return (this.options.transitions ?? []).filter((t) => t.to !== issue.status && (t.from.length === 0 || t.from.includes(issue.status)));
  }

  private view(issue: Issue, fields?: string | null): unknown {
    const status = this.status(issue.status) as JiraStatus;
    const all: Record<string, unknown> = {
      ...Object.fromEntries((this.options.customFields ?? []).map((f) => [f.id, null])),
      ...issue.fields,
      status: {
        ...this.statusRef(status),
        statusCategory: {
          self: `${this.url}/rest/api/3/statuscategory/${CATEGORY_ID[status.category]}`,
          id: CATEGORY_ID[status.category],
          key: status.category,
          colorName: status.category === "done" ? "green" : status.category === "new" ? "blue-gray" : "yellow",
          name: status.category === "done" ? "Done" : status.category === "new" ? "To Do" : "In Progress",
        },
      },
    };
    const wanted = fields ? fields.split(",") : undefined;
    const shown = wanted && !wanted.includes("*all") ? Object.fromEntries(Object.entries(all).filter(([k]) => wanted.includes(k))) : all;
    return {
      expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
      id: issue.id,
      self: `${this.url}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
      fields: shown,
    };
  }

  private commentView(issue: Issue, c: Comment): unknown {
    const author = {
      self: `${this.url}/rest/api/3/user?accountId=${encodeURIComponent(c.author)}`,
      accountId: c.author,
      displayName: c.author,
      active: true,
    };
    return {
      self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${c.id}`,
      id: c.id,
      author,
      body: c.body,
      updateAuthor: author,
      created: c.created,
      updated: c.created,
      jsdPublic: true,
    };
  }

  /** A status as Jira names it inside an issue or a transition (its category is shaped by the caller). */
  private statusRef(status: JiraStatus): Record<string, unknown> {
    return {
      self: `${this.url}/rest/api/3/status/${status.id}`,
      description: "",
      iconUrl: `${this.url}/`,
      name: status.name,
      id: status.id,
    };
  }

  private transitionView(t: JiraTransitionDef): unknown {
    const to = this.status(t.to) as JiraStatus;
    return {
      id: t.id,
      name: t.name,
      hasScreen: false,
      isGlobal: t.from.length === 0,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      to: { ...this.statusRef(to), statusCategory: { id: CATEGORY_ID[to.category], key: to.category } },
    };
  }

  private fields(): unknown[] {
    const system = [
      {
        id: "summary",
        key: "summary",
        name: "Summary",
        custom: false,
        orderable: true,
        navigable: true,
        searchable: true,
        clauseNames: ["summary"],
        schema: { type: "string", system: "summary" },
      },
      {
        id: "status",
        key: "status",
        name: "Status",
        custom: false,
        orderable: false,
        navigable: true,
        searchable: true,
        clauseNames: ["status"],
        schema: { type: "status", system: "status" },
      },
    ];
    const custom = (this.options.customFields ?? []).map((f) => ({
      id: f.id,
      key: f.id,
      name: f.name,
      untranslatedName: f.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [`cf[${f.id.slice(12)}]`, f.name],
      schema: {
        type: f.type === "option" ? "option" : f.type,
        custom:
          f.type === "option"
            ? "com.atlassian.jira.plugin.system.customfieldtypes:select"
            : f.type === "number"
              ? "com.atlassian.jira.plugin.system.customfieldtypes:float"
              : "com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        customId: Number(f.id.slice(12)),
      },
    }));
    return [...system, ...custom];
  }
}

function isAdfDoc(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "doc" &&
    (value as { version?: unknown }).version === 1 &&
    Array.isArray((value as { content?: unknown }).content)
  );
}

function jiraError(status: number, message: string): Reply {
  return { status, body: { errorMessages: [message], errors: {} } };
}

/** "2021-01-17T12:34:00.000+0000" */
function jiraTime(): string {
  return new Date().toISOString().replace("Z", "+0000");
}
