import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { DomainError, ErrorCodes, type ValidationIssue } from "../domain/errors";
import { isAligned, parseCidr } from "../domain/ipv4";
import type { StorageAccess } from "../store/storage-account";
import { describeItsmSettings, readItsmSettings, type ItsmSettings } from "./itsm-settings";

/**
 * The app's settings (local.settings.sample.json lists and explains each), validated once at
 * startup. A bad configuration fails with one error naming every offending setting; secret values
 * (storage connection string, private key, passphrase, emulator token) are never echoed.
 */

export interface Settings {
  /** AzureWebJobsStorage: a connection string, or identity-based (AzureWebJobsStorage__accountName …). */
  storage: StorageAccess;
  azure: { credential: "default" | "emulator"; armEndpoint: string; emulatorToken?: string };
  oci: { endpoint?: string; tenancyId: string; userId: string; fingerprint: string; privateKey: string; passphrase?: string };
  bgpAddressPool: string;
  peeringLocationsFile?: string;
  polling: {
    initialIntervalSeconds: number;
    maxIntervalSeconds: number;
    minIntervalSeconds: number;
    /** Overrides of the workflows' wait profiles by wait name (the names are checked by src/workflows/waits.ts). */
    waitProfiles: Record<string, WaitProfileSetting>;
  };
  deadlines: {
    gatewayMinutes: number;
    providerMinutes: number;
    connectionMinutes: number;
    deprovisionMinutes: number;
    drgMinutes: number;
    verificationMinutes: number;
    gatewaySubnetMinutes: number;
    /** How long a run waits for its turn on its VNet and VCN (QUEUE_DEADLINE_MINUTES). */
    queueMinutes: number;
  };
  keepResourcesOnFailure: boolean;
  /** The health watch of active interconnects (README "Operating it"). */
  health: {
    /** Cadence of the cheap control-plane reads. */
    controlPlaneMinutes: number;
    /** Cadence of the route-level checks (ARP, BGP summaries, route tables); a multiple of controlPlaneMinutes. */
    routesMinutes: number;
    /** AUTO_REPAIR: re-add the service's own route rules and refresh a Failed circuit or connection. Off by default. */
    autoRepair: boolean;
  };
  /** The keeper timer that starts missing health watches (src/functions/health-watch-keeper.ts); it also runs at start-up. */
  healthKeeper: { schedule: string };
  /** The watchdog for stalled operations (src/workflows/watchdog.ts): when it runs, and how much lateness it tolerates. */
  watchdog: { schedule: string; marginMinutes: number };
  tables: { interconnects: string; audit: string };
  /**
   * Whether x-ms-client-principal-name names the caller in the audit. App Service authentication
   * (EasyAuth; App Service sets WEBSITE_AUTH_ENABLED=True) strips any client-sent copy and sets its own.
   * In App Service without it (WEBSITE_SITE_NAME set) any holder of a function key could write any name,
   * so it is ignored there. Outside App Service (the local host) there is no EasyAuth and no one to
   * impersonate, and the header is taken as sent.
   */
  trustClientPrincipalHeader: boolean;
  /** The ServiceNow and Jira round trip (itsm-settings.ts). */
  itsm: ItsmSettings;
}

export interface WaitProfileSetting {
  earliestSeconds?: number;
  latestSeconds?: number;
  minIntervalSeconds?: number;
}

