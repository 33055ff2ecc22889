/**
 * The OCI Core (20160918) operations the activities need, over the real oci-core VirtualNetworkClient
 * signed with an API key. No waiters: waiting is the orchestrator's job.
 */
import { CircuitBreaker, MaxAttemptsTerminationStrategy, Region, SimpleAuthenticationDetailsProvider } from "oci-common";
import type { DelayStrategy, OciError, RetryConfiguration } from "oci-common";
import { VirtualNetworkClient, models } from "oci-core";

const CreateVirtualCircuitType = models.CreateVirtualCircuitDetails.Type;
import type { CloudCallLog } from "../call-log";
import { CloudError, classifyOciError } from "../errors";
import { inSdkCall, noteOciAttempt, withAttempts } from "../sdk-attempts";

export type Vcn = models.Vcn;
export type RouteTable = models.RouteTable;
export type RouteRule = models.RouteRule;
export type Drg = models.Drg;
export type DrgAttachment = models.DrgAttachment;
export type DrgRouteRule = models.DrgRouteRule;
export type VirtualCircuit = models.VirtualCircuit;
export type CreateVirtualCircuitDetails = models.CreateVirtualCircuitDetails;
export type FastConnectProviderService = models.FastConnectProviderService;
export type VirtualCircuitBandwidthShape = models.VirtualCircuitBandwidthShape;
export type FastConnectProviderServiceKey = models.FastConnectProviderServiceKey;
export type UpdateVirtualCircuitDetails = models.UpdateVirtualCircuitDetails;

export interface OciClientConfig {
  tenancyId: string;
  userId: string;
  fingerprint: string;
  /** PEM text of the API signing key. */
  privateKey: string;
  passphrase?: string;
  /** Empty or undefined: the SDK's real regional endpoint. Otherwise e.g. http://127.0.0.1:8444 (the emulator). */
  endpoint?: string;
  /** SDK-level retries of one request. */
  retry?: { maxAttempts?: number; baseDelaySeconds?: number; maxDelaySeconds?: number };
}

export type DeleteStart = "deleting" | "deleted";

/**
 * Exponential backoff with full jitter in fractional seconds: the SDK's own strategies start at whole
 * seconds, which is right for OCI but makes emulator tests crawl; the cap keeps one activity short.
 */
class JitteredBackoff implements DelayStrategy {
  constructor(
    private readonly baseSeconds: number,
    private readonly maxSeconds: number,
  ) {}

  delay(context: { attemptCount: number }): number {
    const ceiling = Math.min(this.maxSeconds, this.baseSeconds * 2 ** context.attemptCount);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }
}

/**
 * The same conditions as the SDK's DefaultRetryCondition (5xx, transport errors, 409 IncorrectState,
 * 429), applied to EVERY operation: the SDK leaves retries off for createDrg, createDrgAttachment,
 * updateRouteTable, deleteDrg and deleteDrgAttachment (interconnect-apis.md §3.1). Retrying them is
 * safe here because creates carry an opc-retry-token and updates an if-match etag.
 */
function shouldRetry(error: OciError): boolean {
  const s = error.statusCode;
  noteOciAttempt(s, (error as { code?: string }).code);
  if (typeof s !== "number" || Number.isNaN(s) || s === -1) return true;
  return s === 500 || s === 502 || s === 503 || s === 504 || s === 429 || (s === 409 && error.serviceCode === "IncorrectState");
}

function retryConfiguration(retry: OciClientConfig["retry"]): RetryConfiguration {
  return {
    terminationStrategy: new MaxAttemptsTerminationStrategy(retry?.maxAttempts ?? 5),
    delayStrategy: new JitteredBackoff(retry?.baseDelaySeconds ?? 1, retry?.maxDelaySeconds ?? 15),
    retryCondition: shouldRetry,
  } as RetryConfiguration;
}

/**
 * The SDK's GenericRetrier reports every failed attempt with console.warn, e.g. "Request cannot be
 * retried. Not Retrying. Exception occurred : …" for a 404 that simply means "not there". Inside our
 * calls those lines say nothing the call's outcome and its audit row (with the retries) do not say
 * better, so they are dropped there; any other console.warn passes through unchanged.
 */
const RETRIER_LINE = /^(Request cannot be retried\. Not Retrying\.|All retry attempts have exhausted\.|Request failed with Exception :)/;
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && RETRIER_LINE.test(args[0]) && inSdkCall("oci")) return;
  consoleWarn.apply(console, args);
};

/** One VirtualNetworkClient per region: the region decides the endpoint and the signer's host header. */
export class OciClients {
  private readonly clients = new Map<string, VirtualNetworkClient>();

  constructor(private readonly config: OciClientConfig) {}

