import { workflowTimingFromSettings } from "../../src/workflows/names";
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { app } from "@azure/functions";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerHealthWatchKeeper } from "../../src/functions/health-watch-keeper";
import { ConfigurationError, type Settings, describeSettings, loadSettings, resetSettingsCache, settings } from "../../src/config/settings";

const dir = mkdtempSync(join(tmpdir(), "settings-"));
const PASSPHRASE = "correct horse battery staple";
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const ENCRYPTED_PEM = privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: PASSPHRASE }) as string;
const FINGERPRINT = createHash("md5")
  .update(createPublicKey(privateKey).export({ type: "spki", format: "der" }))
  .digest("hex")
  .match(/../g)
  ?.join(":");
const KEY_FILE = join(dir, "oci_api_key.pem");
writeFileSync(KEY_FILE, PEM);

/** The committed sample's Values, with the key path pointed at a generated key. */
function sampleEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const sample = JSON.parse(readFileSync(resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as {
    Values: Record<string, string>;
  };
  return { ...sample.Values, OCI_PRIVATE_KEY_PATH: KEY_FILE, ...overrides };
}

function failure(env: Record<string, string | undefined>): ConfigurationError {
  try {
    loadSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error("expected the settings to be rejected");
}

afterEach(() => resetSettingsCache());

describe("loadSettings", () => {
  it("reads the local sample into typed settings", () => {
    const s = loadSettings(sampleEnv());
    expect(s).toEqual<Settings>({
      storage: { connectionString: "UseDevelopmentStorage=true" },
      azure: { credential: "emulator", armEndpoint: "https://127.0.0.1:8443", emulatorToken: "local-emulator-token" },
      oci: {
        endpoint: "http://127.0.0.1:8444",
        tenancyId: "ocid1.tenancy.oc1..aaaaaaaalocalemulatortenancy",
        userId: "ocid1.user.oc1..aaaaaaaalocalemulatoruser",
        fingerprint: FINGERPRINT as string,
        privateKey: PEM,
      },
      bgpAddressPool: "192.168.100.0/24",
      polling: { initialIntervalSeconds: 30, maxIntervalSeconds: 300, minIntervalSeconds: 20, waitProfiles: {} },
      deadlines: {
        gatewayMinutes: 90,
        providerMinutes: 60,
        connectionMinutes: 30,
        deprovisionMinutes: 60,
        drgMinutes: 20,
        verificationMinutes: 30,
        gatewaySubnetMinutes: 15,
        queueMinutes: 1440,
      },
      keepResourcesOnFailure: false,
      health: { controlPlaneMinutes: 5, routesMinutes: 30, autoRepair: false },
      healthKeeper: { schedule: "0 */15 * * * *" },
      watchdog: { schedule: "0 */5 * * * *", marginMinutes: 15 },
      tables: { interconnects: "interconnects", audit: "interconnectaudit" },
      trustClientPrincipalHeader: true,
      itsm: {
        servicenow: {
          webhookSecret: "local-servicenow-webhook-secret",
          instanceUrl: "http://127.0.0.1:8445",
          auth: { kind: "oauth", clientId: "local-emulator-client", clientSecret: "local-emulator-client-secret" },
        },
        jira: {
          webhookSecret: "local-jira-webhook-secret",
          baseUrl: "http://127.0.0.1:8446",
          email: "interconnect-bot@example.com",
          apiToken: "local-emulator-jira-token",
          fieldMap: JSON.parse(readFileSync(resolve(__dirname, "../../integrations/jira/field-map.example.json"), "utf8")),
        },
        table: "itsmtickets",
        outbox: { maxAttempts: 20, firstRetrySeconds: 5, maxRetrySeconds: 900 },
        watchIntervalSeconds: 60,
        incidentOnDown: false,
      },
    });
  });

  it("rejects a watchdog schedule that is not six NCRONTAB fields, and a margin out of range", () => {
    expect(loadSettings({ ...sampleEnv(), WATCHDOG_SCHEDULE: "0 0 */2 * * *" }).watchdog.schedule).toBe("0 0 */2 * * *");
    expect(failure({ ...sampleEnv(), WATCHDOG_SCHEDULE: "*/5 * * * *", WATCHDOG_MARGIN_MINUTES: "0" }).issues.map((i) => i.path)).toEqual([
      "WATCHDOG_SCHEDULE",
      "WATCHDOG_MARGIN_MINUTES",
    ]);
  });

  it("reads the health keeper's schedule (default every 15 minutes) and rejects one that is not six NCRONTAB fields", () => {
    const { HEALTH_KEEPER_SCHEDULE: _omitted, ...withoutKeeper } = sampleEnv();
    expect(loadSettings(withoutKeeper).healthKeeper.schedule).toBe("0 */15 * * * *");
    expect(loadSettings({ ...sampleEnv(), HEALTH_KEEPER_SCHEDULE: "0 0 0 1 1 *" }).healthKeeper.schedule).toBe("0 0 0 1 1 *");
    expect(failure({ ...sampleEnv(), HEALTH_KEEPER_SCHEDULE: "*/15 * * * *" }).issues.map((i) => i.path)).toEqual([
      "HEALTH_KEEPER_SCHEDULE",
    ]);
  });

  it("registers the keeper timer on HEALTH_KEEPER_SCHEDULE, still run at start-up", () => {
    const saved = { ...process.env };
    const timer = vi.spyOn(app, "timer").mockImplementation(() => undefined);
    try {
      Object.assign(process.env, sampleEnv({ HEALTH_KEEPER_SCHEDULE: "0 0 0 1 1 *" }));
      resetSettingsCache();
      registerHealthWatchKeeper(() => {
        throw new Error("not invoked here");
      });
      expect(timer.mock.calls.map(([name, o]) => [name, o.schedule, o.runOnStartup])).toEqual([["healthWatchKeeper", "0 0 0 1 1 *", true]]);
    } finally {
      timer.mockRestore();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it("trusts the principal header only with App Service authentication on, or outside App Service", () => {
    expect(loadSettings({ ...sampleEnv(), WEBSITE_SITE_NAME: "func-interconnect" }).trustClientPrincipalHeader).toBe(false);
    expect(
      loadSettings({ ...sampleEnv(), WEBSITE_SITE_NAME: "func-interconnect", WEBSITE_AUTH_ENABLED: "False" }).trustClientPrincipalHeader,
    ).toBe(false);
    expect(
      loadSettings({ ...sampleEnv(), WEBSITE_SITE_NAME: "func-interconnect", WEBSITE_AUTH_ENABLED: "True" }).trustClientPrincipalHeader,
    ).toBe(true);
    expect(loadSettings(sampleEnv()).trustClientPrincipalHeader).toBe(true);
    expect(failure({ ...sampleEnv(), WEBSITE_AUTH_ENABLED: "yes" }).issues.map((i) => i.path)).toEqual(["WEBSITE_AUTH_ENABLED"]);
  });

  it("applies the cloud defaults when optional settings are absent", () => {
    const s = loadSettings({
      AzureWebJobsStorage: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net",
      OCI_TENANCY_OCID: "ocid1.tenancy.oc1..aaaa",
      OCI_USER_OCID: "ocid1.user.oc1..bbbb",
      OCI_PRIVATE_KEY: PEM.replace(/\n/g, "\\n"),
      BGP_ADDRESS_POOL: "169.254.0.0/16",
    });
    expect(s.azure).toEqual({ credential: "default", armEndpoint: "https://management.azure.com" });
    expect(s.oci.endpoint).toBeUndefined();
    expect(s.oci.privateKey).toBe(PEM);
    expect(s.oci.fingerprint).toBe(FINGERPRINT);
    expect(s.peeringLocationsFile).toBeUndefined();
    expect(s.tables).toEqual({ interconnects: "interconnects", audit: "interconnectaudit" });
  });

  it("reads an encrypted key with its passphrase and checks a given fingerprint", () => {
    const s = loadSettings(
      sampleEnv({
        OCI_PRIVATE_KEY_PATH: "",
        OCI_PRIVATE_KEY: ENCRYPTED_PEM,
        OCI_PRIVATE_KEY_PASSPHRASE: PASSPHRASE,
        OCI_FINGERPRINT: FINGERPRINT?.toUpperCase(),
      }),
    );
    expect(s.oci.passphrase).toBe(PASSPHRASE);
    expect(s.oci.fingerprint).toBe(FINGERPRINT);
    const wrong = failure(sampleEnv({ OCI_FINGERPRINT: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff" }));
    expect(wrong.issues).toEqual([
      { path: "OCI_FINGERPRINT", message: "is invalid: does not match the public key of OCI_PRIVATE_KEY_PATH" },
    ]);
  });

  it("resolves PEERING_LOCATIONS_FILE and parses numbers and booleans", () => {
    const s = loadSettings(
      sampleEnv({
        PEERING_LOCATIONS_FILE: "catalog.json",
        KEEP_RESOURCES_ON_FAILURE: "TRUE",
        POLL_INITIAL_INTERVAL_SECONDS: "5",
        GATEWAY_DEADLINE_MINUTES: "120",
      }),
    );
    expect(s.peeringLocationsFile).toBe(resolve("catalog.json"));
    expect(s.keepResourcesOnFailure).toBe(true);
    expect(s.polling.initialIntervalSeconds).toBe(5);
    expect(s.deadlines.gatewayMinutes).toBe(120);
  });

  it("has a deadline of its own for each kind of wait, so tuning one leaves the others alone", () => {
    const s = loadSettings(
      sampleEnv({
        DRG_DEADLINE_MINUTES: "25",
        VERIFICATION_DEADLINE_MINUTES: "40",
        GATEWAY_SUBNET_DEADLINE_MINUTES: "10",
        QUEUE_DEADLINE_MINUTES: "600",
      }),
    );
    expect(s.deadlines).toEqual({
      gatewayMinutes: 90,
      providerMinutes: 60,
      connectionMinutes: 30,
      deprovisionMinutes: 60,
      drgMinutes: 25,
      verificationMinutes: 40,
      gatewaySubnetMinutes: 10,
      queueMinutes: 600,
    });
    const timing = workflowTimingFromSettings(s);
    expect(timing).toMatchObject({
      drgDeadlineMinutes: 25,
      verificationDeadlineMinutes: 40,
      gatewaySubnetDeadlineMinutes: 10,
      queueDeadlineMinutes: 600,
      connectionDeadlineMinutes: 30,
    });
  });

  it("reads wait profile overrides, which the workflows merge over their defaults", () => {
    const s = loadSettings(
      sampleEnv({ POLL_MIN_INTERVAL_SECONDS: "15", WAIT_PROFILES: '{"gateway":{"earliestSeconds":600,"latestSeconds":1800}}' }),
    );
    expect(s.polling.minIntervalSeconds).toBe(15);
    expect(s.polling.waitProfiles).toEqual({ gateway: { earliestSeconds: 600, latestSeconds: 1800 } });
  });

  const invalid: [string, string | undefined, RegExp][] = [
    ["AzureWebJobsStorage", "", /is missing/],
    ["AZURE_CREDENTIAL", "managed", /one of default, emulator/],
    ["AZURE_ARM_ENDPOINT", "http://127.0.0.1:8443", /https URL/],
    ["AZURE_EMULATOR_TOKEN", "", /required when AZURE_CREDENTIAL is emulator/],
    ["OCI_ENDPOINT", "localhost:8444", /http or https URL/],
    ["OCI_TENANCY_OCID", "ocid1.compartment.oc1..aaaa", /tenancy OCID/],
    ["OCI_USER_OCID", undefined, /is missing/],
    ["OCI_FINGERPRINT", "abc", /16 colon-separated hex pairs/],
    ["OCI_PRIVATE_KEY_PATH", "/nonexistent/key.pem", /cannot read the file/],
    ["BGP_ADDRESS_POOL", "192.168.100.0/30", /\/29 or larger/],
    ["BGP_ADDRESS_POOL", "192.168.100.7/24", /aligned/],
    ["POLL_INITIAL_INTERVAL_SECONDS", "0", /whole number from 1/],
    ["POLL_MAX_INTERVAL_SECONDS", "10", /at least POLL_INITIAL_INTERVAL_SECONDS/],
    ["POLL_MIN_INTERVAL_SECONDS", "600", /at most POLL_MAX_INTERVAL_SECONDS/],
    ["WAIT_PROFILES", "{gateway: 20}", /JSON object/],
    ["WAIT_PROFILES", '{"gateway":{"earliestSeconds":-5}}', /at gateway\.earliestSeconds/],
    ["WAIT_PROFILES", '{"gateway":{"earliestMinutes":20}}', /at gateway: .*fields: earliestSeconds, latestSeconds, minIntervalSeconds/],
    ["GATEWAY_DEADLINE_MINUTES", "1.5", /whole number/],
    ["PROVIDER_DEADLINE_MINUTES", "soon", /whole number/],
    ["CONNECTION_DEADLINE_MINUTES", "-1", /whole number/],
    ["DEPROVISION_DEADLINE_MINUTES", "99999", /whole number from 1 to 1440/],
    ["DRG_DEADLINE_MINUTES", "0", /whole number from 1 to 1440/],
    ["VERIFICATION_DEADLINE_MINUTES", "ten", /whole number/],
    ["GATEWAY_SUBNET_DEADLINE_MINUTES", "2.5", /whole number/],
    ["QUEUE_DEADLINE_MINUTES", "0", /whole number from 1 to 10080/],
    ["KEEP_RESOURCES_ON_FAILURE", "yes", /true or false/],
    ["HEALTH_CONTROL_PLANE_MINUTES", "0", /whole number from 1 to 60/],
    ["HEALTH_ROUTES_MINUTES", "12", /multiple of HEALTH_CONTROL_PLANE_MINUTES \(5\)/],
    ["AUTO_REPAIR", "on", /true or false/],
    ["INTERCONNECTS_TABLE", "inter-connects", /table name/],
    ["AUDIT_TABLE", "Interconnects", /must differ from INTERCONNECTS_TABLE/],
  ];

  it.each(invalid)("names %s when it is %j", (name, value, message) => {
    const err = failure(sampleEnv({ [name]: value }));
    expect(err.issues).toEqual([{ path: name, message: expect.stringMatching(message) }]);
    expect(err.code).toBe("CONFIGURATION_INVALID");
    expect(err.message).toContain(name);
  });

  it("requires exactly one of OCI_PRIVATE_KEY and OCI_PRIVATE_KEY_PATH, and a readable key", () => {
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "" })).issues).toEqual([
      { path: "OCI_PRIVATE_KEY", message: expect.stringContaining("OCI_PRIVATE_KEY_PATH") },
    ]);
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY: PEM })).issues).toEqual([
      { path: "OCI_PRIVATE_KEY", message: expect.stringContaining("not both") },
    ]);
    expect(
      failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }))
        .issues,
    ).toEqual([{ path: "OCI_PRIVATE_KEY", message: expect.stringContaining("not a PEM private key") }]);
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: ENCRYPTED_PEM })).issues[0]?.message).toContain(
      "OCI_PRIVATE_KEY_PASSPHRASE",
    );
  });

  it("names every problem in one error and never echoes a secret", () => {
    const secretConnection = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=TOPSECRETKEY==";
    const err = failure({
      AzureWebJobsStorage: secretConnection,
      AZURE_CREDENTIAL: "emulator",
      OCI_TENANCY_OCID: "bad",
      OCI_PRIVATE_KEY: "TOPSECRETPEM",
      OCI_PRIVATE_KEY_PASSPHRASE: "TOPSECRETPASS",
      BGP_ADDRESS_POOL: "nope",
    });
    expect(err.issues.map((i) => i.path)).toEqual([
      "AZURE_EMULATOR_TOKEN",
      "OCI_TENANCY_OCID",
      "OCI_USER_OCID",
      "OCI_PRIVATE_KEY",
      "BGP_ADDRESS_POOL",
    ]);
    const everything = JSON.stringify({ message: err.message, issues: err.issues, details: err.details });
    for (const secret of ["TOPSECRETKEY", "TOPSECRETPEM", "TOPSECRETPASS"]) expect(everything).not.toContain(secret);
  });

  it("describes settings for logs without secrets", () => {
    const s = loadSettings(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: ENCRYPTED_PEM, OCI_PRIVATE_KEY_PASSPHRASE: PASSPHRASE }));
    const text = JSON.stringify(describeSettings(s));
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain(PASSPHRASE);
    expect(text).not.toContain("local-emulator-token");
    expect(text).toContain("192.168.100.0/24");
  });
});