export class ConfigurationError extends DomainError {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super(ErrorCodes.CONFIGURATION_INVALID, `Invalid app settings: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, {
      status: 500,
      details: issues,
    });
    this.name = "ConfigurationError";
    this.issues = issues;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const OCID = (type: string) => new RegExp(`^ocid1\\.${type}\\.[a-z0-9]+\\.[a-z0-9-]*(?:\\.[a-z0-9-]*)?\\.[a-z0-9]+$`);
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const FINGERPRINT = /^[0-9a-f]{2}(?::[0-9a-f]{2}){15}$/;

/** Reads settings with defaults; each problem is recorded and reading goes on so all are reported together. */
export class Reader {
  readonly issues: ValidationIssue[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  }

  names(): string[] {
    return Object.keys(this.env);
  }

  /** App settings are case-insensitive in the Functions host; environment variables on Linux are not. */
  rawIgnoringCase(name: string): string | undefined {
    const key = this.names().find((n) => n.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : this.raw(key);
  }

  fail(name: string, message: string): void {
    this.issues.push({ path: name, message });
  }

  required(name: string, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) this.fail(name, `is missing: expected ${expected}`);
    return value ?? "";
  }

  matching(name: string, pattern: RegExp, expected: string, fallback?: string): string {
    const value = fallback === undefined ? this.required(name, expected) : (this.raw(name) ?? fallback);
    if (value !== "" && !pattern.test(value)) this.fail(name, `is invalid: expected ${expected}`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, `is invalid: expected one of ${allowed.join(", ")}`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(value);
    if (parsed.success && /^\d+$/.test(value)) return parsed.data;
    this.fail(name, `is invalid: expected a whole number from ${min} to ${max}`);
    return fallback;
  }

  /** WAIT_PROFILES: {"<wait>": {"earliestSeconds": n, "latestSeconds": n, "minIntervalSeconds": n}, ...} */
  waitProfiles(name: string): Record<string, WaitProfileSetting> {
    const value = this.raw(name);
    if (value === undefined) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      this.fail(name, 'is invalid: expected a JSON object such as {"gateway":{"earliestSeconds":1200,"latestSeconds":2700}}');
      return {};
    }
    const profile = z.strictObject({
      earliestSeconds: z.number().nonnegative().optional(),
      latestSeconds: z.number().nonnegative().optional(),
      minIntervalSeconds: z.number().positive().optional(),
    });
    const result = z.record(z.string(), profile).safeParse(parsed);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    this.fail(
      name,
      `is invalid at ${issue?.path.join(".") || "the top level"}: ${issue?.message ?? "not a wait profile"} (fields: earliestSeconds, latestSeconds, minIntervalSeconds, in seconds)`,
    );
    return {};
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === "true" || value === "false") return value === "true";
    this.fail(name, "is invalid: expected true or false");
    return fallback;
  }

  url(name: string, protocols: string[], fallback?: string): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    const parsed = z.url({ protocol: new RegExp(`^(${protocols.join("|")})$`) }).safeParse(value);
    if (!parsed.success) this.fail(name, `is invalid: expected an absolute ${protocols.join(" or ")} URL`);
    return value.replace(/\/+$/, "");
  }
}

export function loadSettings(env: Env = process.env): Settings {
  const r = new Reader(env);

  const storage = readStorage(r);

  const credential = r.oneOf("AZURE_CREDENTIAL", ["default", "emulator"] as const, "default");
  // Bearer tokens are refused over plain http by the Azure SDK pipeline, so ARM must be https even for the emulator.
  const armEndpoint = r.url("AZURE_ARM_ENDPOINT", ["https"], "https://management.azure.com") ?? "https://management.azure.com";
  const emulatorToken = r.raw("AZURE_EMULATOR_TOKEN");
  if (credential === "emulator" && emulatorToken === undefined)
    r.fail("AZURE_EMULATOR_TOKEN", "is missing: required when AZURE_CREDENTIAL is emulator (the bearer token the ARM emulator accepts)");

  const ociEndpoint = r.url("OCI_ENDPOINT", ["http", "https"]);
  const tenancyId = r.matching("OCI_TENANCY_OCID", OCID("tenancy"), "a tenancy OCID (ocid1.tenancy.…)");
  const userId = r.matching("OCI_USER_OCID", OCID("user"), "a user OCID (ocid1.user.…)");
  const passphrase = r.raw("OCI_PRIVATE_KEY_PASSPHRASE");
  const privateKey = readPrivateKey(r);
  const fingerprint = ociFingerprint(r, privateKey, passphrase);

  const bgpAddressPool = r.required("BGP_ADDRESS_POOL", "an aligned IPv4 CIDR block of /29 or larger, e.g. 192.168.100.0/24");
  const pool = parseCidr(bgpAddressPool);
  if (bgpAddressPool !== "" && (pool === undefined || !isAligned(pool) || pool.prefixLength > 29)) {
    r.fail(
      "BGP_ADDRESS_POOL",
      "is invalid: expected an aligned IPv4 CIDR block of /29 or larger (room for two /30 blocks), e.g. 192.168.100.0/24",
    );
  }

  const initialIntervalSeconds = r.integer("POLL_INITIAL_INTERVAL_SECONDS", 30, 1, 3600);
  const maxIntervalSeconds = r.integer("POLL_MAX_INTERVAL_SECONDS", 300, 1, 3600);
  if (maxIntervalSeconds < initialIntervalSeconds)
    r.fail("POLL_MAX_INTERVAL_SECONDS", "is invalid: must be at least POLL_INITIAL_INTERVAL_SECONDS");
  const minIntervalSeconds = r.integer("POLL_MIN_INTERVAL_SECONDS", 20, 1, 3600);
  if (maxIntervalSeconds >= initialIntervalSeconds && minIntervalSeconds > maxIntervalSeconds)
    r.fail("POLL_MIN_INTERVAL_SECONDS", "is invalid: must be at most POLL_MAX_INTERVAL_SECONDS");
  const waitProfiles = r.waitProfiles("WAIT_PROFILES");

  const interconnects = r.matching(
    "INTERCONNECTS_TABLE",
    TABLE_NAME,
    "a table name: 3-63 letters and digits, starting with a letter",
    "interconnects",
  );
  const audit = r.matching("AUDIT_TABLE", TABLE_NAME, "a table name: 3-63 letters and digits, starting with a letter", "interconnectaudit");
  if (interconnects.toLowerCase() === audit.toLowerCase())
    r.fail("AUDIT_TABLE", "is invalid: must differ from INTERCONNECTS_TABLE (the audit log is a table of its own)");

  const settings: Settings = {
    storage,
    azure: { credential, armEndpoint, ...(credential === "emulator" && emulatorToken !== undefined ? { emulatorToken } : {}) },
    oci: {
      ...(ociEndpoint !== undefined ? { endpoint: ociEndpoint } : {}),
      tenancyId,
      userId,
      fingerprint,
      privateKey,
      ...(passphrase !== undefined ? { passphrase } : {}),
    },
    bgpAddressPool,
    ...(r.raw("PEERING_LOCATIONS_FILE") !== undefined ? { peeringLocationsFile: resolve(r.raw("PEERING_LOCATIONS_FILE") as string) } : {}),
    polling: { initialIntervalSeconds, maxIntervalSeconds, minIntervalSeconds, waitProfiles },
    deadlines: {
      gatewayMinutes: r.integer("GATEWAY_DEADLINE_MINUTES", 90, 1, 1440),
      providerMinutes: r.integer("PROVIDER_DEADLINE_MINUTES", 60, 1, 1440),
      connectionMinutes: r.integer("CONNECTION_DEADLINE_MINUTES", 30, 1, 1440),
      deprovisionMinutes: r.integer("DEPROVISION_DEADLINE_MINUTES", 60, 1, 1440),
      drgMinutes: r.integer("DRG_DEADLINE_MINUTES", 20, 1, 1440),
      verificationMinutes: r.integer("VERIFICATION_DEADLINE_MINUTES", 30, 1, 1440),
      gatewaySubnetMinutes: r.integer("GATEWAY_SUBNET_DEADLINE_MINUTES", 15, 1, 1440),
      queueMinutes: r.integer("QUEUE_DEADLINE_MINUTES", 1440, 1, 10080),
    },
    keepResourcesOnFailure: r.boolean("KEEP_RESOURCES_ON_FAILURE", false),
    health: readHealth(r),
    healthKeeper: {
      schedule: r.matching(
        "HEALTH_KEEPER_SCHEDULE",
        NCRONTAB,
        "a six-field NCRONTAB expression (second minute hour day month day-of-week), e.g. 0 */15 * * * *",
        "0 */15 * * * *",
      ),
    },
    watchdog: {
      schedule: r.matching(
        "WATCHDOG_SCHEDULE",
        NCRONTAB,
        "a six-field NCRONTAB expression (second minute hour day month day-of-week), e.g. 0 */5 * * * *",
        "0 */5 * * * *",
      ),
      marginMinutes: r.integer("WATCHDOG_MARGIN_MINUTES", 15, 1, 1440),
    },
    tables: { interconnects, audit },
    trustClientPrincipalHeader: readAuthEnabled(r) || r.raw("WEBSITE_SITE_NAME") === undefined,
    itsm: readItsmSettings(r),
  };
  if (r.issues.length > 0) throw new ConfigurationError(r.issues);
  return settings;
}

function readHealth(r: Reader): Settings["health"] {
  const controlPlaneMinutes = r.integer("HEALTH_CONTROL_PLANE_MINUTES", 5, 1, 60);
  const routesMinutes = r.integer("HEALTH_ROUTES_MINUTES", 30, 1, 1440);
  if (routesMinutes % controlPlaneMinutes !== 0 || routesMinutes < controlPlaneMinutes) {
    r.fail(
      "HEALTH_ROUTES_MINUTES",
      `is invalid: expected a multiple of HEALTH_CONTROL_PLANE_MINUTES (${controlPlaneMinutes}); the route checks run on every n-th control-plane check`,
    );
  }
  return { controlPlaneMinutes, routesMinutes, autoRepair: r.boolean("AUTO_REPAIR", false) };
}

/** App Service writes "True"/"False"; anything else means the platform setting was overwritten by hand. */
function readAuthEnabled(r: Reader): boolean {
  const value = r.raw("WEBSITE_AUTH_ENABLED");
  if (value === undefined) return false;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  r.fail("WEBSITE_AUTH_ENABLED", "is invalid: expected True or False (App Service sets it when authentication is configured)");
  return false;
}

/** Six fields of digits, *, /, - and , (the timer trigger's NCRONTAB; names of months and days are not needed here). */
const NCRONTAB = /^\s*[0-9*/,-]+(\s+[0-9*/,-]+){5}\s*$/;

const STORAGE = "AzureWebJobsStorage";
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * AzureWebJobsStorage in either form the Functions host accepts. Identity-based: the host's own
 * AzureWebJobsStorage__* settings (matched case-insensitively, as the host's configuration is);
 * explicit service URIs win over the ones implied by __accountName.
 */
function readStorage(r: Reader): StorageAccess {
  const connectionString = r.raw(STORAGE);
  const identityKeys = r.names().filter((n) => n.toLowerCase().startsWith(`${STORAGE.toLowerCase()}__`) && r.raw(n) !== undefined);
  if (connectionString !== undefined) {
    if (identityKeys.length > 0) {
      r.fail(STORAGE, `is invalid: set either the connection string or the identity-based ${identityKeys.join(", ")}, not both`);
    } else if (!isConnectionString(connectionString)) {
      r.fail(
        STORAGE,
        "is invalid: expected a storage connection string (AccountName=…;AccountKey=…, or service endpoints with SharedAccessSignature=…) or UseDevelopmentStorage=true; for a managed identity set AzureWebJobsStorage__accountName instead",
      );
    }
    return { connectionString };
  }
  if (identityKeys.length === 0) {
    r.fail(
      STORAGE,
      "is missing: expected a storage connection string, UseDevelopmentStorage=true for Azurite, or the identity-based AzureWebJobsStorage__accountName",
    );
    return { connectionString: "" };
  }
  const setting = (suffix: string) => `${STORAGE}__${suffix}`;
  const value = (suffix: string) => r.rawIgnoringCase(setting(suffix));
  for (const unsupported of ["clientSecret", "certificate"]) {
    if (value(unsupported) !== undefined)
      r.fail(
        setting(unsupported),
        "is not supported: this app reaches storage with a managed identity (AzureWebJobsStorage__credential=managedidentity), not a secret",
      );
  }
  const accountName = value("accountName");
  if (accountName !== undefined && !STORAGE_ACCOUNT.test(accountName))
    r.fail(setting("accountName"), "is invalid: expected a storage account name, 3-24 lowercase letters and digits");
  const serviceUri = (service: "table" | "queue"): string => {
    const name = setting(`${service}ServiceUri`);
    const given = value(`${service}ServiceUri`);
    if (given === undefined) {
      if (accountName === undefined)
        r.fail(name, `is missing: set it, or AzureWebJobsStorage__accountName to imply https://<account>.${service}.core.windows.net`);
      return `https://${accountName ?? ""}.${service}.core.windows.net`;
    }
    // Bearer tokens only travel over TLS (the Azure SDK refuses them on http).
    if (!z.url({ protocol: /^https$/ }).safeParse(given).success)
      r.fail(name, "is invalid: expected an absolute https URL such as https://<account>.table.core.windows.net");
    return given.replace(/\/+$/, "");
  };
  const tableServiceUri = serviceUri("table");
  const queueServiceUri = serviceUri("queue");
  const credentialSetting = value("credential");
  const credential = credentialSetting === undefined ? "default" : credentialSetting.toLowerCase();
  if (credential !== "default" && credential !== "managedidentity")
    r.fail(setting("credential"), "is invalid: expected managedidentity (or leave it unset)");
  const clientId = value("clientId");
  if (clientId !== undefined) {
    if (!GUID.test(clientId))
      r.fail(setting("clientId"), "is invalid: expected the client id (a GUID) of a user-assigned managed identity");
    else if (credential !== "managedidentity")
      r.fail(setting("clientId"), "is invalid: selects a user-assigned identity only with AzureWebJobsStorage__credential=managedidentity");
  }
  return {
    tableServiceUri,
    queueServiceUri,
    credential: credential === "managedidentity" ? "managedidentity" : "default",
    ...(clientId !== undefined ? { clientId } : {}),
  };
}

