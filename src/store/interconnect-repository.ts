import { odata, type TableClient, type TableEntityResultPage } from "@azure/data-tables";
import type { BgpPlan } from "../domain/bgp-plan";
import { desiredSnapshotSchema, type DesiredSnapshot } from "../domain/desired-snapshot";
import { interconnectHealthSchema, type InterconnectHealth } from "../domain/health";
import { DomainError, ErrorCodes, ValidationError } from "../domain/errors";
import { assertTransition, type InterconnectState } from "../domain/lifecycle";
import { interconnectNetworks } from "../domain/networks";
import { failedProvisioningLeftNothing } from "../domain/failed-provisioning";
import type { InterconnectSpec } from "../domain/spec";
import { assertFitsStringProperty, decodeJson, encodeJson, parseColumn, parseInput } from "./columns";
import {
  attemptSchema,
  failureSchema,
  INTERCONNECT_NAME,
  bgpPlanSchema,
  operationSchema,
  resourcesSchema,
  stateSchema,
  storedResourcesSchema,
  storedSpecSchema,
  timestampSchema,
  type InterconnectFailure,
  type InterconnectOperation,
  type InterconnectRecord,
  type InterconnectResources,
  type StoredInterconnect,
} from "./interconnect-record";
import { maskSecretsInText } from "./secrets";
import { assertTableName, createTableClient, isRestError, LazyTable, type TableStorageTarget } from "./table-client";

const PARTITION = "interconnect";

export interface NewInterconnect {
  name: string;
  spec: InterconnectSpec;
  bgpPlan?: BgpPlan;
  resources?: InterconnectResources;
}

/** Fields a writer may change; `null` clears an optional field. The state changes only via a transition. */
export interface InterconnectPatch {
  spec?: InterconnectSpec;
  bgpPlan?: BgpPlan | null;
  resources?: InterconnectResources;
  currentOperation?: InterconnectOperation | null;
  failure?: InterconnectFailure | null;
  attempt?: number;
  health?: InterconnectHealth | null;
  desired?: DesiredSnapshot | null;
}

/** A patch plus, optionally, a new state (checked against the lifecycle when it differs). */
export interface InterconnectChange extends InterconnectPatch {
  state?: InterconnectState;
}

export interface ListOptions {
  state?: InterconnectState;
  /** Only interconnects on this VNet (its ARM id; compared as ARM compares ids, case-insensitively). */
  virtualNetworkId?: string;
  /** Only interconnects on this VCN (its OCID). */
  vcnId?: string;
  /** Page size, 1-1000 (default 100). */
  top?: number;
  continuationToken?: string;
}

export interface InterconnectPage {
  items: StoredInterconnect[];
  continuationToken?: string;
}

export interface RepositoryOptions {
  now?: () => Date;
}

/**
 * One row per interconnect (partition "interconnect", row key = name). Every write after create is
 * conditional on the ETag the writer read, so two writers can never silently overwrite each other: the
 * later one gets PRECONDITION_FAILED and must re-read.
 */
export class InterconnectRepository {
  private readonly table: LazyTable;
  private readonly now: () => Date;

  constructor(target: TableStorageTarget, tableName: string, options: RepositoryOptions = {}) {
    assertTableName("INTERCONNECTS_TABLE", tableName);
    this.table = new LazyTable(createTableClient(target, tableName));
    this.now = options.now ?? (() => new Date());
  }

  async get(name: string): Promise<StoredInterconnect | undefined> {
    assertName(name);
    const client = await this.table.get();
    return readRow(client, name);
  }

  async getOrThrow(name: string): Promise<StoredInterconnect> {
    const found = await this.get(name);
    if (!found) throw notFound(name);
    return found;
  }

