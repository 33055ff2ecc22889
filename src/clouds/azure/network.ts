/**
 * The Microsoft.Network operations the activities need, over the real @azure/arm-network client.
 * Long-running operations are started with beginX and returned at once: waiting is the
 * orchestrator's job (durable timers), never a poller blocking an activity.
 */
import { NetworkManagementClient } from "@azure/arm-network";
import type {
  ExpressRouteCircuit,
  ExpressRouteCircuitArpTable,
  ExpressRouteCircuitRoutesTable,
  ExpressRouteCircuitRoutesTableSummary,
  ExpressRouteServiceProvider,
  PublicIPAddress,
  Subnet,
  VirtualNetwork,
  VirtualNetworkGateway,
  VirtualNetworkGatewayConnection,
  VirtualNetworkGatewayConnectionListEntity,
} from "@azure/arm-network";
import type { TokenCredential } from "@azure/identity";
import type { CloudCallLog } from "../call-log";
import { armAttemptPolicy } from "../sdk-attempts";
import { ArmCalls } from "./arm-calls";
import { ComputeManagementClient } from "@azure/arm-compute";
import { MonitorClient } from "@azure/arm-monitor";
import { AzureMonitoring, type MonitoringClients } from "./monitoring";

export type {
  ExpressRouteCircuit,
  ExpressRouteCircuitArpTable,
  ExpressRouteCircuitRoutesTable,
  ExpressRouteCircuitRoutesTableSummary,
  ExpressRouteServiceProvider,
  PublicIPAddress,
  Subnet,
  VirtualNetwork,
  VirtualNetworkGateway,
  VirtualNetworkGatewayConnection,
  VirtualNetworkGatewayConnectionListEntity,
};

export interface AzureClientConfig {
  credential: TokenCredential;
  /** ARM endpoint, e.g. https://management.azure.com or the emulator's https://127.0.0.1:8443. */
  armEndpoint: string;
  /**
   * PEM of the CA that signs the ARM endpoint's certificate, when it is not a public one (the local
   * emulator). Replaces the default trust store for this client only; verification stays on.
   * The local host sets NODE_EXTRA_CA_CERTS instead, which needs no configuration here.
   */
  tlsCa?: string;
  /** SDK-level retries of one request (429 honours Retry-After; 5xx and transport errors back off). */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
}

import type { DeleteStart } from "./arm-calls";
export type { DeleteStart };

const DEFAULT_RETRY = { maxRetries: 4, retryDelayInMs: 800, maxRetryDelayInMs: 20_000 };

/** One NetworkManagementClient per subscription: each holds a pipeline and a token cache worth reusing. */
export class AzureClients {
  private readonly clients = new Map<string, NetworkManagementClient>();
  private readonly monitoringClients = new Map<string, MonitoringClients>();

  constructor(private readonly config: AzureClientConfig) {}

  client(subscriptionId: string): NetworkManagementClient {
    let c = this.clients.get(subscriptionId);
    if (!c) {
      c = new NetworkManagementClient(this.config.credential, subscriptionId, {
        endpoint: this.config.armEndpoint,
        retryOptions: { ...DEFAULT_RETRY, ...this.config.retry },
        additionalPolicies: [{ policy: armAttemptPolicy, position: "perRetry" }],
        ...(this.config.tlsCa ? { tlsOptions: { ca: this.config.tlsCa } } : {}),
      });
      this.clients.set(subscriptionId, c);
    }
    return c;
  }

  network(subscriptionId: string, log: CloudCallLog): AzureNetwork {
    return new AzureNetwork(this.client(subscriptionId), log);
  }

  /** Network Watcher, the source VM's extensions and the connection monitor's metrics (the optional end-to-end probe). */
  monitoring(subscriptionId: string, log: CloudCallLog): AzureMonitoring {
    let m = this.monitoringClients.get(subscriptionId);
    if (!m) {
      const options = {
        endpoint: this.config.armEndpoint,
        retryOptions: { ...DEFAULT_RETRY, ...this.config.retry },
        additionalPolicies: [{ policy: armAttemptPolicy, position: "perRetry" as const }],
        ...(this.config.tlsCa ? { tlsOptions: { ca: this.config.tlsCa } } : {}),
      };
      m = {
        compute: new ComputeManagementClient(this.config.credential, subscriptionId, options),
        monitor: new MonitorClient(this.config.credential, subscriptionId, options),
      };
      this.monitoringClients.set(subscriptionId, m);
    }
    return new AzureMonitoring(this.client(subscriptionId), log, m);
  }
}

export class AzureNetwork extends ArmCalls {
  constructor(
    protected readonly client: NetworkManagementClient,
    log: CloudCallLog,
  ) {
    super(log);
  }

  // ---- reads -------------------------------------------------------------------------------

  getVirtualNetwork(rg: string, name: string): Promise<VirtualNetwork | undefined> {
    return this.getOrUndefined("GET virtualNetworks", (o) => this.client.virtualNetworks.get(rg, name, o));
  }

  getSubnet(rg: string, vnet: string, name: string): Promise<Subnet | undefined> {
    return this.getOrUndefined("GET subnets", (o) => this.client.subnets.get(rg, vnet, name, o));
  }

  getPublicIp(rg: string, name: string): Promise<PublicIPAddress | undefined> {
    return this.getOrUndefined("GET publicIPAddresses", (o) => this.client.publicIPAddresses.get(rg, name, o));
  }

  getGateway(rg: string, name: string): Promise<VirtualNetworkGateway | undefined> {
    return this.getOrUndefined("GET virtualNetworkGateways", (o) => this.client.virtualNetworkGateways.get(rg, name, o));
  }

  listGateways(rg: string): Promise<VirtualNetworkGateway[]> {
    return this.collect("GET virtualNetworkGateways", (o) => this.client.virtualNetworkGateways.list(rg, o));
  }