/** The forms @azure/data-tables and @azure/storage-queue both parse; the value itself is never echoed. */
function isConnectionString(text: string): boolean {
  if (/^UseDevelopmentStorage=true;?$/i.test(text)) return true;
  const parts = new Map<string, string>();
  for (const segment of text.split(";").filter((s) => s.trim() !== "")) {
    const at = segment.indexOf("=");
    if (at <= 0) return false;
    parts.set(segment.slice(0, at).trim().toLowerCase(), segment.slice(at + 1));
  }
  const hasKey = parts.has("accountkey") || parts.has("sharedaccesssignature");
  const hasEndpoints = parts.has("accountname") || (parts.has("tableendpoint") && parts.has("queueendpoint"));
  return hasKey && hasEndpoints;
}

/** OCI_PRIVATE_KEY (inline PEM; "\n" escapes allowed, as app settings are single-line) or OCI_PRIVATE_KEY_PATH. */
function readPrivateKey(r: Reader): string {
  const inline = r.raw("OCI_PRIVATE_KEY");
  const path = r.raw("OCI_PRIVATE_KEY_PATH");
  if (inline !== undefined && path !== undefined) {
    r.fail("OCI_PRIVATE_KEY", "is invalid: set either OCI_PRIVATE_KEY or OCI_PRIVATE_KEY_PATH, not both");
    return "";
  }
  if (inline !== undefined) return inline.replace(/\\n/g, "\n");
  if (path === undefined) {
    r.fail("OCI_PRIVATE_KEY", "is missing: set OCI_PRIVATE_KEY (PEM text) or OCI_PRIVATE_KEY_PATH (a PEM file) for OCI request signing");
    return "";
  }
  try {
    return readFileSync(resolve(path), "utf8");
  } catch {
    r.fail("OCI_PRIVATE_KEY_PATH", `is invalid: cannot read the file ${resolve(path)}`);
    return "";
  }
}