  async list(options: ListOptions = {}): Promise<InterconnectPage> {
    const top = options.top ?? 100;
    if (!Number.isInteger(top) || top < 1 || top > 1000) {
      throw new ValidationError([{ path: "top", message: "must be an integer from 1 to 1000" }]);
    }
    if (options.state !== undefined) parseState(options.state);
    const clauses = [odata`PartitionKey eq ${PARTITION}`];
    if (options.state !== undefined) clauses.push(odata`state eq ${options.state}`);
    // The network columns are written from the spec with every write of the record (toEntity).
    if (options.virtualNetworkId !== undefined) clauses.push(odata`virtualNetworkId eq ${options.virtualNetworkId.toLowerCase()}`);
    if (options.vcnId !== undefined) clauses.push(odata`vcnId eq ${options.vcnId}`);
    const filter = clauses.join(" and ");
    const client = await this.table.get();
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: top, ...(options.continuationToken ? { continuationToken: options.continuationToken } : {}) });
    const first = await pages.next();
    if (first.done) return { items: [] };
    const page: TableEntityResultPage<Record<string, unknown>> = first.value;
    const items = page.map((entity) => fromEntity(entity));
    return page.continuationToken ? { items, continuationToken: page.continuationToken } : { items };
  }

  /**
   * Creates the record in state "requested". A name whose interconnect is "deleted", or whose
   * provisioning failed leaving nothing on the clouds, may be reused (the lifecycle allows deleted →
   * requested and failed → requested); any other existing record is a CONFLICT. A reused
   * name keeps its attempt counter: instance ids derive from it, and the task hub still holds the
   * instances of the name's earlier life.
   */
  async create(input: NewInterconnect): Promise<StoredInterconnect> {
    assertName(input.name);
    const at = this.now().toISOString();
    const record: InterconnectRecord = {
      name: input.name,
      spec: input.spec,
      state: "requested",
      ...(input.bgpPlan ? { bgpPlan: input.bgpPlan } : {}),
      resources: input.resources ?? {},
      attempt: 0,
      createdAt: at,
      updatedAt: at,
      stateChangedAt: at,
    };
    const entity = toEntity(record);
    const client = await this.table.get();
    try {
      const created = await client.createEntity(entity);
      return { ...record, etag: requireEtag(created.etag) };
    } catch (error) {
      if (!isRestError(error, 409)) throw error;
    }
    const existing = await readRow(client, input.name);
    if (!existing) throw conflict(input.name, "it was deleted while being created; retry");
    if (existing.state !== "deleted" && !failedProvisioningLeftNothing(existing)) {
      throw conflict(input.name, `it already exists in state "${existing.state}"`);
    }
    assertTransition(existing.state, "requested");
    return replaceRow(client, { ...record, attempt: existing.attempt }, existing.etag);
  }

  /** Applies `mutate` to the record as of `etag`; fails with PRECONDITION_FAILED when it changed since. */
  async update(name: string, etag: string, mutate: (current: StoredInterconnect) => InterconnectPatch): Promise<StoredInterconnect> {
    return this.write(name, etag, (current) => stripState(mutate(current)));
  }

  /** Moves to `to` if the lifecycle allows it from the current state; nothing is written otherwise. */
  async transitionState(name: string, to: InterconnectState, etag: string, patch: InterconnectPatch = {}): Promise<StoredInterconnect> {
    parseState(to);
    return this.write(name, etag, (current) => {
      assertTransition(current.state, to);
      return { ...stripState(patch), state: to };
    });
  }

  /**
   * Read-modify-write that re-reads and re-applies `change` after an ETag conflict, for callers
   * (activities) whose change is a pure function of the current record. Other errors, such as a
   * forbidden transition thrown by `change` or by the lifecycle, are not retried.
   */
  async modify(
    name: string,
    change: (current: StoredInterconnect) => InterconnectChange,
    options: { attempts?: number } = {},
  ): Promise<StoredInterconnect> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const current = await this.getOrThrow(name);
      try {
        return await this.write(name, current.etag, (fresh) => {
          const wanted = change(fresh);
          if (wanted.state !== undefined && wanted.state !== fresh.state) assertTransition(fresh.state, wanted.state);
          return wanted;
        });
      } catch (error) {
        if (!(error instanceof DomainError && error.code === ErrorCodes.PRECONDITION_FAILED) || attempt >= attempts) throw error;
      }
    }
  }

  /** Removes the row for good (purge); conditional on the ETag like every other write. */
  async delete(name: string, etag: string): Promise<void> {
    assertName(name);
    const client = await this.table.get();
    try {
      await client.deleteEntity(PARTITION, name, { etag });
    } catch (error) {
      if (isRestError(error, 404)) throw notFound(name);
      if (isRestError(error, 412)) throw stale(name);
      throw error;
    }
  }

  private async write(
    name: string,
    etag: string,
    decide: (current: StoredInterconnect) => InterconnectChange,
  ): Promise<StoredInterconnect> {
    assertName(name);
    if (!etag) throw new ValidationError([{ path: "etag", message: "is required for a conditional write" }]);
    const client = await this.table.get();
    const current = await readRow(client, name);
    if (!current) throw notFound(name);
    if (current.etag !== etag) throw stale(name);
    const change = decide(current);
    const at = this.now().toISOString();
    const { etag: _etag, ...base } = current;
    const next: InterconnectRecord = { ...base, updatedAt: at };
    if (change.spec !== undefined) next.spec = change.spec;
    if (change.resources !== undefined) next.resources = change.resources;
    if (change.attempt !== undefined) next.attempt = change.attempt;
    applyOptional(next, "bgpPlan", change.bgpPlan);
    applyOptional(next, "currentOperation", change.currentOperation);
    applyOptional(next, "failure", change.failure);
    applyOptional(next, "health", change.health);
    applyOptional(next, "desired", change.desired);
    if (change.state !== undefined && change.state !== current.state) {
      next.state = change.state;
      next.stateChangedAt = at;
    }
    return replaceRow(client, next, etag);
  }
}

