import { generateKeyPairSync } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config/settings";
import { type AppSetting, appSettings, compiledMain, moduleTemplate } from "./support/template";

/**
 * Settings the app reads that the template deliberately leaves out, and why. Anything else the config
 * schema reads must be set by infra/modules/app.bicep: a setting added to src/config without the
 * template following fails here.
 */
const NOT_SET_BY_TEMPLATE: Record<string, string> = {
  AzureWebJobsStorage: "the connection-string form; the template uses the identity-based AzureWebJobsStorage__* settings",
  AZURE_EMULATOR_TOKEN: "local stack only (AZURE_CREDENTIAL=emulator)",
  OCI_PRIVATE_KEY_PATH: "local stack only; in Azure the key comes from Key Vault as OCI_PRIVATE_KEY",
  WAIT_PROFILES: "optional tuning of the wait profiles; the built-in profiles apply",
  WEBSITE_AUTH_ENABLED: "set by App Service itself when authsettingsV2 is enabled",
  WEBSITE_SITE_NAME: "set by App Service itself",
  SERVICENOW_WEBHOOK_SECRET:
    'the ServiceNow integration is off in the template\'s deployment; enabling it takes this secret (a Key Vault reference) and the SERVICENOW_* instance settings (README "From a ticket")',
  JIRA_WEBHOOK_SECRET:
    'the Jira integration is off in the template\'s deployment; enabling it takes this secret (a Key Vault reference) and the JIRA_* settings (README "From a ticket")',
};

/** Settings the template sets for the Functions host, the Azure SDK or App Service rather than src/config. */
const READ_BY_PLATFORM = new Set([
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "AZURE_CLIENT_ID",
  "AzureFunctionsJobHost__extensions__durableTask__storageProvider__type",
  "AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName",
  "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
]);

/** Every setting name loadSettings reads from `env` (plus the keys it enumerates). */
function namesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key as string];
    },
  });
  try {
    loadSettings(recording);
  } catch {
    // An empty or partial env is rejected; which names were read is what matters here.
  }
  return read;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs8", format: "pem" }) as string;

/**
 * What App Service hands the app for each template value that is an ARM expression: resolved
 * resource properties, parameters, and the Key Vault reference resolved to the secret. A new
 * expression-valued setting needs a line here, so its resolved form is validated too.
 */
const RESOLVED: Record<string, string> = {
  AzureWebJobsStorage__accountName: "stabcdefghijklm",
  AzureWebJobsStorage__clientId: "6f3c1f7e-8f57-4a2e-9a43-2c1d3e4f5a6b",
  AzureWebJobsStorage__blobServiceUri: "https://stabcdefghijklm.blob.core.windows.net/",
  AzureWebJobsStorage__queueServiceUri: "https://stabcdefghijklm.queue.core.windows.net/",
  AzureWebJobsStorage__tableServiceUri: "https://stabcdefghijklm.table.core.windows.net/",
  APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=00000000-0000-0000-0000-000000000000",
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=6f3c1f7e-8f57-4a2e-9a43-2c1d3e4f5a6b;Authorization=AAD",
  AZURE_CLIENT_ID: "6f3c1f7e-8f57-4a2e-9a43-2c1d3e4f5a6b",
  AZURE_ARM_ENDPOINT: "https://management.azure.com/",
  OCI_TENANCY_OCID: "ocid1.tenancy.oc1..aaaaaaaaexampletenancy",
  OCI_USER_OCID: "ocid1.user.oc1..aaaaaaaaexampleuser",
  OCI_FINGERPRINT: "",
  OCI_PRIVATE_KEY: PEM,
  OCI_PRIVATE_KEY_PASSPHRASE: "",
  BGP_ADDRESS_POOL: "192.168.100.0/24",
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: "AzureStorage",
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: "AzureWebJobsStorage",
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: "",
};

let settings: AppSetting[];
let names: Set<string>;
beforeAll(() => {
  settings = appSettings();
  names = new Set(settings.map((s) => s.name));
});

describe("the Function App's settings in the compiled template", () => {
  it("set every setting the config schema reads, or leave it out on purpose", () => {
    const read = namesRead({});
    // The identity-based storage settings are found by prefix, so they are read only when present.
    for (const name of namesRead(Object.fromEntries(settings.map((s) => [s.name, "x"])))) read.add(name);
    expect(read.size).toBeGreaterThan(20);
    const missing = [...read].filter((name) => !names.has(name) && !(name in NOT_SET_BY_TEMPLATE));
    expect(missing).toEqual([]);
    for (const name of Object.keys(NOT_SET_BY_TEMPLATE)) {
      expect(read, `${name} is listed as left out, but the app does not read it`).toContain(name);
      expect(names, `${name} is listed as left out, but the template sets it`).not.toContain(name);
    }
  });

  it("set nothing that neither the app nor the platform reads", () => {
    const read = namesRead(Object.fromEntries(settings.map((s) => [s.name, "x"])));
    const stray = [...names].filter((name) => !read.has(name) && !READ_BY_PLATFORM.has(name));
    expect(stray).toEqual([]);
  });

  it("are accepted by the app's own validation once App Service resolved them", () => {
    const env: Record<string, string> = { WEBSITE_SITE_NAME: "func-icprod-abcdefghijklm" };
    const variables = moduleTemplate(compiledMain(), "app").variables ?? {};
    for (const { name, value: written } of settings) {
      // A plain variable reference to a literal is resolved from the template itself.
      const variable = /^\[variables\('(\w+)'\)\]$/.exec(written)?.[1];
      const value = variable !== undefined && typeof variables[variable] === "string" ? (variables[variable] as string) : written;
      const expression = value.startsWith("[");
      if (expression && !(name in RESOLVED)) throw new Error(`${name} is an ARM expression (${value}); add its resolved form to RESOLVED`);
      env[name] = expression ? (RESOLVED[name] as string) : value;
    }
    const loaded = loadSettings(env);
    expect(loaded.storage).toMatchObject({
      credential: "managedidentity",
      tableServiceUri: "https://stabcdefghijklm.table.core.windows.net",
    });
    expect(loaded.azure.credential).toBe("default");
    expect(loaded.trustClientPrincipalHeader).toBe(false);
  });

  it("leave out the local-only and runtime settings Flex Consumption rejects", () => {
    for (const name of [
      "FUNCTIONS_WORKER_RUNTIME",
      "FUNCTIONS_EXTENSION_VERSION",
      "AZURE_EMULATOR_TOKEN",
      "OCI_PRIVATE_KEY_PATH",
      "SIM_SPEED",
      "AzureWebJobsStorage",
    ]) {
      expect(names).not.toContain(name);
    }
  });
});
