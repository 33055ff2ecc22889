import { randomBytes } from "node:crypto";
import { adminRouter } from "../shared/admin-router";
import { basicCredentials, INVALID_JSON, ItsmEmulatorServer, parseJson, type Reply, type Request } from "./http";

/**
 * A ServiceNow instance's Table API subset (itsm-apis.md §1, §2): change_request and sc_req_item
 * records, work notes appended as sys_journal_field rows (the record's field reads "" afterwards),
 * the change state-transition business rule, OAuth client credentials at /oauth_token.do and basic
 * auth, every error in ServiceNow's envelope. All values on the wire are strings.
 */
export interface ServiceNowEmulatorOptions {
  port?: number;
  users?: Record<string, string>;
  oauthClients?: Record<string, string>;
  /** glide.oauth.inbound.client.credential.grant_type.enabled (off by default on a real instance; on here). */
  clientCredentialsEnabled?: boolean;
  /** Which user the OAuth clients act as (the OAuth Application User). */
  oauthUser?: string;
}

type Row = Record<string, string>;
const TABLES = ["change_request", "sc_req_item", "sys_journal_field", "incident"] as const;
const JOURNAL_FIELDS = ["work_notes", "comments"];
const PREFIX: Record<string, string> = { change_request: "CHG", sc_req_item: "RITM", incident: "INC" };
const CHANGE_PATH: Record<string, string[]> = {
  normal: ["-5", "-4", "-3", "-2", "-1", "0", "3"],
  standard: ["-5", "-2", "-1", "0", "3"],
  emergency: ["-5", "-3", "-2", "-1", "0", "3"],
};

export class ServiceNowEmulator extends ItsmEmulatorServer {
  private tables = new Map<string, Map<string, Row>>();
  private tokens = new Map<string, { user: string; expiresAt: number }>();
  private counters = new Map<string, number>();
  /** Catalog variables as a record producer captured them: the emulator's stand-in for sc_item_option_mtom, shown under /admin. */
  private variables = new Map<string, Record<string, string>>();

  constructor(private readonly options: ServiceNowEmulatorOptions = {}) {
    super(options.port);
    this.reset();
  }

  reset(): void {
    this.tables = new Map(TABLES.map((t) => [t, new Map()]));
    this.tokens.clear();
    this.counters.clear();
    this.variables.clear();
    this.faults.set({});
  }

  /** Inserts a record as a form would (admin seeding), with every field a string. */
  insert(table: string, fields: Record<string, string>, user = "admin", variables?: Record<string, string>): Row {
    const rows = this.tables.get(table);
    if (!rows) throw new Error(`unknown table ${table}`);
    const now = stamp();
    const count = (this.counters.get(table) ?? 30000) + 1;
    this.counters.set(table, count);
    const row: Row = {
      sys_id: fields.sys_id ?? randomBytes(16).toString("hex"),
      ...(PREFIX[table]
        ? { number: `${PREFIX[table]}${String(count).padStart(7, "0")}`, state: table === "change_request" ? "-5" : "1" }
        : {}),
      sys_created_on: now,
      sys_updated_on: now,
      sys_created_by: user,
      sys_updated_by: user,
      sys_mod_count: "0",
      sys_class_name: table,
      ...(table === "change_request"
        ? { type: "normal", close_code: "", close_notes: "", short_description: "", work_notes: "", comments: "" }
        : {}),
      ...(table === "sc_req_item"
        ? { close_notes: "", short_description: "", work_notes: "", comments: "", stage: "request_approved" }
        : {}),
      ...fields,
    };
    rows.set(row.sys_id as string, row);
    if (variables) this.variables.set(row.sys_id as string, { ...variables });
    return row;
  }

  journal(sysId: string, element = "work_notes"): Row[] {
    return [...(this.tables.get("sys_journal_field")?.values() ?? [])].filter((r) => r.element_id === sysId && r.element === element);
  }

  record(table: string, sysId: string): Row | undefined {
    return this.tables.get(table)?.get(sysId);
  }

  snapshot(): unknown {
    return {
      faults: this.faults.current,
      records: Object.fromEntries(
        [...this.tables].map(([t, rows]) => [
          t,
          [...rows.values()].map((r) => ({
            ...r,
            ...(this.variables.has(r.sys_id as string) ? { variables: this.variables.get(r.sys_id as string) } : {}),
          })),
        ]),
      ),
    };
  }