function applyOptional<K extends "bgpPlan" | "currentOperation" | "failure" | "health" | "desired">(
  record: InterconnectRecord,
  key: K,
  value: InterconnectRecord[K] | null | undefined,
): void {
  if (value === null) delete record[key];
  else if (value !== undefined) record[key] = value;
}

function stripState(patch: InterconnectPatch & { state?: unknown }): InterconnectPatch {
  if ("state" in patch) {
    throw new ValidationError([{ path: "state", message: "changes only through transitionState or modify, which check the lifecycle" }]);
  }
  return patch;
}

async function readRow(client: TableClient, name: string): Promise<StoredInterconnect | undefined> {
  try {
    return fromEntity(await client.getEntity<Record<string, unknown>>(PARTITION, name));
  } catch (error) {
    if (isRestError(error, 404)) return undefined;
    throw error;
  }
}

async function replaceRow(client: TableClient, unsafe: InterconnectRecord, etag: string): Promise<StoredInterconnect> {
  const record = withoutSecrets(unsafe);
  const entity = toEntity(record);
  try {
    const result = await client.updateEntity(entity, "Replace", { etag });
    return { ...record, etag: requireEtag(result.etag) };
  } catch (error) {
    if (isRestError(error, 412)) throw stale(record.name);
    if (isRestError(error, 404)) throw notFound(record.name);
    throw error;
  }
}

/** Failure messages quote cloud errors, which can quote the service key. */
function withoutSecrets(record: InterconnectRecord): InterconnectRecord {
  if (!record.failure) return record;
  return { ...record, failure: { ...record.failure, message: maskSecretsInText(record.failure.message, "failure.message") } };
}