  /**
   * Every connection on the gateway, in whatever resource group it lives: one that another team
   * created elsewhere still uses the gateway.
   */
  listGatewayConnections(rg: string, gateway: string): Promise<VirtualNetworkGatewayConnectionListEntity[]> {
    return this.collect("GET virtualNetworkGateways/connections", (o) =>
      this.client.virtualNetworkGateways.listConnections(rg, gateway, o),
    );
  }

  getCircuit(rg: string, name: string): Promise<ExpressRouteCircuit | undefined> {
    return this.getOrUndefined("GET expressRouteCircuits", (o) => this.client.expressRouteCircuits.get(rg, name, o));
  }

  /** Every circuit of the subscription: Azure has no look-up of a circuit by its service key (day2-operations.md §5). */
  listAllCircuits(): Promise<ExpressRouteCircuit[]> {
    return this.collect("GET expressRouteCircuits (subscription)", (o) => this.client.expressRouteCircuits.listAll(o));
  }

  getConnection(rg: string, name: string): Promise<VirtualNetworkGatewayConnection | undefined> {
    return this.getOrUndefined("GET connections", (o) => this.client.virtualNetworkGatewayConnections.get(rg, name, o));
  }

  listServiceProviders(): Promise<ExpressRouteServiceProvider[]> {
    return this.collect("GET expressRouteServiceProviders", (o) => this.client.expressRouteServiceProviders.list(o));
  }

  /**
   * ARP and route tables are POST long-running reads that ARM answers within seconds; they are
   * awaited here (bounded by the SDK's polling) because there is nothing to start and come back to.
   */
  async listArpTable(rg: string, circuit: string, peering: string, devicePath: string): Promise<ExpressRouteCircuitArpTable[]> {
    const result = await this.awaitRead("POST arpTables", (o) =>
      this.client.expressRouteCircuits.beginListArpTableAndWait(rg, circuit, peering, devicePath, { ...o, updateIntervalInMs: 500 }),
    );
    return result.value ?? [];
  }

  async listRoutesTable(rg: string, circuit: string, peering: string, devicePath: string): Promise<ExpressRouteCircuitRoutesTable[]> {
    const result = await this.awaitRead("POST routeTables", (o) =>
      this.client.expressRouteCircuits.beginListRoutesTableAndWait(rg, circuit, peering, devicePath, { ...o, updateIntervalInMs: 500 }),
    );
    return result.value ?? [];
  }

  async listRoutesTableSummary(
    rg: string,
    circuit: string,
    peering: string,
    devicePath: string,
  ): Promise<ExpressRouteCircuitRoutesTableSummary[]> {
    const result = await this.awaitRead("POST routeTablesSummary", (o) =>
      this.client.expressRouteCircuits.beginListRoutesTableSummaryAndWait(rg, circuit, peering, devicePath, {
        ...o,
        updateIntervalInMs: 500,
      }),
    );
    return result.value ?? [];
  }

  // ---- writes (started, not awaited) --------------------------------------------------------

  beginCreateSubnet(rg: string, vnet: string, name: string, subnet: Subnet): Promise<Subnet | undefined> {
    return this.begin("PUT subnets", (o) => this.client.subnets.beginCreateOrUpdate(rg, vnet, name, subnet, o));
  }

  beginDeleteSubnet(rg: string, vnet: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE subnets", (o) => this.client.subnets.beginDelete(rg, vnet, name, o));
  }

  beginCreatePublicIp(rg: string, name: string, ip: PublicIPAddress): Promise<PublicIPAddress | undefined> {
    return this.begin("PUT publicIPAddresses", (o) => this.client.publicIPAddresses.beginCreateOrUpdate(rg, name, ip, o));
  }

  beginDeletePublicIp(rg: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE publicIPAddresses", (o) => this.client.publicIPAddresses.beginDelete(rg, name, o));
  }

  beginCreateGateway(rg: string, name: string, gateway: VirtualNetworkGateway): Promise<VirtualNetworkGateway | undefined> {
    return this.begin("PUT virtualNetworkGateways", (o) => this.client.virtualNetworkGateways.beginCreateOrUpdate(rg, name, gateway, o));
  }

  beginDeleteGateway(rg: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE virtualNetworkGateways", (o) => this.client.virtualNetworkGateways.beginDelete(rg, name, o));
  }

  beginCreateCircuit(rg: string, name: string, circuit: ExpressRouteCircuit): Promise<ExpressRouteCircuit | undefined> {
    return this.begin("PUT expressRouteCircuits", (o) => this.client.expressRouteCircuits.beginCreateOrUpdate(rg, name, circuit, o));
  }

  /** PATCH of the circuit's tags only (synchronous); the body replaces the whole tag map. */
  updateCircuitTags(rg: string, name: string, tags: Record<string, string>): Promise<ExpressRouteCircuit> {
    return this.awaitRead("PATCH expressRouteCircuits", (o) => this.client.expressRouteCircuits.updateTags(rg, name, { tags }, o));
  }

  beginDeleteCircuit(rg: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE expressRouteCircuits", (o) => this.client.expressRouteCircuits.beginDelete(rg, name, o));
  }

  beginCreateConnection(
    rg: string,
    name: string,
    connection: VirtualNetworkGatewayConnection,
  ): Promise<VirtualNetworkGatewayConnection | undefined> {
    return this.begin("PUT connections", (o) => this.client.virtualNetworkGatewayConnections.beginCreateOrUpdate(rg, name, connection, o));
  }

  beginDeleteConnection(rg: string, name: string): Promise<DeleteStart> {
    return this.beginDelete("DELETE connections", (o) => this.client.virtualNetworkGatewayConnections.beginDelete(rg, name, o));
  }
}
