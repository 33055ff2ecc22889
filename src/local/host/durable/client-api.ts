import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import { json, problem, type RawRequest, type RawResponse } from "../http-types";
import type { FunctionRegistry } from "../registry";
import type { DurableEngine } from "./engine";
import { event, EventType, eventTypeName, parseJsonField, type HistoryEvent } from "./history";
import { pendingInstance, TERMINAL, type InstanceQuery, type InstanceRecord, type RuntimeStatus, type TaskHubStore } from "./task-hub";

export const WEBHOOK_PATH = "/runtime/webhooks/durabletask";
const STATUSES: RuntimeStatus[] = ["Pending", "Running", "Completed", "ContinuedAsNew", "Failed", "Terminated", "Suspended"];

/**
 * The Durable Functions HTTP API (HttpApiHandler.cs in the extension) over the local task hub, so
 * DurableClient (startNew, getStatus, raiseEvent, terminate, purge…) and curl work unchanged.
 */
export class DurableHttpApi {
  constructor(
    private readonly store: TaskHubStore,
    private readonly engine: DurableEngine,
    private readonly registry: FunctionRegistry,
    private readonly clock: VirtualClock,
  ) {}

  /** The durableClient input binding data the extension gives every function that declares one. */
  clientBindingData(origin: string): Record<string, unknown> {
    const base = `${origin}${WEBHOOK_PATH}`;
    const q = `taskHub=${this.store.hubName}&connection=Storage`;
    return {
      taskHubName: this.store.hubName,
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${q}`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}`,
      },
      managementUrls: this.managementUrls(base, "INSTANCEID"),
      baseUrl: base,
      requiredQueryStringParameters: q,
      rpcBaseUrl: `${base}/`,
    };
  }

  private managementUrls(base: string, id: string): Record<string, string> {
    const q = `taskHub=${this.store.hubName}&connection=Storage`;
    const i = `${base}/instances/${id}`;
    return {
      id,
      statusQueryGetUri: `${i}?${q}`,
      sendEventPostUri: `${i}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${i}/terminate?reason={text}&${q}`,
      rewindPostUri: `${i}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${i}?${q}`,
      restartPostUri: `${i}/restart?${q}`,
      suspendPostUri: `${i}/suspend?reason={text}&${q}`,
      resumePostUri: `${i}/resume?reason={text}&${q}`,
    };
  }

  async handle(req: RawRequest): Promise<RawResponse> {
    const rest = req.url.pathname.slice(WEBHOOK_PATH.length).split("/").filter(Boolean).map(decodeURIComponent);
    const [kind, a, b, c] = rest;
    const m = req.method;
    if (kind === "orchestrators" && a && m === "POST" && rest.length <= 3) return this.start(req, a, b);
    if (kind === "instances") {
      if (!a && m === "GET") return this.list(req);
      if (!a && m === "DELETE") return this.purgeBy(req);
      if (a && !b && m === "GET") return this.status(req, a);
      if (a && !b && m === "DELETE") return this.purge(a);
      if (a && b === "raiseEvent" && c && m === "POST") return this.raiseEvent(req, a, c);
      if (a && b && !c && m === "POST" && ["terminate", "suspend", "resume"].includes(b)) return this.lifecycle(req, a, b);
      if (a && b === "restart" && m === "POST") return this.restart(req, a);
      if (a && b === "rewind" && m === "POST") {
        return problem(
          501,
          "Rewind unavailable",
          "rewind is a preview feature of the Azure Storage provider that the local host does not offer; restart the instance instead",
        );
      }
    }
    return problem(404, "Not found", `no durable API route for ${m} ${req.url.pathname}`);
  }

  /** Creates the instance row and enqueues its ExecutionStarted, as TaskHubClient.CreateOrchestrationInstance does. */
  async startNew(name: string, instanceId: string, inputJson: string, version = ""): Promise<InstanceRecord> {
    if (!this.registry.get(name, "orchestrationTrigger")) {
      throw new ApiError(400, `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    if (!instanceId || /[/\\#?]/.test(instanceId) || [...instanceId].some((c) => c.charCodeAt(0) < 0x20) || instanceId.length > 256) {
      throw new ApiError(400, `instanceId "${instanceId}" is invalid: 1-256 characters without / \\ # ? or control characters`);
    }
    const existing = await this.store.getInstance(instanceId);
    if (existing && !TERMINAL.has(existing.runtimeStatus)) {
      throw new ApiError(409, `An orchestration with instance id '${instanceId}' already exists and is ${existing.runtimeStatus}.`);
    }
    const now = new Date(this.clock.now());
    const record = pendingInstance({ instanceId, name, version, input: inputJson, executionId: randomUUID(), parentInstanceId: null }, now);
    await this.store.putInstance(record);
    this.engine.created(record);
    await this.engine.enqueueControl([
      {
        instanceId,
        executionId: record.executionId,
        event: event(EventType.ExecutionStarted, now, { Name: name, Input: inputJson, Version: version }),
      },
    ]);
    return record;
  }

  private async start(req: RawRequest, name: string, instanceId: string | undefined): Promise<RawResponse> {
    // DurableClient.startNew without input posts "" which axios JSON-encodes to '""': that means "no input".
    const body = req.body.toString("utf8").trim();
    const text = body === '""' ? "" : body;
    if (text) {
      try {
        JSON.parse(text);
      } catch {
        return problem(400, "Invalid input", "the request body must be the orchestration input as JSON");
      }
    }
    try {
      const record = await this.startNew(
        name,
        instanceId ?? randomUUID().replace(/-/g, ""),
        text || "null",
        req.url.searchParams.get("version") ?? "",
      );
      return json(202, this.checkStatusPayload(req, record.instanceId), {
        location: this.checkStatusPayload(req, record.instanceId).statusQueryGetUri as string,
        "retry-after": "10",
      });
    } catch (e) {
      return fromError(e);
    }
  }

  private checkStatusPayload(req: RawRequest, id: string): Record<string, string> {
    return this.managementUrls(`${req.url.origin}${WEBHOOK_PATH}`, encodeURIComponent(id));
  }

  private async status(req: RawRequest, id: string): Promise<RawResponse> {
    // A running instance's latest progress may not be in its Instances row yet (see InstanceRows).
    const record = this.engine.pendingRow(id) ?? (await this.store.getInstance(id));
    if (!record) return problem(404, "Instance not found", `no orchestration instance with id '${id}'`);
    const p = req.url.searchParams;
    const body = statusPayload(record, p.get("showInput") !== "false");
    if (p.get("showHistory") === "true") {
      const history = await this.store.loadHistory(id);
      body.historyEvents = history ? formatHistory(history.events, p.get("showHistoryOutput") === "true") : [];
    }
    if (record.runtimeStatus === "Failed" && p.get("returnInternalServerErrorOnFailure") === "true") return json(500, body);
    if (TERMINAL.has(record.runtimeStatus)) return json(200, body);
    return json(202, body, { location: req.url.href, "retry-after": "5" });
  }

  private parseQuery(req: RawRequest): InstanceQuery | RawResponse {
    const p = req.url.searchParams;
    const q: InstanceQuery = {};
    const statuses = p
      .getAll("runtimeStatus")
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of statuses) {
      if (!STATUSES.includes(s as RuntimeStatus))
        return problem(400, "Invalid runtimeStatus", `runtimeStatus "${s}" is not one of ${STATUSES.join(", ")}`);
    }
    if (statuses.length) q.runtimeStatus = statuses as RuntimeStatus[];
    for (const key of ["createdTimeFrom", "createdTimeTo"] as const) {
      const v = p.get(key);
      if (!v) continue;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) return problem(400, `Invalid ${key}`, `${key} "${v}" is not an ISO 8601 date-time`);
      q[key] = d;
    }
    const top = p.get("top");
    if (top !== null) {
      const n = Number(top);
      if (!Number.isInteger(n) || n < 1 || n > 1000) return problem(400, "Invalid top", `top must be an integer 1..1000, got "${top}"`);
      q.top = n;
    }
    const prefix = p.get("instanceIdPrefix");
    if (prefix) q.instanceIdPrefix = prefix;
    const token = req.headers["x-ms-continuation-token"];
    if (token) q.continuationToken = token;
    return q;
  }

  private async list(req: RawRequest): Promise<RawResponse> {
    const q = this.parseQuery(req);
    if ("status" in q) return q;
    const page = await this.store.queryInstances(q);
    const showInput = req.url.searchParams.get("showInput") !== "false";
    // As fresh as a status read: a running instance's latest progress may not be in its row yet.
    return json(
      200,
      page.items.map((r) => statusPayload(this.engine.pendingRow(r.instanceId) ?? r, showInput)),
      page.continuationToken ? { "x-ms-continuation-token": page.continuationToken } : {},
    );
  }

  private async purge(id: string): Promise<RawResponse> {
    const record = await this.store.getInstance(id);
    if (!record) return problem(404, "Instance not found", `no orchestration instance with id '${id}'`);
    if (!TERMINAL.has(record.runtimeStatus)) {
      return problem(409, "Instance still active", `instance '${id}' is ${record.runtimeStatus}; terminate it before purging its history`);
    }
    await this.store.purge(id);
    this.engine.forget(id);
    return json(200, { instancesDeleted: 1 });
  }

  private async purgeBy(req: RawRequest): Promise<RawResponse> {
    const q = this.parseQuery(req);
    if ("status" in q) return q;
    if (!q.createdTimeFrom && !q.runtimeStatus && !q.instanceIdPrefix) {
      return problem(400, "Filter required", "purging by filter needs createdTimeFrom, runtimeStatus or instanceIdPrefix");
    }
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.store.queryInstances({ ...q, top: 100, continuationToken: token });
      for (const r of page.items) {
        if (!TERMINAL.has(r.runtimeStatus)) continue;
        await this.store.purge(r.instanceId);
        this.engine.forget(r.instanceId);
        deleted++;
      }
      token = page.continuationToken;
    } while (token);
    return deleted
      ? json(200, { instancesDeleted: deleted })
      : problem(404, "Nothing purged", "no completed, failed or terminated instance matched");
  }

  private async raiseEvent(req: RawRequest, id: string, name: string): Promise<RawResponse> {
    if (!(req.headers["content-type"] ?? "").includes("application/json")) {
      return problem(400, "JSON required", "raiseEvent needs Content-Type: application/json");
    }
    const text = req.body.toString("utf8").trim();
    if (text) {
      try {
        JSON.parse(text);
      } catch {
        return problem(400, "Invalid event data", "the request body must be the event data as JSON");
      }
    }
    const record = await this.store.getInstance(id);
    if (!record) return problem(404, "Instance not found", `no orchestration instance with id '${id}'`);
    if (TERMINAL.has(record.runtimeStatus)) return problem(410, "Instance finished", `instance '${id}' is ${record.runtimeStatus}`);
    await this.engine.enqueueControl([
      { instanceId: id, event: event(EventType.EventRaised, new Date(this.clock.now()), { Name: name, Input: text || "null" }) },
    ]);
    return { status: 202, headers: {}, body: "" };
  }

  private async lifecycle(req: RawRequest, id: string, op: string): Promise<RawResponse> {
    const record = await this.store.getInstance(id);
    if (!record) return problem(404, "Instance not found", `no orchestration instance with id '${id}'`);
    if (TERMINAL.has(record.runtimeStatus)) return problem(410, "Instance finished", `instance '${id}' is ${record.runtimeStatus}`);
    const reason = req.url.searchParams.get("reason") ?? "";
    const now = new Date(this.clock.now());
    const ev =
      op === "terminate"
        ? event(EventType.ExecutionTerminated, now, { Input: JSON.stringify(reason) })
        : event(op === "suspend" ? EventType.ExecutionSuspended : EventType.ExecutionResumed, now, { Reason: reason });
    await this.engine.enqueueControl([{ instanceId: id, event: ev }]);
    return { status: 202, headers: {}, body: "" };
  }

  private async restart(req: RawRequest, id: string): Promise<RawResponse> {
    const record = await this.store.getInstance(id);
    if (!record) return problem(404, "Instance not found", `no orchestration instance with id '${id}'`);
    const sameId = req.url.searchParams.get("restartWithNewInstanceId") === "false";
    try {
      const started = await this.startNew(
        record.name,
        sameId ? id : randomUUID().replace(/-/g, ""),
        record.input ?? "null",
        record.version,
      );
      return json(202, this.checkStatusPayload(req, started.instanceId));
    } catch (e) {
      return fromError(e);
    }
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromError(e: unknown): RawResponse {
  if (e instanceof ApiError) return problem(e.status, e.status === 409 ? "Conflict" : "Bad request", e.message);
  throw e;
}

/** StatusResponsePayload.cs: times formatted "s" + "Z"; input/output/customStatus as JSON values. */
function statusPayload(r: InstanceRecord, showInput: boolean): Record<string, unknown> {
  return {
    name: r.name,
    instanceId: r.instanceId,
    runtimeStatus: r.runtimeStatus,
    input: showInput ? parseJsonField(r.input ?? undefined) : null,
    customStatus: parseJsonField(r.customStatus ?? undefined),
    output: parseJsonField(r.output ?? undefined),
    createdTime: isoSeconds(r.createdTime),
    lastUpdatedTime: isoSeconds(r.lastUpdatedTime),
  };
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The extension's history view: episode markers dropped, completions named after what they complete. */
function formatHistory(events: HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map(events.filter((e) => e.EventId >= 0).map((e) => [e.EventId, e]));
  return events
    .filter((e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted)
    .map((e) => {
      const origin = scheduled.get(e.TaskScheduledId ?? e.TimerId ?? -2);
      const out: Record<string, unknown> = { EventType: eventTypeName(e.EventType), EventId: e.EventId, Timestamp: e.Timestamp };
      if (e.Name) out.Name = e.Name;
      if (origin?.Name) out.FunctionName = origin.Name;
      if (origin) out.ScheduledTime = origin.Timestamp;
      if (e.FireAt) out.FireAt = e.FireAt;
      if (e.InstanceId) out.InstanceId = e.InstanceId;
      if (e.TaskScheduledId !== undefined) out.TaskScheduledId = e.TaskScheduledId;
      if (e.TimerId !== undefined) out.TimerId = e.TimerId;
      if (e.OrchestrationStatus) out.OrchestrationStatus = e.OrchestrationStatus;
      if (e.Reason) out.Reason = e.Reason;
      if (e.Attempt !== undefined) out.Attempt = e.Attempt;
      if (showOutput) {
        if (e.Input !== undefined) out.Input = parseJsonField(e.Input);
        if (e.Result !== undefined) out.Result = parseJsonField(e.Result);
      }
      return out;
    });
}