describe("AzureWebJobsStorage forms", () => {
  /** The sample without its connection string, plus identity-based settings as infra/modules/app.bicep writes them. */
  const identityEnv = (values: Record<string, string>) => sampleEnv({ AzureWebJobsStorage: undefined, ...values });
  const CLIENT_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

  it("takes a connection string as is", () => {
    const azurite =
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;";
    expect(loadSettings(sampleEnv({ AzureWebJobsStorage: azurite })).storage).toEqual({ connectionString: azurite });
    const sas =
      "TableEndpoint=https://acct.table.core.windows.net;QueueEndpoint=https://acct.queue.core.windows.net;SharedAccessSignature=sv=2024&sig=abc";
    expect(loadSettings(sampleEnv({ AzureWebJobsStorage: sas })).storage).toEqual({ connectionString: sas });
  });

  it("reads the deployed app's settings exactly as infra/modules/app.bicep names them: explicit service URIs and a user-assigned identity", () => {
    const bicep = readFileSync(resolve(__dirname, "../../infra/modules/app.bicep"), "utf8");
    const names = [...bicep.matchAll(/name: '(AzureWebJobsStorage__\w+)'/g)].map((m) => m[1]);
    expect(names.sort()).toEqual([
      "AzureWebJobsStorage__accountName",
      "AzureWebJobsStorage__blobServiceUri",
      "AzureWebJobsStorage__clientId",
      "AzureWebJobsStorage__credential",
      "AzureWebJobsStorage__queueServiceUri",
      "AzureWebJobsStorage__tableServiceUri",
    ]);
    expect(bicep).not.toMatch(/name: 'AzureWebJobsStorage'/);
    const s = loadSettings(
      identityEnv({
        AzureWebJobsStorage__accountName: "stinterconnect",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: CLIENT_ID,
        AzureWebJobsStorage__blobServiceUri: "https://stinterconnect.blob.core.windows.net/",
        AzureWebJobsStorage__queueServiceUri: "https://stinterconnect.queue.core.windows.net/",
        AzureWebJobsStorage__tableServiceUri: "https://custom-tables.example.net/",
      }),
    );
    expect(s.storage).toEqual({
      tableServiceUri: "https://custom-tables.example.net",
      queueServiceUri: "https://stinterconnect.queue.core.windows.net",
      credential: "managedidentity",
      clientId: CLIENT_ID,
    });
    expect(describeSettings(s).storage).toEqual(s.storage);
  });

  it("derives the service URIs from the account name alone, and defaults the credential", () => {
    expect(loadSettings(identityEnv({ AzureWebJobsStorage__accountName: "stinterconnect" })).storage).toEqual({
      tableServiceUri: "https://stinterconnect.table.core.windows.net",
      queueServiceUri: "https://stinterconnect.queue.core.windows.net",
      credential: "default",
    });
    // The host's configuration is case-insensitive; so is this.
    expect(
      loadSettings(identityEnv({ azurewebjobsstorage__ACCOUNTNAME: "stinterconnect", AZUREWEBJOBSSTORAGE__credential: "ManagedIdentity" }))
        .storage,
    ).toMatchObject({
      tableServiceUri: "https://stinterconnect.table.core.windows.net",
      credential: "managedidentity",
    });
  });

  const invalidIdentity: [string, Record<string, string>, string, RegExp][] = [
    [
      "no account and no table URI",
      { AzureWebJobsStorage__queueServiceUri: "https://a.queue.core.windows.net" },
      "AzureWebJobsStorage__tableServiceUri",
      /is missing.*accountName/,
    ],
    [
      "no account and no queue URI",
      { AzureWebJobsStorage__tableServiceUri: "https://a.table.core.windows.net" },
      "AzureWebJobsStorage__queueServiceUri",
      /is missing/,
    ],
    [
      "a bad account name",
      { AzureWebJobsStorage__accountName: "Not_An-Account" },
      "AzureWebJobsStorage__accountName",
      /3-24 lowercase letters and digits/,
    ],
    [
      "an http service URI",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__tableServiceUri: "http://127.0.0.1:10002/devstoreaccount1" },
      "AzureWebJobsStorage__tableServiceUri",
      /https URL/,
    ],
    [
      "an unknown credential",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__credential: "password" },
      "AzureWebJobsStorage__credential",
      /managedidentity/,
    ],
    [
      "a client id that is no GUID",
      {
        AzureWebJobsStorage__accountName: "acct",
        AzureWebJobsStorage__credential: "managedidentity",
        AzureWebJobsStorage__clientId: "my-identity",
      },
      "AzureWebJobsStorage__clientId",
      /GUID/,
    ],
    [
      "a client id without managedidentity",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientId: CLIENT_ID },
      "AzureWebJobsStorage__clientId",
      /credential=managedidentity/,
    ],
    [
      "a client secret",
      { AzureWebJobsStorage__accountName: "acct", AzureWebJobsStorage__clientSecret: "TOPSECRETCLIENT" },
      "AzureWebJobsStorage__clientSecret",
      /not supported/,
    ],
  ];

  it.each(invalidIdentity)("names the setting for %s", (_why, values, path, message) => {
    const err = failure(identityEnv(values));
    expect(err.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain("TOPSECRET");
  });

  it("refuses both forms at once, a value that is no connection string, and neither form, without echoing the value", () => {
    const both = failure(sampleEnv({ AzureWebJobsStorage__accountName: "acct" }));
    expect(both.issues).toEqual([
      { path: "AzureWebJobsStorage", message: expect.stringMatching(/either .* AzureWebJobsStorage__accountName, not both/) },
    ]);
    const account = failure(sampleEnv({ AzureWebJobsStorage: "TOPSECRETACCOUNT" }));
    expect(account.issues).toEqual([
      {
        path: "AzureWebJobsStorage",
        message: expect.stringMatching(/expected a storage connection string.*AzureWebJobsStorage__accountName/),
      },
    ]);
    expect(account.message).not.toContain("TOPSECRETACCOUNT");
    const neither = failure(identityEnv({}));
    expect(neither.issues).toEqual([
      { path: "AzureWebJobsStorage", message: expect.stringMatching(/is missing.*AzureWebJobsStorage__accountName/) },
    ]);
  });
});

describe("settings()", () => {
  it("reads process.env once and caches until reset", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, sampleEnv());
      const first = settings();
      process.env.BGP_ADDRESS_POOL = "10.99.0.0/24";
      expect(settings()).toBe(first);
      resetSettingsCache();
      expect(settings().bgpAddressPool).toBe("10.99.0.0/24");
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