  client(region: string): VirtualNetworkClient {
    let c = this.clients.get(region);
    if (!c) {
      const provider = new SimpleAuthenticationDetailsProvider(
        this.config.tenancyId,
        this.config.userId,
        this.config.fingerprint,
        this.config.privateKey,
        this.config.passphrase ? this.config.passphrase : null,
        Region.fromRegionId(region),
      );
      c = new VirtualNetworkClient(
        { authenticationDetailsProvider: provider },
        {
          retryConfiguration: retryConfiguration(this.config.retry),
          // The orchestrator paces retries with durable timers; a process-wide breaker would turn one
          // interconnect's throttling into failures of every other interconnect on this worker.
          circuitBreaker: new CircuitBreaker({ disableClientCircuitBreaker: true }),
        },
      );
      // After construction: the provider's region has already set the regional endpoint (§3.1).
      if (this.config.endpoint) c.endpoint = this.config.endpoint;
      this.clients.set(region, c);
    }
    return c;
  }

  network(region: string, log: CloudCallLog): OciNetwork {
    return new OciNetwork(this.client(region), log);
  }
}

export class OciNetwork {
  constructor(
    private readonly client: VirtualNetworkClient,
    private readonly log: CloudCallLog,
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  getVcn(vcnId: string): Promise<Vcn | undefined> {
    return this.getOrUndefined(
      "GET vcns",
      () => this.client.getVcn({ vcnId }),
      (r) => r.vcn,
    );
  }

  async getRouteTable(rtId: string): Promise<{ routeTable: RouteTable; etag: string } | undefined> {
    return this.getOrUndefined(
      "GET routeTables",
      () => this.client.getRouteTable({ rtId }),
      (r) => ({ routeTable: r.routeTable, etag: r.etag }),
    );
  }

  /** Every route table of the VCN (its default one and those made by hand), in the compartment given. */
  listRouteTables(filter: { compartmentId: string; vcnId: string }): Promise<RouteTable[]> {
    return this.inCompartment(
      this.pages("GET routeTables", (page) => this.client.listRouteTables({ ...filter, ...(page ? { page } : {}) })),
    );
  }

  getDrg(drgId: string): Promise<Drg | undefined> {
    return this.getOrUndefined(
      "GET drgs",
      () => this.client.getDrg({ drgId }),
      (r) => r.drg,
    );
  }

  listDrgs(compartmentId: string): Promise<Drg[]> {
    return this.inCompartment(this.pages("GET drgs", (page) => this.client.listDrgs({ compartmentId, ...(page ? { page } : {}) })));
  }

  getDrgAttachment(drgAttachmentId: string): Promise<DrgAttachment | undefined> {
    return this.getOrUndefined(
      "GET drgAttachments",
      () => this.client.getDrgAttachment({ drgAttachmentId }),
      (r) => r.drgAttachment,
    );
  }

  listDrgAttachments(filter: { compartmentId: string; drgId?: string; vcnId?: string }): Promise<DrgAttachment[]> {
    return this.inCompartment(
      this.pages("GET drgAttachments", (page) => this.client.listDrgAttachments({ ...filter, ...(page ? { page } : {}) })),
    );
  }

  getVirtualCircuit(virtualCircuitId: string): Promise<VirtualCircuit | undefined> {
    return this.getOrUndefined(
      "GET virtualCircuits",
      () => this.client.getVirtualCircuit({ virtualCircuitId }),
      (r) => r.virtualCircuit,
    );
  }

  listVirtualCircuits(compartmentId: string): Promise<VirtualCircuit[]> {
    return this.inCompartment(
      this.pages("GET virtualCircuits", (page) => this.client.listVirtualCircuits({ compartmentId, ...(page ? { page } : {}) })),
    );
  }

  listFastConnectProviderServices(compartmentId: string): Promise<FastConnectProviderService[]> {
    return this.pages("GET fastConnectProviderServices", (page) =>
      this.client.listFastConnectProviderServices({ compartmentId, ...(page ? { page } : {}) }),
    );
  }

  listBandwidthShapes(providerServiceId: string): Promise<VirtualCircuitBandwidthShape[]> {
    return this.pages("GET virtualCircuitBandwidthShapes", (page) =>
      this.client.listFastConnectProviderVirtualCircuitBandwidthShapes({ providerServiceId, ...(page ? { page } : {}) }),
    );
  }

  /** The provider's view of a service key (its bandwidth shape and peering location); undefined for an invalid key (404). */
  getProviderServiceKey(providerServiceId: string, serviceKey: string): Promise<FastConnectProviderServiceKey | undefined> {
    return this.getOrUndefined(
      "GET fastConnectProviderServiceKeys",
      () => this.client.getFastConnectProviderServiceKey({ providerServiceId, providerServiceKeyName: serviceKey }),
      (r) => r.fastConnectProviderServiceKey,
      [serviceKey],
    );
  }

  listDrgRouteRules(drgRouteTableId: string): Promise<DrgRouteRule[]> {
    return this.pages("GET drgRouteRules", (page) => this.client.listDrgRouteRules({ drgRouteTableId, ...(page ? { page } : {}) }));
  }

  // ---- writes ------------------------------------------------------------------------------

  createDrg(details: models.CreateDrgDetails, opcRetryToken: string): Promise<Drg> {
    return this.call(
      "POST drgs",
      () => this.client.createDrg({ createDrgDetails: details, opcRetryToken }),
      (r) => r.drg,
    );
  }

  deleteDrg(drgId: string): Promise<DeleteStart> {
    return this.delete("DELETE drgs", () => this.client.deleteDrg({ drgId }));
  }

  createDrgAttachment(details: models.CreateDrgAttachmentDetails, opcRetryToken: string): Promise<DrgAttachment> {
    return this.call(
      "POST drgAttachments",
      () => this.client.createDrgAttachment({ createDrgAttachmentDetails: details, opcRetryToken }),
      (r) => r.drgAttachment,
    );
  }

  deleteDrgAttachment(drgAttachmentId: string): Promise<DeleteStart> {
    return this.delete("DELETE drgAttachments", () => this.client.deleteDrgAttachment({ drgAttachmentId }));
  }

  /** A PRIVATE virtual circuit; the service key in the details is redacted from any error message. */
  createPrivateVirtualCircuit(details: Omit<CreateVirtualCircuitDetails, "type">, opcRetryToken: string): Promise<VirtualCircuit> {
    const secrets = details.providerServiceKeyName ? [details.providerServiceKeyName] : [];
    const createVirtualCircuitDetails: CreateVirtualCircuitDetails = { ...details, type: CreateVirtualCircuitType.Private };
    return this.call(
      "POST virtualCircuits",
      () => this.client.createVirtualCircuit({ createVirtualCircuitDetails, opcRetryToken }),
      (r) => r.virtualCircuit,
      secrets,
    );
  }

  deleteVirtualCircuit(virtualCircuitId: string): Promise<DeleteStart> {
    return this.delete("DELETE virtualCircuits", () => this.client.deleteVirtualCircuit({ virtualCircuitId }));
  }

  /** Bandwidth shape or tags of a virtual circuit; `ifMatch` keeps a concurrent edit from being overwritten. */
  updateVirtualCircuit(virtualCircuitId: string, details: UpdateVirtualCircuitDetails, ifMatch?: string): Promise<VirtualCircuit> {
    return this.call(
      "PUT virtualCircuits",
      () => this.client.updateVirtualCircuit({ virtualCircuitId, updateVirtualCircuitDetails: details, ...(ifMatch ? { ifMatch } : {}) }),
      (r) => r.virtualCircuit,
    );
  }

  /** Replaces the table's rules only if nobody changed it since `etag` was read (412 NoEtagMatch otherwise). */
  updateRouteTable(rtId: string, routeRules: RouteRule[], etag: string): Promise<{ routeTable: RouteTable; etag: string }> {
    return this.call(
      "PUT routeTables",
      () => this.client.updateRouteTable({ rtId, updateRouteTableDetails: { routeRules }, ifMatch: etag }),
      (r) => ({ routeTable: r.routeTable, etag: r.etag }),
    );
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private async call<R extends { opcRequestId: string }, T>(
    operation: string,
    run: () => Promise<R>,
    pick: (response: R) => T,
    secrets: readonly string[] = [],
  ): Promise<T> {
    try {
      const response = await withAttempts("oci", operation, run, (retries) => this.log.recordRetries(retries));
      this.log.record({ cloud: "oci", operation, ...(response.opcRequestId ? { requestId: response.opcRequestId } : {}) });
      return pick(response);
    } catch (err) {
      const e = classifyOciError(err, { secrets });
      this.log.record({
        cloud: "oci",
        operation,
        ...(e.requestId ? { requestId: e.requestId } : {}),
        ...(e.statusCode ? { statusCode: e.statusCode } : {}),
      });
      throw e;
    }
  }

  private async getOrUndefined<R extends { opcRequestId: string }, T>(
    operation: string,
    run: () => Promise<R>,
    pick: (response: R) => T,
    secrets: readonly string[] = [],
  ): Promise<T | undefined> {
    try {
      return await this.call(operation, run, pick, secrets);
    } catch (err) {
      if (err instanceof CloudError && err.notFound) return undefined;
      throw err;
    }
  }

  private async delete(operation: string, run: () => Promise<{ opcRequestId: string }>): Promise<DeleteStart> {
    try {
      await this.call(operation, run, () => undefined);
      return "deleting";
    } catch (err) {
      if (err instanceof CloudError && err.notFound) return "deleted";
      throw err;
    }
  }

  /**
   * Our resources are looked up by name in the spec's compartment. OCI answers a list in a compartment
   * the user cannot see with 404 NotAuthorizedOrNotFound: nothing there is ours to find or remove (a
   * mistyped compartment fails pre-flight, and its teardown must still finish).
   */
  private async inCompartment<T>(list: Promise<T[]>): Promise<T[]> {
    try {
      return await list;
    } catch (err) {
      if (err instanceof CloudError && err.notFound) return [];
      throw err;
    }
  }

  private async pages<T>(
    operation: string,
    fetchPage: (page?: string) => Promise<{ items: T[]; opcNextPage: string; opcRequestId: string }>,
  ): Promise<T[]> {
    const items: T[] = [];
    let page: string | undefined;
    do {
      const r = await this.call(
        operation,
        () => fetchPage(page),
        (x) => x,
      );
      items.push(...r.items);
      page = r.opcNextPage || undefined;
    } while (page);
    return items;
  }
}