  protected readonly admin = adminRouter({
    snapshot: () => this.snapshot(),
    reset: () => this.reset(),
    faults: this.faults,
    more: (route, body) => {
      if (route !== "POST /admin/records") return undefined;
      const b = body as { table?: string; fields?: Record<string, string>; variables?: Record<string, string> };
      return { status: 201, body: this.insert(String(b?.table), b?.fields ?? {}, "admin", b?.variables) };
    },
  });

  protected api(req: Request): Reply {
    if (req.url.pathname === "/oauth_token.do" && req.method === "POST") return this.token(req);
    const m = /^\/api\/now\/(?:v[12]\/)?table\/([^/]+)(?:\/([^/]+))?$/.exec(req.url.pathname);
    if (!m) return failure(400, "Requested URI does not represent any resource", null);
    const user = this.authenticate(req);
    if (!user)
      return {
        ...failure(401, "User is not authenticated", "Required to provide Auth information"),
        headers: { "www-authenticate": 'Basic realm="Service-now"' },
      };
    const accept = String(req.headers.accept ?? "*/*");
    if (!/json|\*\/\*/.test(accept)) return failure(406, "Requested response format is not supported", `Accept: ${accept}`);
    const [, table, id] = m as unknown as [string, string, string | undefined];
    const rows = this.tables.get(table);
    if (!rows) return failure(400, `Invalid table ${table}`, null);
    const method =
      req.method === "POST" && req.headers["x-http-method-override"]
        ? String(req.headers["x-http-method-override"]).toUpperCase()
        : req.method;
    if (method === "GET" && id === undefined) return this.list(table, rows, req.url.searchParams);
    if (method === "GET") {
      const row = rows.get(id as string);
      return row ? { status: 200, body: { result: project(row, req.url.searchParams.get("sysparm_fields")) } } : notFound();
    }
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      if (!/application\/json/.test(String(req.headers["content-type"] ?? "")))
        return failure(415, "Unsupported Media Type", "Content-Type must be application/json");
      const body = parseJson(req.body);
      if (body === INVALID_JSON || typeof body !== "object" || body === null || Array.isArray(body))
        return failure(400, "Exception while reading request", "The payload is not valid JSON.");
      const fields = Object.fromEntries(
        Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
      );
      if (method === "POST") {
        if (table === "sys_journal_field")
          return failure(403, "Operation Failed", "Journal entries are written through the journal fields");
        const row = this.insert(table, stripJournal(fields), user);
        this.appendJournal(table, row, fields, user);
        return { status: 201, headers: { location: `${this.url}/api/now/table/${table}/${row.sys_id}` }, body: { result: row } };
      }
      const row = rows.get(id as string);
      if (!row) return notFound();
      return this.update(table, row, fields, user);
    }
    if (method === "DELETE") {
      if (!rows.delete(id as string)) return notFound();
      return { status: 204 };
    }
    return failure(405, "Method not Supported", `${method} is not allowed here`);
  }

  private update(table: string, row: Row, fields: Record<string, string>, user: string): Reply {
    if (table === "change_request" && fields.state !== undefined && fields.state !== row.state) {
      const path = CHANGE_PATH[row.type ?? "normal"] ?? (CHANGE_PATH.normal as string[]);
      const from = path.indexOf(row.state as string);
      const allowed = (fields.state === "4" && row.state !== "0" && row.state !== "3") || (from >= 0 && path[from + 1] === fields.state);
      if (!allowed) {
        return failure(
          403,
          "Operation Failed",
          `Operation against file 'change_request' was aborted by Business Rule 'Change Model: Check State Transition^${randomBytes(16).toString("hex")}'. Business Rule Stack:Change Model: Check State Transition`,
        );
      }
    }
    for (const [k, v] of Object.entries(stripJournal(fields))) if (!k.startsWith("sys_")) row[k] = v;
    this.appendJournal(table, row, fields, user);
    row.sys_updated_on = stamp();
    row.sys_updated_by = user;
    row.sys_mod_count = String(Number(row.sys_mod_count ?? "0") + 1);
    return { status: 200, body: { result: { ...row } } };
  }

  private appendJournal(table: string, row: Row, fields: Record<string, string>, user: string): void {
    for (const element of JOURNAL_FIELDS) {
      const value = fields[element];
      if (value === undefined || value === "") continue;
      this.insert("sys_journal_field", { element, element_id: row.sys_id as string, name: table, value, sys_tags: "" }, user);
    }
  }

  private list(table: string, rows: Map<string, Row>, params: URLSearchParams): Reply {
    const limit = Number(params.get("sysparm_limit") ?? "10000");
    const offset = Number(params.get("sysparm_offset") ?? "0");
    if (!Number.isInteger(offset) || offset < 0) return failure(400, "Invalid sysparm_offset", null);
    let matched = [...rows.values()].filter(matcher(params.get("sysparm_query") ?? ""));
    const order = /\^?ORDERBY(DESC)?([a-z_]+)/.exec(params.get("sysparm_query") ?? "");
    if (order)
      matched = matched.sort((a, b) => String(a[order[2] as string]).localeCompare(String(b[order[2] as string])) * (order[1] ? -1 : 1));
    const page = matched.slice(offset, offset + (Number.isInteger(limit) && limit > 0 ? limit : 10000));
    return {
      status: 200,
      headers: { "x-total-count": String(matched.length) },
      body: { result: page.map((r) => project(r, params.get("sysparm_fields"))) },
    };
  }

  private token(req: Request): Reply {
    if (!/application\/x-www-form-urlencoded/.test(String(req.headers["content-type"] ?? "")))
      return { status: 400, body: { error_description: "unspecified error", error: "server_error" } };
    const form = new URLSearchParams(req.body);
    const clients = this.options.oauthClients ?? {};
    const id = form.get("client_id") ?? "";
    const denied = { status: 401, body: { error_description: "access_denied", error: "server_error" } };
    if (form.get("grant_type") !== "client_credentials" || this.options.clientCredentialsEnabled === false) return denied;
    if (!(id in clients) || clients[id] !== form.get("client_secret")) return denied;
    const token = randomBytes(32).toString("base64url");
    this.tokens.set(token, { user: this.options.oauthUser ?? "interconnect.integration", expiresAt: Date.now() + 1799_000 });
    return { status: 200, body: { scope: "useraccount", token_type: "Bearer", expires_in: 1799, access_token: token } };
  }

  private authenticate(req: Request): string | undefined {
    const header = String(req.headers.authorization ?? "");
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) {
      const t = this.tokens.get(bearer[1] as string);
      return t && t.expiresAt > Date.now() ? t.user : undefined;
    }
    const basic = basicCredentials(header);
    const users = this.options.users ?? {};
    return basic && users[basic.user] !== undefined && users[basic.user] === basic.password ? basic.user : undefined;
  }
}

