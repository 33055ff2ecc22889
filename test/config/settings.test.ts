import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigurationError, type Settings, describeSettings, loadSettings, resetSettingsCache, settings } from "../../src/config/settings";

const dir = mkdtempSync(join(tmpdir(), "settings-"));
const PASSPHRASE = "correct horse battery staple";
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const ENCRYPTED_PEM = privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: PASSPHRASE }) as string;
const FINGERPRINT = createHash("md5").update(createPublicKey(privateKey).export({ type: "spki", format: "der" })).digest("hex").match(/../g)?.join(":");
const KEY_FILE = join(dir, "oci_api_key.pem");
writeFileSync(KEY_FILE, PEM);

/** The committed sample's Values, with the key path pointed at a generated key. */
function sampleEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const sample = JSON.parse(readFileSync(resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as { Values: Record<string, string> };
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
      storageConnection: "UseDevelopmentStorage=true",
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
      deadlines: { gatewayMinutes: 90, providerMinutes: 60, connectionMinutes: 30, deprovisionMinutes: 60 },
      keepResourcesOnFailure: false,
      tables: { interconnects: "interconnects", audit: "interconnectaudit" },
    });
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
    const s = loadSettings(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: ENCRYPTED_PEM, OCI_PRIVATE_KEY_PASSPHRASE: PASSPHRASE, OCI_FINGERPRINT: FINGERPRINT?.toUpperCase() }));
    expect(s.oci.passphrase).toBe(PASSPHRASE);
    expect(s.oci.fingerprint).toBe(FINGERPRINT);
    const wrong = failure(sampleEnv({ OCI_FINGERPRINT: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff" }));
    expect(wrong.issues).toEqual([{ path: "OCI_FINGERPRINT", message: "is invalid: does not match the public key of OCI_PRIVATE_KEY_PATH" }]);
  });

  it("resolves PEERING_LOCATIONS_FILE and parses numbers and booleans", () => {
    const s = loadSettings(sampleEnv({ PEERING_LOCATIONS_FILE: "catalog.json", KEEP_RESOURCES_ON_FAILURE: "TRUE", POLL_INITIAL_INTERVAL_SECONDS: "5", GATEWAY_DEADLINE_MINUTES: "120" }));
    expect(s.peeringLocationsFile).toBe(resolve("catalog.json"));
    expect(s.keepResourcesOnFailure).toBe(true);
    expect(s.polling.initialIntervalSeconds).toBe(5);
    expect(s.deadlines.gatewayMinutes).toBe(120);
  });

  it("reads wait profile overrides, which the workflows merge over their defaults", () => {
    const s = loadSettings(sampleEnv({ POLL_MIN_INTERVAL_SECONDS: "15", WAIT_PROFILES: '{"gateway":{"earliestSeconds":600,"latestSeconds":1800}}' }));
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
    ["KEEP_RESOURCES_ON_FAILURE", "yes", /true or false/],
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
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "" })).issues).toEqual([{ path: "OCI_PRIVATE_KEY", message: expect.stringContaining("OCI_PRIVATE_KEY_PATH") }]);
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY: PEM })).issues).toEqual([{ path: "OCI_PRIVATE_KEY", message: expect.stringContaining("not both") }]);
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" })).issues).toEqual([
      { path: "OCI_PRIVATE_KEY", message: expect.stringContaining("not a PEM private key") },
    ]);
    expect(failure(sampleEnv({ OCI_PRIVATE_KEY_PATH: "", OCI_PRIVATE_KEY: ENCRYPTED_PEM })).issues[0]?.message).toContain("OCI_PRIVATE_KEY_PASSPHRASE");
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
    expect(err.issues.map((i) => i.path)).toEqual(["AZURE_EMULATOR_TOKEN", "OCI_TENANCY_OCID", "OCI_USER_OCID", "OCI_PRIVATE_KEY", "BGP_ADDRESS_POOL"]);
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
