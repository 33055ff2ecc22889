import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export interface LoadedSettings {
  values: Record<string, string>;
  /** The file the values came from. */
  source: string;
  /** True when local.settings.json is absent and the tracked sample was used. */
  fromSample: boolean;
}

/** App settings as Core Tools reads them: local.settings.json "Values", else the tracked sample's defaults. */
export function loadLocalSettings(root: string): LoadedSettings {
  const own = path.join(root, "local.settings.json");
  const sample = path.join(root, "local.settings.sample.json");
  const source = existsSync(own) ? own : sample;
  if (!existsSync(source)) throw new Error(`neither ${own} nor ${sample} exists`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(source, "utf8"));
  } catch (e) {
    throw new Error(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const values = (parsed as { Values?: unknown }).Values;
  if (typeof values !== "object" || values === null || Array.isArray(values))
    throw new Error(`${source}: "Values" must be an object of app settings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k === "//") continue;
    if (typeof v !== "string")
      throw new Error(`${source}: Values.${k} must be a string (app settings are strings), got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return { values: out, source, fromSample: source === sample };
}

/**
 * The app settings (and the process environment) that point the app at a running Azurite and the
 * running cloud emulators. One place for `npm start`, the e2e harness and the benchmark.
 */
export function emulatorAppSettings(
  azurite: { connectionString: string },
  emulators?: {
    arm: { url: string; token: string; caCertPath: string };
    oci: { url: string; tenancyId: string; userId: string; fingerprint: string; privateKeyPath: string };
  },
  itsm?: { servicenowUrl: string; jiraUrl: string },
): Record<string, string> {
  const values: Record<string, string> = { AzureWebJobsStorage: azurite.connectionString };
  if (itsm) Object.assign(values, { SERVICENOW_INSTANCE_URL: itsm.servicenowUrl, JIRA_BASE_URL: itsm.jiraUrl });
  if (!emulators) return values;
  return {
    ...values,
    AZURE_CREDENTIAL: "emulator",
    AZURE_ARM_ENDPOINT: emulators.arm.url,
    AZURE_EMULATOR_TOKEN: emulators.arm.token,
    OCI_ENDPOINT: emulators.oci.url,
    OCI_TENANCY_OCID: emulators.oci.tenancyId,
    OCI_USER_OCID: emulators.oci.userId,
    OCI_FINGERPRINT: emulators.oci.fingerprint,
    OCI_PRIVATE_KEY_PATH: emulators.oci.privateKeyPath,
    // Node reads it only at startup: the host process must trust the ARM emulator's local CA from the start.
    NODE_EXTRA_CA_CERTS: emulators.arm.caCertPath,
  };
}