/** Table API default mode: every field, journal fields read "" (their entries live in sys_journal_field). */
function project(row: Row, fields: string | null): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = JOURNAL_FIELDS.includes(k) ? "" : v;
  if (!fields) return out;
  return Object.fromEntries(
    fields
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f in out)
      .map((f) => [f, out[f] as string]),
  );
}

function stripJournal(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !JOURNAL_FIELDS.includes(k)));
}

/** Encoded queries: ^-joined terms of =, !=, LIKE, STARTSWITH, ISEMPTY; invalid terms are ignored, as ServiceNow does. */
function matcher(query: string): (row: Row) => boolean {
  const groups = query.split("^NQ").map((g) => g.split("^").filter((t) => t && !t.startsWith("ORDERBY")));
  const test = (row: Row, term: string): boolean | undefined => {
    const m = /^([a-z_.]+?)(!=|=|NOT LIKE|LIKE|STARTSWITH|ENDSWITH|ISEMPTY|ISNOTEMPTY)(.*)$/.exec(term);
    if (!m) return undefined;
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!(field in row)) return undefined;
    const actual = row[field] ?? "";
    switch (op) {
      case "=":
        return actual === value;
      case "!=":
        return actual !== value;
      case "LIKE":
        return actual.includes(value);
      case "NOT LIKE":
        return !actual.includes(value);
      case "STARTSWITH":
        return actual.startsWith(value);
      case "ENDSWITH":
        return actual.endsWith(value);
      case "ISEMPTY":
        return actual === "";
      default:
        return actual !== "";
    }
  };
  return (row) =>
    groups.some((terms) => {
      let result = true;
      for (let i = 0; i < terms.length; i++) {
        const term = terms[i] as string;
        if (term.startsWith("OR")) continue;
        let ok = test(row, term);
        // ^OR binds to the term before it.
        for (let j = i + 1; j < terms.length && (terms[j] as string).startsWith("OR"); j++)
          ok = ok === true || test(row, (terms[j] as string).slice(2)) === true;
        if (ok === false) result = false;
      }
      return result;
    });
}

function stamp(): string {
  return new Date().toISOString().replace("T", " ").slice(0, 19);
}

function failure(status: number, message: string, detail: string | null): Reply {
  return { status, body: { error: { message, detail }, status: "failure" } };
}

function notFound(): Reply {
  return failure(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
}