/**
 * The API key fingerprint OCI expects in keyId: given explicitly, or derived from the key
 * (MD5 of the DER public key) so the local sample needs no hand-computed value.
 */
function ociFingerprint(r: Reader, privateKey: string, passphrase: string | undefined): string {
  const keySetting = r.raw("OCI_PRIVATE_KEY") !== undefined ? "OCI_PRIVATE_KEY" : "OCI_PRIVATE_KEY_PATH";
  if (privateKey === "") return r.raw("OCI_FINGERPRINT") ?? "";
  let derived: string;
  try {
    const key = createPrivateKey({ key: privateKey, format: "pem", ...(passphrase !== undefined ? { passphrase } : {}) });
    const der = createPublicKey(key).export({ type: "spki", format: "der" });
    derived = createHash("md5").update(der).digest("hex").match(/../g)?.join(":") ?? "";
  } catch {
    r.fail(
      keySetting,
      `is invalid: not a PEM private key that can be read${passphrase === undefined ? " (encrypted keys need OCI_PRIVATE_KEY_PASSPHRASE)" : " with OCI_PRIVATE_KEY_PASSPHRASE"}`,
    );
    return r.raw("OCI_FINGERPRINT") ?? "";
  }
  const given = r.raw("OCI_FINGERPRINT")?.toLowerCase();
  if (given === undefined) return derived;
  if (!FINGERPRINT.test(given)) r.fail("OCI_FINGERPRINT", "is invalid: expected 16 colon-separated hex pairs, e.g. 20:3b:97:13:55:1c:…");
  else if (given !== derived) r.fail("OCI_FINGERPRINT", `is invalid: does not match the public key of ${keySetting}`);
  return given;
}

/** A copy safe to log: secrets replaced by whether they are set. */
export function describeSettings(settings: Settings): Record<string, unknown> {
  return {
    ...settings,
    storage:
      "connectionString" in settings.storage && settings.storage.connectionString !== "UseDevelopmentStorage=true"
        ? { connectionString: "(set)" }
        : settings.storage,
    azure: { ...settings.azure, ...(settings.azure.emulatorToken !== undefined ? { emulatorToken: "(set)" } : {}) },
    oci: { ...settings.oci, privateKey: "(set)", ...(settings.oci.passphrase !== undefined ? { passphrase: "(set)" } : {}) },
    itsm: describeItsmSettings(settings.itsm),
  };
}

let cached: Settings | undefined;

/** The app's settings from process.env, validated on first use. */
export function settings(): Settings {
  cached ??= loadSettings(process.env);
  return cached;
}

/** Forget the cached settings (tests and the local host change process.env between runs). */
export function resetSettingsCache(): void {
  cached = undefined;
}
