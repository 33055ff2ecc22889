import { randomUUID } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { ArmDurations } from "./durations";
import { ArmError, anotherOperationInProgress, resourceNotFound } from "./errors";
import {
  type ArmErrorBody,
  type ArmResource,
  type ArmStateData,
  type AsyncOperation,
  type Transition,
  type TransitionAction,
  emptyState,
  key,
  newEtag,
} from "./state";

export const NETWORK = "Microsoft.Network";

/** What a handler answers; the server adds the common headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Scope {
  subscriptionId: string;
  resourceGroup: string;
}

/** How an operation is exposed to the SDK's poller (see arm-examples/README.md, final-state-via). */
export type LroHeaders = "async" | "location" | "both";

/**
 * The state engine shared by every resource family: ids, lookups, etags, async operations and the
 * transitions that complete them on the virtual clock.
 */
export class ArmNetwork {
  data: ArmStateData = emptyState();
  /** Set by the server once it listens; operation URLs point back at it. */
  baseUrl = "";
  private readonly listeners: (() => void)[] = [];

  constructor(
    readonly clock: VirtualClock,
    readonly durations: ArmDurations,
    private readonly retryAfterSeconds: number,
  ) {}

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const l of this.listeners) l();
  }

  // ---- resource groups and ids ----------------------------------------------------------------

  ensureScope(scope: Scope): { resourceGroupName: string; location: string } {
    const groups = this.data.subscriptions[scope.subscriptionId.toLowerCase()];
    if (!groups) throw new ArmError(404, "SubscriptionNotFound", `The subscription '${scope.subscriptionId}' could not be found.`);
    const rg = groups[scope.resourceGroup.toLowerCase()];
    if (!rg) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${scope.resourceGroup}' could not be found.`);
    return { resourceGroupName: rg.name, location: rg.location };
  }

  ensureSubscription(subscriptionId: string): void {
    if (!this.data.subscriptions[subscriptionId.toLowerCase()]) {
      throw new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
    }
  }

  addResourceGroup(subscriptionId: string, name: string, location: string): void {
    const groups = (this.data.subscriptions[subscriptionId.toLowerCase()] ??= {});
    groups[name.toLowerCase()] ??= { name, location };
    this.changed();
  }

  resourceId(scope: Scope, type: string, name: string): string {
    const rg = this.ensureScope(scope).resourceGroupName;
    return `/subscriptions/${scope.subscriptionId}/resourceGroups/${rg}/providers/${NETWORK}/${type}/${name}`;
  }

  get(id: string): ArmResource | undefined {
    return this.data.resources[key(id)];
  }

  /** A top-level resource or ARM's 404. */
  require(scope: Scope, type: string, name: string): ArmResource {
    const r = this.get(this.resourceId(scope, type, name));
    if (!r) throw resourceNotFound(type, name, scope.resourceGroup);
    return r;
  }

  put(resource: ArmResource): ArmResource {
    resource.etag = newEtag();
    this.data.resources[key(resource.id)] = resource;
    this.changed();
    return resource;
  }

  /** The resource and everything under it (subnets, peerings). */
  removeTree(id: string): void {
    const prefix = key(id);
    for (const k of Object.keys(this.data.resources)) {
      if (k === prefix || k.startsWith(`${prefix}/`)) delete this.data.resources[k];
    }
    this.changed();
  }

  list(filter: (r: ArmResource) => boolean): ArmResource[] {
    return Object.values(this.data.resources)
      .filter(filter)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  childrenOf(parentId: string, type: string): ArmResource[] {
    const prefix = `${key(parentId)}/`;
    return this.list((r) => r.type === type && key(r.id).startsWith(prefix) && !key(r.id).slice(prefix.length).includes("/providers/"));
  }

  // ---- preconditions ---------------------------------------------------------------------------

  checkPreconditions(existing: ArmResource | undefined, ifMatch: string | undefined, ifNoneMatch: string | undefined): void {
    if (ifNoneMatch === "*" && existing) {
      throw new ArmError(412, "PreconditionFailed", `The resource ${existing.id} already exists (If-None-Match: *).`);
    }
    if (ifMatch !== undefined && ifMatch !== "*" && existing?.etag !== ifMatch) {
      throw new ArmError(
        412,
        "PreconditionFailed",
        `The condition specified using HTTP conditional header(s) is not met: If-Match '${ifMatch}'.`,
      );
    }
    if (ifMatch === "*" && !existing) {
      throw new ArmError(412, "PreconditionFailed", "The condition specified using HTTP conditional header(s) is not met: If-Match '*'.");
    }
  }

  // ---- operations and transitions -------------------------------------------------------------

  startOperation(location: string): AsyncOperation {
    const op: AsyncOperation = {
      id: randomUUID(),
      location: normalizeLocation(location),
      status: "InProgress",
      startTime: this.clock.now(),
    };
    this.data.operations[op.id] = op;
    this.changed();
    return op;
  }

  schedule(t: {
    at: number;
    action: TransitionAction;
    resourceId: string;
    operationId?: string;
    error?: ArmErrorBody;
    failureStatus?: number;
  }): void {
    this.data.seq += 1;
    this.data.transitions.push({ ...t, seq: this.data.seq });
    this.changed();
  }

  pendingFor(resourceId: string, action: TransitionAction): Transition | undefined {
    return this.data.transitions.find((t) => t.action === action && key(t.resourceId) === key(resourceId));
  }

  dropPending(resourceId: string, actions: TransitionAction[]): void {
    this.data.transitions = this.data.transitions.filter((t) => !(actions.includes(t.action) && key(t.resourceId) === key(resourceId)));
  }

  /**
   * Starts an asynchronous PUT: the resource shows `Updating` until `duration` has passed. A PUT that
   * arrives while an earlier one is still running joins it rather than restarting the clock, so that a
   * retried create (an activity run twice) does not make a 30-minute gateway take 60.
   */
  beginPut(resource: ArmResource, duration: number): AsyncOperation {
    if (resource.properties.provisioningState === "Deleting") throw anotherOperationInProgress(resource.id, "Deleting");
    const op = this.startOperation(resource.location ?? "global");
    const running = this.pendingFor(resource.id, "succeed");
    resource.properties.provisioningState = "Updating";
    this.put(resource);
    this.schedule({ at: running?.at ?? this.clock.now() + duration, action: "succeed", resourceId: resource.id, operationId: op.id });
    return op;
  }

  /** Starts an asynchronous DELETE; a repeated DELETE joins the running one. */
  beginDelete(resource: ArmResource, duration: number): AsyncOperation {
    const state = resource.properties.provisioningState;
    if (state === "Updating") throw anotherOperationInProgress(resource.id, "Updating");
    const op = this.startOperation(resource.location ?? "global");
    const running = this.pendingFor(resource.id, "remove");
    resource.properties.provisioningState = "Deleting";
    this.put(resource);
    this.schedule({ at: running?.at ?? this.clock.now() + duration, action: "remove", resourceId: resource.id, operationId: op.id });
    return op;
  }

  /** An operation the service accepts and then fails without touching the resource. */
  rejectAsync(resourceId: string, location: string, status: number, error: ArmErrorBody): AsyncOperation {
    const op = this.startOperation(location);
    this.schedule({ at: this.clock.now(), action: "reject", resourceId, operationId: op.id, error, failureStatus: status });
    return op;
  }

  completeOperation(operationId: string | undefined, at: number, outcome: { error?: ArmErrorBody; failureStatus?: number } = {}): void {
    const op = operationId ? this.data.operations[operationId] : undefined;
    if (!op || op.status !== "InProgress") return;
    op.status = outcome.error ? "Failed" : "Succeeded";
    op.endTime = at;
    if (outcome.error) {
      op.error = outcome.error;
      op.failureStatus = outcome.failureStatus ?? 400;
    }
  }

  /** Applies every transition whose virtual time has come, in time order. */
  settle(apply: (t: Transition) => void): void {
    const now = this.clock.now();
    let applied = false;
    for (;;) {
      let next: Transition | undefined;
      for (const t of this.data.transitions) {
        if (t.at <= now && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      const chosen = next;
      this.data.transitions = this.data.transitions.filter((t) => t !== chosen);
      apply(chosen);
      applied = true;
    }
    this.pruneOperations(now);
    if (applied) this.changed();
  }

  private pruneOperations(now: number): void {
    const keepMs = 24 * 3600 * 1000;
    for (const [id, op] of Object.entries(this.data.operations)) {
      if (op.endTime !== undefined && now - op.endTime > keepMs) delete this.data.operations[id];
    }
  }

  // ---- replies ---------------------------------------------------------------------------------

  operationUrls(subscriptionId: string, op: AsyncOperation): { asyncOperation: string; location: string } {
    const base = `${this.baseUrl}/subscriptions/${subscriptionId}/providers/${NETWORK}/locations/${op.location}`;
    return {
      asyncOperation: `${base}/operations/${op.id}?api-version=${API_VERSION}`,
      location: `${base}/operationResults/${op.id}?api-version=${API_VERSION}`,
    };
  }

  lroHeaders(subscriptionId: string, op: AsyncOperation, kind: LroHeaders): Record<string, string> {
    const urls = this.operationUrls(subscriptionId, op);
    const headers: Record<string, string> = {};
    if (kind !== "location") headers["Azure-AsyncOperation"] = urls.asyncOperation;
    if (kind !== "async") headers["Location"] = urls.location;
    return { ...headers, ...this.retryAfter() };
  }

  retryAfter(): Record<string, string> {
    return this.retryAfterSeconds > 0 ? { "Retry-After": String(this.retryAfterSeconds) } : {};
  }
}

export const API_VERSION = "2025-05-01";

/** "East US" → "eastus", as ARM writes locations in operation URLs. */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}
