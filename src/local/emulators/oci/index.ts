import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicKey } from "node:crypto";
import type { VirtualClock } from "../../clock/virtual-clock";
import type { FaultInjector } from "../shared/faults";
import type { OciIncident } from "../shared/incidents";
import type { ProviderLink } from "../shared/provider-link";
import { isKnownRegion } from "./catalog";
import { parseIpv4Cidr } from "./cidr";
import { OciContext } from "./context";
import { ensureOciApiKey } from "./keys";
import { applyOciIncident } from "./incidents";
import { OciByHand } from "./by-hand";
import { advanceLifecycles } from "./lifecycle";
import { DEFAULT_OCI_DURATIONS, SEED, TENANCY_ID, USER_ID, type OciDurations, type Vcn } from "./model";
import { describeForAzure } from "./provider";
import { createHandler } from "./server";
import { StateStore } from "./store";

export { ensureOciApiKey, type OciApiKey } from "./keys";
export type { OciDurations } from "./model";
export { DEFAULT_OCI_DURATIONS } from "./model";

export interface OciEmulatorOptions {
  clock: VirtualClock;
  link: ProviderLink;
  faults: FaultInjector;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Persist state here (debounced, atomic); omitted = in memory. */
  stateFile?: string;
  durations?: Partial<OciDurations>;
  /** Where the API signing key pair lives (generated on first start). */
  keyDir: string;
  /** The one region this endpoint serves (default us-ashburn-1). */
  region?: string;
}

export interface OciEmulator {
  url: string;
  tenancyId: string;
  userId: string;
  fingerprint: string;
  privateKeyPath: string;
  region: string;
  seed: { compartmentId: string; vcnId: string; routeTableId: string; providerServiceId: string };
  /** Restores the seed: every DRG, attachment and virtual circuit is gone. */
  reset(): void;
  /** All resources as the API shows them (for the admin endpoint). */
  snapshot(): unknown;
  /** Adds a VCN with its default route table (admin: "create more"). */
  createVcn(input: { displayName: string; cidrBlocks: string[]; compartmentId?: string }): Vcn;
  /** A day-2 incident, applied at once (admin: POST /admin/incidents). */
  applyIncident(incident: OciIncident): unknown;
  /** The Console of someone building by hand (admin: POST /admin/seed/handBuiltInterconnects). */
  byHand: OciByHand;
  close(): Promise<void>;
}

/** Longest real wait between lifecycle ticks: picks up clock jumps, speed changes and lifted faults. */
const MAX_TICK_MS = 1000;

export async function startOciEmulator(opts: OciEmulatorOptions): Promise<OciEmulator> {
  const region = opts.region ?? "us-ashburn-1";
  if (!isKnownRegion(region)) throw new RangeError(`region ${region} is not an OCI region with Azure interconnect`);
  const durations = { ...DEFAULT_OCI_DURATIONS, ...opts.durations };
  for (const [name, ms] of Object.entries(durations)) {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`durations.${name} must be a non-negative number of ms, got ${ms}`);
  }
  const key = ensureOciApiKey(opts.keyDir);
  const store = new StateStore(opts.stateFile);
  const ctx = new OciContext(store, opts.clock, durations, region, opts.link, opts.faults);
  const identity = { keyId: `${TENANCY_ID}/${USER_ID}/${key.fingerprint}`, publicKey: createPublicKey(key.publicKeyPem) };

  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    clearTimeout(timer);
    const next = advanceLifecycles(ctx);
    const delay = next === undefined ? MAX_TICK_MS : Math.min(MAX_TICK_MS, Math.max(1, opts.clock.realDelayUntil(next)));
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  const server = createServer(createHandler(ctx, identity, tick));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  opts.link.registerOci({
    describeVirtualCircuit: (serviceKey) => {
      advanceLifecycles(ctx);
      return describeForAzure(ctx, serviceKey);
    },
  });
  tick();

  return {
    url: `http://${address.address}:${address.port}`,
    tenancyId: TENANCY_ID,
    userId: USER_ID,
    fingerprint: key.fingerprint,
    privateKeyPath: key.privateKeyPath,
    region,
    seed: { ...SEED },
    reset: () => {
      store.reset();
      tick();
    },
    snapshot: () => {
      advanceLifecycles(ctx);
      const s = ctx.state;
      return structuredClone({
        region,
        vcns: Object.values(s.vcns),
        routeTables: Object.values(s.routeTables),
        drgs: Object.values(s.drgs).map((r) => r.resource),
        drgAttachments: Object.values(s.drgAttachments).map((r) => r.resource),
        virtualCircuits: Object.values(s.virtualCircuits).map((r) => r.resource),
      });
    },
    createVcn: (input) => createVcn(ctx, input),
    byHand: new OciByHand(ctx, () => tick()),
    applyIncident: (incident) => {
      const result = applyOciIncident(ctx, incident);
      tick();
      return result;
    },
    close: async () => {
      clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.flush();
    },
  };
}

function createVcn(ctx: OciContext, input: { displayName: string; cidrBlocks: string[]; compartmentId?: string }): Vcn {
  if (!input.displayName) throw new RangeError("displayName: a value is required");
  if (!Array.isArray(input.cidrBlocks) || input.cidrBlocks.length === 0)
    throw new RangeError("cidrBlocks: at least one CIDR block is required");
  input.cidrBlocks.forEach((c, i) => {
    const cidr = parseIpv4Cidr(c);
    if (!cidr || cidr.address !== cidr.network || cidr.prefixLength < 16 || cidr.prefixLength > 30) {
      throw new RangeError(`cidrBlocks[${i}]: ${c} is not an IPv4 CIDR block /16 to /30`);
    }
  });
  const compartmentId = input.compartmentId ?? SEED.compartmentId;
  const id = ctx.newId("vcn");
  const routeTableId = ctx.newId("routetable");
  const timeCreated = ctx.nowIso();
  const label =
    input.displayName
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "")
      .slice(0, 15) || "vcn";
  const vcn: Vcn = {
    id,
    compartmentId,
    displayName: input.displayName,
    cidrBlock: input.cidrBlocks[0]!,
    cidrBlocks: [...input.cidrBlocks],
    defaultRouteTableId: routeTableId,
    defaultSecurityListId: ctx.newId("securitylist"),
    defaultDhcpOptionsId: ctx.newId("dhcpoptions"),
    dnsLabel: label,
    vcnDomainName: `${label}.oraclevcn.com`,
    lifecycleState: "AVAILABLE",
    timeCreated,
    freeformTags: {},
    definedTags: {},
  };
  ctx.state.vcns[id] = vcn;
  ctx.state.routeTables[routeTableId] = {
    id: routeTableId,
    compartmentId,
    vcnId: id,
    displayName: `Default Route Table for ${input.displayName}`,
    lifecycleState: "AVAILABLE",
    routeRules: [],
    timeCreated,
    freeformTags: {},
    definedTags: {},
  };
  ctx.store.changed();
  return structuredClone(vcn);
}