function toEntity(record: InterconnectRecord): { partitionKey: string; rowKey: string } & Record<string, string | number> {
  if (record.spec?.name !== record.name) {
    throw new ValidationError([{ path: "spec.name", message: `must equal the interconnect name "${record.name}"` }]);
  }
  const valid = parseInput("attempt", record.attempt, attemptSchema);
  const resources = parseInput("resources", record.resources, resourcesSchema);
  const entity: { partitionKey: string; rowKey: string } & Record<string, string | number> = {
    partitionKey: PARTITION,
    rowKey: record.name,
    spec: encodeJson("spec", record.spec),
    state: parseState(record.state),
    resources: encodeJson("resources", resources),
    attempt: valid,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    stateChangedAt: record.stateChangedAt,
  };
  // Queryable copies of the spec's networks, for the list's VNet and VCN filters.
  const named = record.spec as Partial<InterconnectSpec>;
  if (named.azure?.virtualNetwork?.name && named.oci?.vcnId) {
    for (const network of interconnectNetworks(record.spec)) entity[network.kind === "vcn" ? "vcnId" : "virtualNetworkId"] = network.id;
  }
  if (record.bgpPlan) entity.bgpPlan = encodeJson("bgpPlan", parseInput("bgpPlan", record.bgpPlan, bgpPlanSchema));
  if (record.currentOperation) {
    entity.currentOperation = encodeJson("currentOperation", parseInput("currentOperation", record.currentOperation, operationSchema));
  }
  if (record.failure) entity.failure = encodeJson("failure", parseInput("failure", record.failure, failureSchema));
  if (record.health) entity.health = encodeJson("health", parseInput("health", record.health, interconnectHealthSchema));
  if (record.desired) entity.desired = encodeJson("desired", parseInput("desired", record.desired, desiredSnapshotSchema));
  return entity;
}

function fromEntity(entity: Record<string, unknown>): StoredInterconnect {
  const name = String(entity.rowKey);
  const where = `interconnects/${name}`;
  const record: StoredInterconnect = {
    name,
    spec: decodeJson(where, "spec", entity.spec, storedSpecSchema),
    state: parseColumn(where, "state", entity.state, stateSchema),
    resources: decodeJson(where, "resources", entity.resources, storedResourcesSchema),
    attempt: parseColumn(where, "attempt", entity.attempt, attemptSchema),
    createdAt: parseColumn(where, "createdAt", entity.createdAt, timestampSchema),
    updatedAt: parseColumn(where, "updatedAt", entity.updatedAt, timestampSchema),
    stateChangedAt: parseColumn(where, "stateChangedAt", entity.stateChangedAt, timestampSchema),
    etag: requireEtag(entity.etag),
  };
  if (entity.bgpPlan !== undefined) record.bgpPlan = decodeJson(where, "bgpPlan", entity.bgpPlan, bgpPlanSchema);
  if (entity.currentOperation !== undefined) {
    record.currentOperation = decodeJson(where, "currentOperation", entity.currentOperation, operationSchema);
  }
  if (entity.failure !== undefined) record.failure = decodeJson(where, "failure", entity.failure, failureSchema);
  if (entity.health !== undefined) record.health = decodeJson(where, "health", entity.health, interconnectHealthSchema);
  if (entity.desired !== undefined) record.desired = decodeJson(where, "desired", entity.desired, desiredSnapshotSchema);
  return record;
}

function parseState(state: string): InterconnectState {
  const parsed = stateSchema.safeParse(state);
  if (!parsed.success) {
    throw new ValidationError([{ path: "state", message: `must be one of ${stateSchema.options.map((s) => `"${s}"`).join(", ")}` }]);
  }
  return parsed.data;
}

function assertName(name: string): void {
  if (typeof name !== "string" || !INTERCONNECT_NAME.test(name)) {
    throw new ValidationError([{ path: "name", message: "must be 3-40 characters: lowercase letters, digits and hyphens" }]);
  }
  assertFitsStringProperty("name", name);
}

function requireEtag(etag: unknown): string {
  if (typeof etag !== "string" || !etag) {
    throw new DomainError(ErrorCodes.INTERNAL, "Table Storage returned no ETag for a write; cannot guarantee optimistic concurrency.");
  }
  return etag;
}

function notFound(name: string): DomainError {
  return new DomainError(ErrorCodes.NOT_FOUND, `Interconnect "${name}" does not exist.`, { details: { name } });
}

function conflict(name: string, why: string): DomainError {
  return new DomainError(ErrorCodes.CONFLICT, `Interconnect "${name}" cannot be created: ${why}.`, { details: { name } });
}

function stale(name: string): DomainError {
  return new DomainError(
    ErrorCodes.PRECONDITION_FAILED,
    `Interconnect "${name}" was changed by another writer since it was read (ETag mismatch); nothing was written. Re-read it and retry.`,
    { details: { name } },
  );
}
