import { afterAll, beforeAll } from "vitest";
import { startAzurite, type RunningAzurite } from "../../src/local/azurite";

/**
 * One real Azurite (in memory, free ports) per test file. Call at the top level of a test file;
 * read `.connectionString` inside tests, after beforeAll has run.
 */
export function useAzurite(): { readonly connectionString: string; readonly azurite: RunningAzurite } {
  let running: RunningAzurite | undefined;
  beforeAll(async () => {
    running = await startAzurite();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get azurite() {
      if (!running) throw new Error("Azurite is not running yet: use it inside a test or a hook after beforeAll.");
      return running;
    },
    get connectionString() {
      return this.azurite.connectionString;
    },
  };
}

let counter = 0;

/** A table name no other test in the same Azurite uses (names: letters and digits only). */
export function uniqueTableName(prefix = "t"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`.replace(/[^A-Za-z0-9]/g, "");
}
