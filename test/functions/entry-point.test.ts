/**
 * The entry point checks the settings while it loads: a bad configuration stops the app at start,
 * naming every offending setting.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

describe("src/functions/index.ts", () => {
  it("fails to load with a ConfigurationError naming each bad setting, and never echoes a secret", async () => {
    const sample = JSON.parse(readFileSync(resolve(__dirname, "../../local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    Object.assign(process.env, sample.Values, {
      OCI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\\nnot-a-key\\n-----END PRIVATE KEY-----",
      POLL_MAX_INTERVAL_SECONDS: "soon",
    });
    delete process.env.OCI_PRIVATE_KEY_PATH;
    vi.resetModules();
    const loading = import("../../src/functions/index");
    await expect(loading).rejects.toMatchObject({ name: "ConfigurationError", code: "CONFIGURATION_INVALID" });
    const message = await loading.then(
      () => "",
      (e: unknown) => (e as Error).message,
    );
    expect(message).toMatch(/OCI_PRIVATE_KEY is invalid/);
    expect(message).toMatch(/POLL_MAX_INTERVAL_SECONDS is invalid/);
    expect(message).not.toMatch(/not-a-key/);
  });
});
