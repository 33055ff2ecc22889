import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Azurite, the emulators and the local host bind free loopback ports; keep the machine's 2 cores usable.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    // A set-up starts Azurite, the emulators and a host: on a machine busy with the other worker, give it room.
    hookTimeout: 120_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    globalSetup: ["./test/support/temp-root.ts"],
    // A passing test's console output is noise in the report; a failing test's is kept, where it helps.
    silent: "passed-only",
  },
});
